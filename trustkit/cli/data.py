"""``trustkit data``: list, fetch and verify the registered datasets, and check a user's pair file.

Exit codes: 0 when everything is fine, 1 when any file is refused or any pair row is bad.
"""

from __future__ import annotations

import sys


def register(subparsers) -> None:
    """Add the ``data`` sub-command and its actions ``list``, ``fetch``, ``verify`` and ``check``."""
    p = subparsers.add_parser("data", help="list, fetch and verify datasets; check a pair file")
    sub = p.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    sub.add_parser(
        "list", help="show every registered dataset, its license and whether it is cached"
    ).set_defaults(func=run_list)
    fetch = sub.add_parser("fetch", help="copy datasets from the mirror (or download them), verifying sha256")
    fetch.add_argument("names", nargs="*", metavar="NAME", help="datasets to fetch (default: all)")
    fetch.set_defaults(func=run_fetch)
    verify = sub.add_parser("verify", help="fetch every dataset and print each file's sha256 and OK")
    verify.add_argument("names", nargs="*", metavar="NAME", help="datasets to verify (default: all)")
    verify.set_defaults(func=run_verify)
    check = sub.add_parser(
        "check",
        help="validate a pair file (CSV/TSV/JSONL) or a registered pair dataset; "
        "print FILE:LINE: reason per problem",
    )
    check.add_argument("file", metavar="FILE")
    check.add_argument(
        "--model",
        help="also check the pairs against this model's tokenizer (as `trustkit score` would): "
        "pairs whose sentences tokenise to the same ids, sentences too long",
    )
    check.add_argument(
        "--random-control", action="store_true", help="accept a random-weights control as --model"
    )
    check.add_argument("--truncate", action="store_true", help="as `trustkit score --truncate`")
    check.set_defaults(func=run_check)


def _names(requested: list[str]) -> list[str]:
    from trustkit.data.registry import REGISTRY, get_dataset

    for name in requested:
        get_dataset(name)  # a clear KeyError for a typo, before any work
    return requested or list(REGISTRY)


def run_list(args) -> int:
    """Run ``trustkit data list``: one line per registered dataset (files, cached?, license, description)."""
    from trustkit.data.registry import REGISTRY
    from trustkit.paths import cache_dir

    for dataset in REGISTRY.values():
        cached = all((cache_dir("data", f.folder) / f.filename).exists() for f in dataset.files)
        status = "cached" if cached else "not cached"
        print(f"{dataset.name:24s} {len(dataset.files):2d} file(s)  {status:10s}  {dataset.license}")
        print(f"{'':24s} {dataset.description}")
    return 0


def _fetch_each(names: list[str], show_hashes: bool, explicit: bool) -> int:
    from trustkit.data.fetching import fetch_file
    from trustkit.data.registry import get_dataset, sha256_file

    failures = 0
    for name in names:
        for file in get_dataset(name).files:
            label = f"{name}/{file.filename}"
            try:
                path = fetch_file(file)
            except FileNotFoundError as err:
                # a derived file with no upstream copy: only an error when asked for by name
                failures += explicit
                print(f"{label}: {'FAILED' if explicit else 'SKIPPED'}: {err}", file=sys.stderr)
                continue
            except (ValueError, OSError) as err:
                failures += 1
                print(f"{label}: FAILED: {err}", file=sys.stderr)
                continue
            if show_hashes:
                print(f"{label}  sha256 {sha256_file(path)}  OK")
            else:
                print(f"{label} -> {path}")
    if failures:
        print(f"{failures} file(s) failed", file=sys.stderr)
    return 1 if failures else 0


def _named(args, show_hashes: bool) -> int:
    try:
        names = _names(args.names)
    except KeyError as err:  # a mistyped name: a usage error with a "did you mean"
        print(f"trustkit data {args.data_command}: {err.args[0]}", file=sys.stderr)
        return 2
    return _fetch_each(names, show_hashes=show_hashes, explicit=bool(args.names))


def run_fetch(args) -> int:
    """Run ``trustkit data fetch [NAME ...]``: fetch datasets, print each file's path; 1 if any failed."""
    return _named(args, show_hashes=False)


def run_verify(args) -> int:
    """Run ``trustkit data verify [NAME ...]``: fetch datasets, print each file's sha256; 1 if any failed."""
    return _named(args, show_hashes=True)


def run_check(args) -> int:
    """Run ``trustkit data check FILE [--model M]``: print each bad pair row as ``FILE:LINE: reason``; 1 if any.

    With ``--model``, the rows are also checked against that model's tokenizer: a pair whose
    sentences tokenise to the same ids, or a sentence longer than the model takes.
    """
    from pathlib import Path

    from trustkit.data.fetching import fetch
    from trustkit.data.pairs import _PAIR_CATALOGUE, check_pair_file

    target = args.file
    if not Path(target).exists() and target in _PAIR_CATALOGUE:  # a registered pair dataset
        target = fetch(target)
    try:
        parsed = check_pair_file(target)
    except (FileNotFoundError, ValueError) as err:  # missing, or a directory / FIFO / device
        print(err, file=sys.stderr)
        return 1
    for note in parsed.notes:
        print(f"{note} (warning)", file=sys.stderr)
    problems = list(parsed.problems)
    if getattr(args, "model", None) and parsed.rows:
        try:
            problems += _model_problems(target, args)
        except (ValueError, FileNotFoundError) as err:
            print(f"trustkit data check: {err}", file=sys.stderr)
            return 2
    for problem in problems:
        print(problem)
    if problems:
        print(
            f"{args.file}: {len(problems)} problem(s), {len(parsed.rows)} valid pair(s)",
            file=sys.stderr,
        )
        return 1
    print(f"{args.file}: {len(parsed.rows)} pair(s) OK")
    return 0


def _model_problems(target, args) -> list[str]:
    """``FILE:LINE: reason`` for the valid rows that ``--model``'s scorer would refuse."""
    import warnings

    from trustkit.data import load_pairs
    from trustkit.scoring import load_scorer
    from trustkit.scoring.checks import pair_row_problems, same_id_lines

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rows with problems were printed above already
        pairs = load_pairs(target, errors="drop")
    scorer = load_scorer(
        args.model, random_control=args.random_control, truncate=args.truncate, cache=False, progress=False
    )
    refused, _, same = pair_row_problems(scorer, pairs)
    hint = " (trustkit score refuses it; --drop-indistinguishable leaves it out)"
    return refused + [line + hint for line in same_id_lines(scorer, pairs, same)]
