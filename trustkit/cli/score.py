"""``trustkit score``: score the sentence pairs of a dataset or file with a model; write one row per pair.

Prints the CrowS-style summary (metric score, stereo %, antistereo %, n, ties) and writes a
provenance sidecar (``OUT.json``, naming the table's sha256) beside the table, both as one unit
(``trustkit.fileio.write_table_with_sidecar``). An existing ``--out`` is kept unless ``--force``;
an ``--out`` that is one of the inputs is refused.

Under ``torchrun --nproc-per-node N -m trustkit score ...`` the command joins the process group
(gloo on CPU, NCCL on CUDA, each rank on ``cuda:LOCAL_RANK``), every rank scores its share of
the pairs, and rank 0 alone writes the table, the sidecar and the summary.
"""

from __future__ import annotations

import sys
from pathlib import Path

METRIC_CHOICES = ("pll", "pll_word_l2r", "aul", "aula", "crows", "ll", "ll_shared")
OUT_COLUMNS = ["pair_id", "bias_type", "direction", "score_more", "score_less", "delta"]


def register(subparsers) -> None:
    """Add the ``score`` sub-command."""
    p = subparsers.add_parser(
        "score", help="score sentence pairs with a masked or causal LM; write one row per pair",
        description="Scores every pair (sent_more, sent_less) and writes pair_id, bias_type, direction, "
                    "score_more, score_less, delta = score_more - score_less.")
    p.add_argument("--model", required=True,
                   help="hub id, local directory, .gguf file or bundle name (trustkit models list)")
    p.add_argument("--data", required=True,
                   help="dataset name (crows_pairs, crows_pairs_revised, ...) or a pair file")
    p.add_argument("--metric", required=True, choices=METRIC_CHOICES)
    p.add_argument("--limit", type=int, metavar="N", help="score only the first N pairs")
    p.add_argument("--device", help="cpu (default), cuda, cuda:1, auto; under torchrun cuda means "
                   "cuda:LOCAL_RANK")
    p.add_argument("--dtype", help="GPU autocast precision: bf16 (default on GPU), fp16, fp32")
    p.add_argument("--batch-tokens", type=int, metavar="N",
                   help="padded tokens per forward pass, which bounds memory (default 2048 on CPU; "
                        "on CUDA chosen from the free memory)")
    p.add_argument("--random-control", action="store_true",
                   help="accept a random-weights control / a missing LM head (explicitly a control)")
    p.add_argument("--allow-pickle", action="store_true",
                   help="fully unpickle a .bin that torch's weights-only reader refuses (runs its code)")
    p.add_argument("--truncate", action="store_true",
                   help="cut sentences longer than the model's maximum instead of refusing them")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the score cache")
    p.add_argument("--out", required=True, help="output table: FILE.csv or FILE.parquet")
    p.add_argument("--force", action="store_true", help="overwrite an existing --out (and its sidecar)")
    p.set_defaults(func=run)


def crows_summary(scored, metric: str | None = None) -> dict:
    """The overall CrowS-Pairs aggregates of a scored table (``trustkit.metrics.crows_pairs_score``).

    Ties follow the metric (``trustkit.metrics.crows.tie_decimals``): ``aul``/``aula`` compare raw
    floats (Kaneko & Bollegala), every other metric rounds to 3 decimals first (metric.py).

    Example
    -------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"pair_id": [1, 2], "bias_type": ["age", "age"], "direction": ["stereo", "stereo"],
    ...                   "score_more": [-1.0, -3.0], "score_less": [-2.0, -1.0]})
    >>> crows_summary(t)["metric_score"]
    50.0
    """
    from trustkit.metrics import crows_pairs_score

    row = crows_pairs_score(scored, by=None, metric=metric).iloc[0].drop("group")
    return {key: (value.item() if hasattr(value, "item") else value) for key, value in row.items()}


def format_summary(summary: dict, metric: str) -> str:
    """The CrowS-style summary as printed by ``trustkit score``.

    Example
    -------
    >>> print(format_summary({"metric_score": 60.0, "stereo_score": 61.0, "antistereo_score": 55.0,
    ...     "n": 10, "n_stereo": 8, "n_antistereo": 2, "neutral": 0, "neutral_pct": 0.0}, "crows"))
    ... # doctest: +NORMALIZE_WHITESPACE
    metric crows: metric score 60.00 (50 = unbiased) | stereo 61.00% of 8 | antistereo 55.00% of 2 | n 10 | ties 0 (0.00%)
    """
    return (f"metric {metric}: metric score {summary['metric_score']:.2f} (50 = unbiased) | "
            f"stereo {summary['stereo_score']:.2f}% of {summary['n_stereo']} | "
            f"antistereo {summary['antistereo_score']:.2f}% of {summary['n_antistereo']} | "
            f"n {summary['n']} | ties {summary['neutral']} ({summary['neutral_pct']:.2f}%)")


def run(args) -> int:
    """Run the sub-command; 0 on success, 2 on a bad request (message on stderr).

    Under torchrun every rank runs this; a failure any rank meets while scoring is reported once,
    by rank 0, and every rank exits with the same code.
    """
    out = Path(args.out)
    if out.suffix not in (".csv", ".parquet"):
        print(f"trustkit score: --out must end in .csv or .parquet, got {out.name}", file=sys.stderr)
        return 2
    if args.limit is not None and args.limit < 1:
        print("trustkit score: --limit must be a positive number of pairs", file=sys.stderr)
        return 2
    from trustkit.scoring.distributed import joined_process_group

    with joined_process_group(args.device) as (rank, size, device):
        try:
            return _score(args, out, rank, size, device)
        except Exception as err:
            if getattr(err, "gathered", False) and rank != 0:
                return 2 if isinstance(err, (ValueError, FileNotFoundError)) else 1  # rank 0 reports it
            raise


def _score(args, out: Path, rank: int, size: int, device) -> int:
    import time

    from trustkit.data import load_pairs
    from trustkit.fileio import check_output_path, write_table_with_sidecar
    from trustkit.scoring import load_scorer

    try:
        check_output_path(out, inputs=[args.data, args.model], force=args.force)
        pairs = load_pairs(args.data)
        if args.limit:
            pairs = pairs.head(args.limit)
        if pairs.empty:
            raise ValueError(f"{args.data} holds no pairs to score")
        scorer = load_scorer(args.model, device=device, dtype=args.dtype,
                             random_control=args.random_control, allow_pickle=args.allow_pickle,
                             batch_tokens=args.batch_tokens, cache=not args.no_cache,
                             truncate=args.truncate)
        start = time.perf_counter()
        scored = scorer.score_pairs(pairs, args.metric)
        seconds = time.perf_counter() - start
    except (ValueError, FileNotFoundError) as err:
        if rank == 0 or not getattr(err, "gathered", False):
            print(f"trustkit score: {err}", file=sys.stderr)
        return 2
    if rank != 0:
        return 0
    table = scored[OUT_COLUMNS].copy()
    summary = crows_summary(scored, args.metric)
    sidecar = {
        "metric": args.metric, "data": args.data, "limit": args.limit,
        "data_source": str(pairs.attrs.get("source", args.data)), "data_sha256": pairs.attrs.get("sha256"),
        "model": scorer.provenance, "engine": scorer.identity(), "summary": summary,
        "seconds": round(seconds, 3), "stats": scorer.stats, "ranks": size,
    }
    write_table_with_sidecar(table, out, sidecar)
    print(format_summary(summary, args.metric))
    ranks = f" on {size} ranks" if size > 1 else ""
    print(f"wrote {len(table)} pairs to {out} ({scorer.stats['items_cached']} items from the cache, "
          f"{scorer.stats['rows_computed']} rows computed{ranks}, {seconds:.1f} s)")
    return 0
