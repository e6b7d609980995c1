"""``trustkit paraphrase``: paraphrase a pair benchmark into a filtered long table (parquet)."""

from __future__ import annotations

import json
import sys

METHODS = ("backtranslation", "llm", "seq2seq")
MODES = ("consistent", "independent")


def register(subparsers) -> None:
    """Add the ``paraphrase`` sub-command to the ``trustkit`` parser."""
    p = subparsers.add_parser(
        "paraphrase",
        help="paraphrase benchmark pairs (pair-consistent, seeded, meaning-filtered)",
        description="Paraphrase the pairs of a benchmark and write the kept paraphrases as a long "
        "parquet table (para_index 0 = the original) plus FILE.rejected.parquet with "
        "every rejected candidate and bad input row, each with its reason.",
    )
    p.add_argument(
        "--data",
        required=True,
        metavar="NAME_OR_FILE",
        help="dataset name (e.g. crows_pairs) or a pair file (csv/jsonl) for trustkit.data.load_pairs",
    )
    p.add_argument("--method", required=True, choices=METHODS)
    p.add_argument("--n-paraphrases", type=int, default=5, help="candidates per sentence (default 5)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=int, default=None, help="only the first N pairs")
    p.add_argument("--mode", choices=MODES, default="consistent")
    p.add_argument("--out", required=True, metavar="FILE", help="output .parquet file")
    p.add_argument(
        "--model",
        default=None,
        help="llm: bundle name/path/hub id (default smollm2-135m-instruct); seq2seq: hub id or "
        "directory, or FORWARD,BACKWARD translation models",
    )
    p.add_argument("--min-similarity", type=float, default=0.75, help="cosine threshold (all-MiniLM-L6-v2)")
    p.add_argument("--min-length-ratio", type=float, default=0.5)
    p.add_argument("--max-length-ratio", type=float, default=2.0)
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--device", default=None, help="torch device for neural backends (default CPU)")
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch CPU threads (default torch's own; 1 is often fastest on a busy machine)",
    )
    p.add_argument(
        "--allow-pickle",
        action="store_true",
        help="seq2seq: fully unpickle a .bin that torch's weights-only reader refuses (runs its code)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="overwrite an existing --out (and its .rejected.parquet beside it)",
    )
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    """Paraphrase the pairs named by ``args``, write the tables, print a summary; return the exit code."""
    if args.n_paraphrases < 1:
        print(
            f"trustkit paraphrase: --n-paraphrases must be at least 1, got {args.n_paraphrases}",
            file=sys.stderr,
        )
        return 2
    if args.limit is not None and args.limit < 1:
        print(f"trustkit paraphrase: --limit must be at least 1, got {args.limit}", file=sys.stderr)
        return 2
    if not args.out.endswith(".parquet"):
        print(f"trustkit paraphrase: --out must end in .parquet, got {args.out}", file=sys.stderr)
        return 2
    from trustkit.data import load_pairs
    from trustkit.fileio import check_output_path
    from trustkit.paraphrase import (
        FilterSettings,
        make_paraphraser,
        paraphrase_pairs,
        rejected_path,
        save_paraphrases,
    )

    try:
        settings = FilterSettings(args.min_similarity, args.min_length_ratio, args.max_length_ratio)
        pairs = load_pairs(args.data)
        for out in (args.out, rejected_path(args.out)):
            check_output_path(out, inputs=[args.data, args.model], force=args.force)
    except (ValueError, FileNotFoundError) as error:
        print(f"trustkit paraphrase: {error}", file=sys.stderr)
        return 2
    if args.limit is not None:
        pairs = pairs.head(args.limit)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    options = {}
    if args.batch_size:
        options["batch_size"] = args.batch_size
    if args.method in ("llm", "seq2seq") and args.device:
        options["device"] = args.device
    if args.method == "seq2seq":
        options["allow_pickle"] = args.allow_pickle
    try:
        paraphraser = make_paraphraser(args.method, args.model, **options)
    except (ValueError, OSError) as error:
        print(f"trustkit paraphrase: {error}", file=sys.stderr)
        return 2
    result = paraphrase_pairs(
        pairs,
        paraphraser,
        n_paraphrases=args.n_paraphrases,
        seed=args.seed,
        mode=args.mode,
        settings=settings,
        progress=not args.no_progress,
    )
    metadata = {**result.settings, "data": args.data, "limit": args.limit}
    save_paraphrases(result.table, result.rejected, args.out, metadata)
    summary = result.summary()
    print(json.dumps(summary, indent=2, default=str))
    print(
        f"wrote {args.out} ({len(result.table)} rows) and {rejected_path(args.out)} "
        f"({len(result.rejected)} rejected)",
        file=sys.stderr,
    )
    return 0
