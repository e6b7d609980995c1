"""``trustkit reproduce``: regenerate every figure of a profile."""

from __future__ import annotations

import sys

PROFILES = ("smoke", "lab", "offline", "paper")


def register(subparsers) -> None:
    p = subparsers.add_parser("reproduce", help="run every notebook of a profile and write figures/")
    p.add_argument("--profile", choices=PROFILES, default="offline")
    p.set_defaults(func=run)


def run(args) -> int:
    print(
        "trustkit reproduce: not built yet — the notebooks and the reproduction pipeline "
        "arrive with the notebooks issue. Nothing was run.",
        file=sys.stderr,
    )
    return 1
