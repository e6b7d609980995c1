"""Issue 5's closing-note analysis on real data: SmolLM2-135M-Instruct on CrowS-Pairs with one offline paraphraser.

Scores every original pair, paraphrases a (seeded, stratified) subset pair-consistently, and prints the
paper's analyses: bias score with CI, flip rate, ICC, τ and the undetermined share; figures go to --out.

Run:  python benchmarks/analysis_real.py --out OUT_DIR [--paraphrase-pairs 300] [--n-paraphrases 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd

from trustkit import plots, stats
from trustkit.metrics import crows_pairs_score
from trustkit.paths import cache_dir
from trustkit.provenance import save_figure


def _stratified_subset(pairs: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """A seeded subset of ``n`` pairs with each bias type in proportion (all pairs when n <= 0)."""
    if n <= 0 or n >= len(pairs):
        return pairs
    share = n / len(pairs)
    parts = [
        g.sample(max(1, round(len(g) * share)), random_state=seed) for _, g in pairs.groupby("bias_type")
    ]
    return pd.concat(parts).sort_values("pair_id")


def _atomic_csv(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    df.to_csv(tmp, index=False)
    os.replace(tmp, path)


def score_originals(scorer, pairs: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Score the original sentences of every pair (para_index 0)."""
    scored = scorer.score_pairs(pairs.assign(para_index=0), metric)
    return scored


def paraphrase_and_score(scorer, pairs: pd.DataFrame, metric: str, n_paraphrases: int, seed: int):
    """Pair-consistent paraphrases of ``pairs`` (issue 4's engine) scored with ``scorer``."""
    from trustkit import paraphrase

    paraphraser = paraphrase.BackTranslationParaphraser()
    result = paraphrase.paraphrase_pairs(pairs, paraphraser, n_paraphrases=n_paraphrases, seed=seed)
    wide = paraphrase.to_pair_table(result.table)
    return scorer.score_pairs(wide, metric), paraphraser, result.summary()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--metric", default="ll", help="causal LL (every token, one prefix token)")
    parser.add_argument("--dataset", default="crows_pairs")
    parser.add_argument("--paraphrase-pairs", type=int, default=300, help="pairs to paraphrase (0 = all)")
    parser.add_argument("--n-paraphrases", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--n-resamples", type=int, default=100, help="parametric bootstrap refits for the ICC CI"
    )
    parser.add_argument("--tau-estimator", default="abs_change", choices=stats.TAU_ESTIMATORS)
    parser.add_argument("--quantile", type=float, default=0.5)
    parser.add_argument("--originals-only", action="store_true", help="stop after scoring the originals")
    parser.add_argument(
        "--out", type=Path, default=None, help="output directory (default: cache/analysis_real)"
    )
    args = parser.parse_args(argv)
    out = args.out or cache_dir("analysis_real")
    out.mkdir(parents=True, exist_ok=True)

    from trustkit.data import load_pairs
    from trustkit.scoring import load_scorer

    t0 = time.time()
    pairs = load_pairs(args.dataset)
    scorer = load_scorer(args.model)
    originals = score_originals(scorer, pairs, args.metric)
    _atomic_csv(originals, out / "scored_originals.csv")
    print(f"scored {len(originals)} original pairs in {time.time() - t0:.0f} s")
    crows = crows_pairs_score(originals)
    table = stats.bias_score_table(originals, seed=args.seed)
    print("\nCrowS-Pairs aggregates (metric.py counting):\n", crows.round(2).to_string(index=False))
    print(
        "\nBias score, bootstrap 95% CI, exact binomial p (ties excluded), Holm across categories:\n",
        table.to_string(index=False, float_format=lambda x: f"{x:.4g}"),
    )
    summary = {
        "model": args.model,
        "metric": args.metric,
        "dataset": args.dataset,
        "n_pairs": len(originals),
        "provenance": {k: str(v) for k, v in getattr(scorer, "provenance", {}).items()},
        "python": platform.python_version(),
        "seed": args.seed,
        "bias_score_original": table.iloc[0][["estimate", "ci_low", "ci_high", "p", "n", "n_ties"]].to_dict(),
    }
    if args.originals_only:
        (out / "summary.json").write_text(json.dumps(summary, indent=2, default=float))
        return 0

    subset = _stratified_subset(pairs, args.paraphrase_pairs, args.seed)
    t1 = time.time()
    scored_para, paraphraser, yield_summary = paraphrase_and_score(
        scorer, subset, args.metric, args.n_paraphrases, args.seed
    )
    print(f"\nparaphrased and scored {subset.shape[0]} pairs in {time.time() - t1:.0f} s ({paraphraser!r})")
    print("paraphrase yield:", json.dumps(yield_summary, default=float))
    # One table: the full originals plus the subset's paraphrases (their originals are the same rows).
    para_rows = scored_para[scored_para["para_index"] > 0]
    keep = ["pair_id", "para_index", "bias_type", "direction", "score_more", "score_less", "delta"]
    sub = pd.concat([originals[originals["pair_id"].isin(para_rows["pair_id"])][keep], para_rows[keep]])
    _atomic_csv(sub, out / "scored_paraphrased_subset.csv")

    para_scores = stats.bias_score_table(sub, rows="paraphrases", seed=args.seed)
    orig_sub = stats.bias_score_table(sub, rows="original", seed=args.seed)
    flips = stats.flip_rate_table(sub, seed=args.seed)
    icc = stats.variance_decomposition(
        sub, covariates=["bias_type"], n_resamples=args.n_resamples, seed=args.seed, progress=True
    )
    tau = stats.threshold_from_paraphrase_noise(sub, estimator=args.tau_estimator, quantile=args.quantile)
    thresholded = stats.thresholded_bias_score(originals, tau, seed=args.seed)
    signs = stats.pair_sign_test(sub)
    for name, df in [
        ("bias score, originals of the subset", orig_sub),
        ("bias score, paraphrases", para_scores),
        ("flip rate", flips),
        ("variance decomposition", icc),
        (
            f"thresholded (tau={tau:.4f}, {args.tau_estimator} q={args.quantile}) on all originals",
            thresholded,
        ),
    ]:
        print(f"\n{name}:\n", df.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    print("\nper-pair sign test verdicts (BH):", signs["verdict"].value_counts().to_dict())

    figures = {
        "a_delta_distribution": plots.plot_delta_distributions(originals.assign(model=args.model), tau=tau),
        "b_original_vs_paraphrase": plots.plot_original_vs_paraphrase(sub.assign(model=args.model)),
        "c_threshold_curve": plots.plot_threshold_curve(
            stats.threshold_curve(originals).assign(model=args.model), tau=tau
        ),
        "d_category_scores": plots.plot_category_scores(
            pd.concat([orig_sub, para_scores]).assign(model=args.model)
        ),
    }
    for name, fig in figures.items():
        for suffix in (".png", ".svg"):
            save_figure(fig, name + suffix, out, models=[scorer], seed=args.seed)

    overall = lambda df: df[df["group"] == "overall"].iloc[0]  # noqa: E731
    summary.update(
        {
            "paraphraser": repr(paraphraser),
            "paraphrase_yield": yield_summary,
            "n_paraphrased_pairs": int(sub["pair_id"].nunique()),
            "n_paraphrase_rows": int((sub["para_index"] > 0).sum()),
            "bias_score_subset_original": overall(orig_sub)[
                ["estimate", "ci_low", "ci_high", "p", "n"]
            ].to_dict(),
            "bias_score_paraphrases": overall(para_scores)[
                ["estimate", "ci_low", "ci_high", "p", "n"]
            ].to_dict(),
            "flip_rate": flips[(flips["group"] == "overall")]
            .set_index("measure")[["estimate", "ci_low", "ci_high"]]
            .to_dict("index"),
            "icc": icc.set_index("measure")[["estimate", "ci_low", "ci_high"]].to_dict("index"),
            "tau": {"value": tau, "estimator": args.tau_estimator, "q": args.quantile},
            "thresholded": overall(thresholded)[
                ["estimate", "ci_low", "ci_high", "p", "n_determined", "undetermined_share"]
            ].to_dict(),
            "sign_test_verdicts": signs["verdict"].value_counts().to_dict(),
            "seconds": round(time.time() - t0),
        }
    )
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=float))
    print(f"\nwrote {out}/summary.json and figures a-d (PNG + SVG)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
