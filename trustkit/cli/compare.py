"""``trustkit compare A B``: the paired comparison of two scored tables of the same pairs.

Reads two tables written by ``trustkit score`` (their sidecars name the metric), runs
``trustkit.stats.compare_scored`` and prints a table; ``--json FILE`` writes its numbers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from trustkit.errors import InputError


def register(subparsers) -> None:
    """Add the ``compare`` sub-command."""
    p = subparsers.add_parser(
        "compare",
        help="compare two scored runs of the same pairs: flips, McNemar, bias-score difference",
        description="Pair by pair: which sentence each run prefers (or a tie), the flips between "
        "them, an exact McNemar test, the bias-score difference B − A with a paired-bootstrap CI, "
        "per-category differences (BH-corrected), flips by |Δ| of A and the minimum detectable "
        "difference.",
    )
    p.add_argument("a", help="first scored table (CSV or parquet from trustkit score)")
    p.add_argument("b", help="second scored table of the same pairs and metric")
    p.add_argument("--by", default="bias_type", help="category column (default bias_type; 'none' for none)")
    p.add_argument("--json", metavar="FILE", help="also write the numbers as JSON")
    p.add_argument("--seed", type=int, default=0, help="seed of the paired bootstrap (default 0)")
    p.add_argument("--n-resamples", type=int, default=1000, metavar="B", help="bootstrap resamples")
    p.add_argument("--force", action="store_true", help="overwrite an existing --json FILE")
    p.set_defaults(func=run)


def run(args) -> int:
    """Compare and print; 0 on success, 2 on a refused input (one line on stderr)."""
    from trustkit.fileio import atomic_write_text, check_output_path, read_table_with_sidecar
    from trustkit.stats.compare import compare_scored

    by = None if args.by.lower() == "none" else args.by
    try:
        if args.n_resamples < 1:
            raise InputError(f"--n-resamples must be at least 1, got {args.n_resamples}")
        if args.json:
            check_output_path(args.json, inputs=[args.a, args.b], force=args.force)
        a, b = read_table_with_sidecar(args.a), read_table_with_sidecar(args.b)
        if by is not None and by not in ("bias_type", "direction"):
            raise InputError(f"--by must be bias_type, direction or none, got {args.by}")
        labels = (Path(args.a).name, Path(args.b).name)
        result = compare_scored(a, b, by=by, labels=labels, seed=args.seed, n_resamples=args.n_resamples)
    except (ValueError, FileNotFoundError) as err:
        print(f"trustkit compare: {err}", file=sys.stderr)
        return 2
    print(result.as_text())
    if args.json:
        doc = result.to_dict()
        doc["runs"] = {
            label: {
                "path": str(Path(p).resolve()),
                "model": (t.attrs["sidecar"].get("model") or {}).get("model_id"),
            }
            for label, p, t in ((labels[0], args.a, a), (labels[1], args.b, b))
        }
        atomic_write_text(args.json, json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False))
        print(f"wrote {args.json}")
    return 0
