"""``trustkit reproduce``: regenerate every figure of a profile with its manifest.

Runs the numbered notebooks with papermill (see :mod:`trustkit.reproduce`); ``make reproduce`` calls it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from trustkit.profiles import PROFILE_DESCRIPTIONS, PROFILE_NAMES


def register(subparsers) -> None:
    """Add the ``reproduce`` sub-command."""
    p = subparsers.add_parser(
        "reproduce",
        help="run every notebook of a profile; write figures/<profile>/ and its MANIFEST.json",
        description="Profiles: " + "; ".join(f"{k}: {v}" for k, v in PROFILE_DESCRIPTIONS.items()),
    )
    p.add_argument("--profile", choices=PROFILE_NAMES, default="offline")
    p.add_argument(
        "--notebooks",
        nargs="+",
        metavar="NAME",
        help="run only these notebooks (e.g. 01_data); their manifest entries are replaced, the others' kept",
    )
    p.add_argument(
        "--max-pairs",
        type=positive_int,
        default=None,
        metavar="N",
        help="cap every pair count of every notebook at N (try a profile on a few pairs)",
    )
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="NOTEBOOK.PARAM=VALUE",
        help="override one notebook parameter; VALUE is JSON when it parses (repeatable), "
        "e.g. --set 02_scoring.control=bert-tiny --set 03_paraphrase.n_paraphrases=2",
    )
    p.add_argument(
        "--root",
        metavar="DIR",
        help="where figures/ and build/ go; the notebooks come from DIR when it is a checkout (default: "
        "the current directory when it is a trustkit checkout, else the one holding this package)",
    )
    p.add_argument(
        "--list",
        action="store_true",
        help="print per notebook its parameters, rows to score and an estimated time on this "
        "machine's device; run nothing",
    )
    p.add_argument(
        "--verify",
        action="store_true",
        help="check figures/<profile>/ against its MANIFEST.json hashes, run nothing",
    )
    p.add_argument("--no-progress", action="store_true", help="hide papermill's progress bars")
    p.set_defaults(func=run)


def positive_int(text: str) -> int:
    """The ``--max-pairs`` type: a whole number of at least 1.

    >>> positive_int("20")
    20
    >>> positive_int("0")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be a positive whole number of pairs, got '0'
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number of pairs, got {text!r}")
    return value


def run(args) -> int:
    """Run the sub-command; return 0 on success, 1 on a failed run, 2 on a bad request."""
    from trustkit import profiles, reproduce
    from trustkit.models import parse_device, preflight

    try:
        plan = {
            n: profiles.profile_parameters(args.profile, n, max_pairs=args.max_pairs, sets=args.sets)
            for n in (args.notebooks or profiles.notebook_names())
        }
    except ValueError as err:
        print(f"trustkit reproduce: {err}", file=sys.stderr)
        return 2
    if args.list:
        device = parse_device("auto")
        costs = preflight.estimate(plan, device)
        for name, params in plan.items():
            params["figures_dir"] = f"figures/{args.profile}"  # where reproduce writes them
            params["rows_to_score"], params["estimated_s"] = costs[name]["rows"], costs[name]["estimated_s"]
        print(json.dumps(plan, indent=1))
        total = sum(c["estimated_s"] for c in costs.values())
        print(
            f"estimated {total / 60:.1f} min on {device} (an order of magnitude; cached scores are free)",
            file=sys.stderr,
        )
        if device == "cpu":
            print(
                "warning: no GPU found; masked-LM PLL costs one forward pass per token, so large models and "
                "full datasets take long on CPU (try --max-pairs N)",
                file=sys.stderr,
            )
        return 0
    root = Path(args.root).resolve() if args.root else reproduce.repo_root()
    if args.verify:
        figures_dir = root / "figures" / args.profile
        problems = reproduce.verify_manifest(figures_dir)
        for line in problems:
            print(f"trustkit reproduce --verify: {line}", file=sys.stderr)
        if not problems:
            print(f"{figures_dir}: every figure matches its manifest entry")
        return 1 if problems else 0
    try:
        reproduce.reproduce(
            args.profile,
            root=root,
            notebooks=args.notebooks,
            progress=not args.no_progress,
            max_pairs=args.max_pairs,
            sets=args.sets,
        )
    except reproduce.HubUnavailable as err:
        print(
            f"trustkit reproduce --profile {args.profile}: stopped before running anything. {err}",
            file=sys.stderr,
        )
        return 1
    except ValueError as err:  # a bad request (InputError included): one line, usage exit code
        print(f"trustkit reproduce: {err}", file=sys.stderr)
        return 2
    # A failed notebook raises RunError (one line naming the notebook, the cell and the executed
    # copy); the command line's error boundary prints it, or its traceback with --debug.
    return 0
