"""Full-corpus run of the research-landscape study (ACL Anthology 2016-2024), timed per stage.

Usage: python benchmarks/landscape_full.py [--out DIR] [--profile offline] [--resolutions 0.5 1 2]
Prints the findings (communities, the privacy-vs-fairness test, TrustNLP AUC with CI) and the
wall time against the 10-minute budget; writes tables and figures to DIR.
"""

from __future__ import annotations

import argparse
import os
import time

from trustkit.landscape import (
    landscape_params,
    louvain_runs,
    privacy_fairness_separation,
    run_landscape,
    trustworthy_communities,
)
from trustkit.paths import cache_dir

BUDGET_S = 600.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None, help="output folder (default: cache/landscape_full)")
    parser.add_argument("--profile", default="offline")
    parser.add_argument(
        "--resolutions",
        type=float,
        nargs="*",
        default=[],
        help="also re-run Louvain at these resolutions (sensitivity of the claim)",
    )
    args = parser.parse_args()

    params = landscape_params(args.profile)
    load = os.getloadavg()
    t0 = time.perf_counter()
    result = run_landscape(params)
    wall = time.perf_counter() - t0
    out = args.out or cache_dir("landscape_full", args.profile)
    written = result.save(out)

    print(result.summary())
    print("\nCommunities (top words):")
    for _, row in result.communities[result.communities["n_words"] >= 10].iterrows():
        tag = f"  <- {row['trustworthy']}" if row["trustworthy"] else ""
        print(f"  {row['community']:>3} ({row['n_words']} words): {row['top_words']}{tag}")
    print("\nWhere TrustNLP papers fall (dominant community shares, relevance lift):")
    print(result.placement.head(8).to_string(index=False))
    print("\nTimings (s):")
    print(result.timings.to_string(index=False))
    print(
        f"\nwall {wall:.1f} s for the whole study (budget {BUDGET_S:.0f} s: "
        f"{'within' if wall <= BUDGET_S else 'OVER'}); cores {os.cpu_count()}, "
        f"load average at start {load[0]:.2f}; {len(written)} files in {out}"
    )

    for resolution in args.resolutions:
        t = time.perf_counter()
        runs = louvain_runs(result.graph, seeds=range(params.stability_seeds), resolution=resolution)
        sep = privacy_fairness_separation(runs)
        tw = trustworthy_communities(runs[0], params.seed_terms)
        where = ", ".join(f"{c}={k}" for c, k in zip(tw["concept"], tw["community"]))
        print(
            f"resolution {resolution}: {runs[0].nunique()} communities; separated in "
            f"{int(sep['separated'].fillna(False).astype(bool).sum())}/{len(sep)} seeds; "
            f"seed 0: {where} ({time.perf_counter() - t:.1f} s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
