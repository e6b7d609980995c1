"""``trustkit report``: a bias report card for one model, as a self-contained HTML page and its JSON twin.

Scores the pairs, paraphrases them (back-translation offline by default), re-scores the paraphrases and
writes ``OUT.html`` and ``OUT.json`` (``trustkit.report.build_report``). Existing outputs need ``--force``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from trustkit.cli._options import lms_examples

METRIC_CHOICES = ("pll", "pll_word_l2r", "aul", "aula", "crows", "ll", "ll_shared")


def register(subparsers) -> None:
    """Add the ``report`` sub-command."""
    p = subparsers.add_parser(
        "report",
        help="a bias report card for one model: HTML page + JSON twin",
        description="Scores the model on the pairs, paraphrases and re-scores them, and writes one "
        "self-contained HTML page (no network needed to open it) and OUT.json with the same "
        "numbers: the bias score with CI and binomial test, the thresholded score and the "
        "undetermined share, per bias type, flip rate and ICC, example pairs, known data "
        "problems and the full provenance.",
    )
    p.add_argument(
        "--model",
        required=True,
        help="hub id, local directory, .gguf file or bundle name (trustkit models list)",
    )
    p.add_argument("--data", default="crows_pairs", help="dataset name (default crows_pairs) or a pair file")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N pairs")
    p.add_argument(
        "--n-paraphrases",
        type=int,
        default=3,
        metavar="N",
        help="paraphrase candidates per sentence (default 3; 0: no paraphrasing, no τ/flip rate/ICC)",
    )
    p.add_argument(
        "--paraphraser",
        default="backtranslation",
        metavar="SPEC",
        help="backtranslation (default, offline), llm[:MODEL] or seq2seq:MODEL",
    )
    p.add_argument("--metric", choices=METRIC_CHOICES, help="default: pll for masked, ll for causal LMs")
    p.add_argument("--seed", type=int, default=0, help="seed of paraphrasing and the bootstraps (default 0)")
    p.add_argument(
        "--n-resamples", type=int, default=1000, metavar="B", help="bootstrap resamples (default 1000)"
    )
    p.add_argument(
        "--icc-n-resamples",
        type=int,
        default=100,
        metavar="B",
        help="parametric-bootstrap refits for the ICC's CI (default 100)",
    )
    p.add_argument("--device", help="cpu (default), cuda, cuda:1, auto")
    p.add_argument("--batch-tokens", type=int, metavar="N", help="padded tokens per forward pass")
    p.add_argument(
        "--random-control",
        action="store_true",
        help="accept a random-weights control / a missing LM head (explicitly a control)",
    )
    p.add_argument("--no-cache", action="store_true", help="do not read or write the score cache")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument(
        "--utility",
        type=int,
        default=0,
        metavar="N",
        help="add a utility line: perplexity on N held-out ACL Anthology abstracts (default 0: none)",
    )
    p.add_argument(
        "--stereoset-lms",
        type=lms_examples,
        metavar="N",
        help="add StereoSet's language-modeling score (LMS) on N seeded intrasentence examples, or 'all'",
    )
    p.add_argument(
        "--compare",
        metavar="OTHER",
        help="add a 'compared with' section: a table of the same pairs and metric from trustkit score "
        "(e.g. the same model in another precision)",
    )
    p.add_argument("--out", required=True, help="the report: FILE.html (FILE.json is written beside it)")
    p.add_argument("--force", action="store_true", help="overwrite an existing FILE.html / FILE.json")
    p.set_defaults(func=run)


def run(args) -> int:
    """Build and write the report; 0 on success, 2 on a bad request (message on stderr)."""
    out = Path(args.out)
    if out.suffix != ".html":
        print(f"trustkit report: --out must end in .html, got {out.name}", file=sys.stderr)
        return 2
    for name, value, low in (
        ("--limit", args.limit, 1),
        ("--n-paraphrases", args.n_paraphrases, 0),
        ("--n-resamples", args.n_resamples, 1),
        ("--icc-n-resamples", args.icc_n_resamples, 0),
        ("--batch-tokens", args.batch_tokens, 1),
        ("--utility", args.utility, 0),
    ):
        if value is not None and value < low:
            print(f"trustkit report: {name} must be at least {low}, got {value}", file=sys.stderr)
            return 2
    from trustkit.cli._options import device_problem
    from trustkit.fileio import check_output_path
    from trustkit.report import build_report, json_path

    if device_problem(args.device):
        print(f"trustkit report: {device_problem(args.device)}", file=sys.stderr)
        return 2

    try:
        for path in (out, json_path(out)):
            check_output_path(path, inputs=[args.data, args.model], force=args.force)
        if args.compare:  # a missing table or sidecar is said before any scoring
            from trustkit.fileio import read_table_with_sidecar

            read_table_with_sidecar(args.compare)
        report = build_report(
            args.model,
            args.data,
            limit=args.limit,
            n_paraphrases=args.n_paraphrases,
            paraphraser=args.paraphraser,
            metric=args.metric,
            seed=args.seed,
            device=args.device,
            n_resamples=args.n_resamples,
            icc_n_resamples=args.icc_n_resamples,
            random_control=args.random_control,
            batch_tokens=args.batch_tokens,
            cache=not args.no_cache,
            progress=not args.no_progress,
            log=lambda line: print(line, file=sys.stderr),
        )
        if args.utility:
            from trustkit.report.compare import add_utility

            add_utility(report, args.utility, seed=args.seed)
        if args.stereoset_lms is not None:
            from trustkit.report.compare import add_stereoset_lms

            add_stereoset_lms(report, args.stereoset_lms or None, seed=args.seed)
        if args.compare:
            from trustkit.report.compare import add_comparison

            add_comparison(report, args.compare, n_resamples=args.n_resamples, seed=args.seed)
    except (ValueError, FileNotFoundError) as err:
        print(f"trustkit report: {err}", file=sys.stderr)
        return 2
    html, twin = report.write(out, force=args.force)
    doc = report.document
    for statement in doc.get("statements", []):
        print(f"trustkit report: note: {statement}", file=sys.stderr)
    print(report.headline())
    if doc.get("utility"):
        from trustkit.cli._printout import utility_line

        print(utility_line(doc["utility"]))
    if doc.get("stereoset_lms"):
        from trustkit.metrics.utility import lms_line

        print(lms_line(doc["stereoset_lms"]))
    if doc.get("compared_with"):
        c = doc["compared_with"]
        d = c["bias_score_difference"]
        print(
            f"compared with {c['labels'][1]}: difference {d['estimate']:+.1f} points "
            f"({d['ci_low']:+.1f} to {d['ci_high']:+.1f}), {c['flips']} of {c['n_pairs']} pairs flip, "
            f"McNemar p {c['mcnemar_p']:.3g}"
        )
    print(f"wrote {html} ({html.stat().st_size / 1024:.0f} KB) and {twin} in {doc['timing']['total']:.1f} s")
    return 0
