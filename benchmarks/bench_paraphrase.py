"""Paraphrase backends on real CrowS-Pairs pairs: yield, similarity, diversity and speed.

For each offline backend: share of pairs with at least one kept pair-consistent paraphrase,
mean similarity and diversity of kept paraphrases, sentences/s, and examples kept and rejected.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings


def _examples(result, k: int = 3) -> tuple[list[dict], list[dict]]:
    from trustkit.paraphrase import to_pair_table

    wide = to_pair_table(result.table)
    original = wide[wide.para_index == 0].set_index("pair_id")
    kept = wide[wide.para_index > 0].copy()
    more_rows = result.table[(result.table.para_index > 0) & (result.table.more_or_less == "more")]
    kept = kept.merge(
        more_rows[["pair_id", "para_index", "similarity", "diversity"]], on=["pair_id", "para_index"]
    )
    # "good": a seeded random draw among the kept ones (representative, not cherry-picked)
    good = kept.sample(n=min(k, len(kept)), random_state=0).sort_values(["pair_id", "para_index"])
    good_rows = [
        {
            "source_more": original.loc[r.pair_id, "sent_more"],
            "source_less": original.loc[r.pair_id, "sent_less"],
            "para_more": r.sent_more,
            "para_less": r.sent_less,
            "similarity": round(r.similarity, 3),
            "diversity": round(r.diversity, 3),
        }
        for r in good.itertuples()
    ]
    rejected = result.rejected[result.rejected.candidate.notna()]
    kinds = rejected.reason.str.replace(r"'[^']*'|\"[^\"]*\"|\d+(\.\d+)?", "", regex=True)
    picked = rejected.loc[kinds.drop_duplicates().index].head(k)
    bad_rows = [
        {"source": r.source, "candidate": r.candidate, "reason": r.reason} for r in picked.itertuples()
    ]
    return good_rows, bad_rows


def run_backend(name: str, pairs, n: int, seed: int, scorer, save_dir: str | None = None) -> dict:
    from trustkit.paraphrase import make_paraphraser, paraphrase_pairs

    start = time.perf_counter()
    paraphraser = make_paraphraser(name, use_cache=False)
    load_s = time.perf_counter() - start
    sources = pairs.sent_more.tolist()
    start = time.perf_counter()
    generated = paraphraser.generate(sources, n_paraphrases=n, seed=seed)
    generate_s = time.perf_counter() - start

    class _Replay(type(paraphraser)):
        """Hands the timed candidates to the pipeline so generation is not repeated."""

    replay = object.__new__(_Replay)
    replay.__dict__.update(paraphraser.__dict__)
    lookup = dict(zip(sources, generated))
    replay._generate_batch = lambda sentences, n, seed: [lookup[s] for s in sentences]
    start = time.perf_counter()
    result = paraphrase_pairs(
        pairs, replay, n_paraphrases=n, seed=seed, mode="consistent", scorer=scorer, progress=False
    )
    filter_s = time.perf_counter() - start
    summary = result.summary()
    good, bad = _examples(result)
    if save_dir:
        from pathlib import Path

        from trustkit.paraphrase import save_paraphrases

        save_paraphrases(
            result.table,
            result.rejected,
            Path(save_dir) / f"crows_{name}_n{n}_seed{seed}.parquet",
            result.settings,
        )
    return {
        "backend": paraphraser.backend_id,
        "pairs": len(pairs),
        "n": n,
        "seed": seed,
        "yield": round(summary["yield"], 4),
        "kept_paraphrase_pairs": summary["kept_paraphrase_pairs"],
        "candidates": sum(len(c) for c in generated),
        "mean_similarity": round(summary["mean_similarity"], 4),
        "mean_diversity": round(summary["mean_diversity"], 4),
        "load_s": round(load_s, 1),
        "generate_s": round(generate_s, 1),
        "sentences_per_s": round(len(sources) / generate_s, 3),
        "filter_and_rewrite_s": round(filter_s, 1),
        "rejected_by_kind": summary["rejected_by_kind"],
        "good_examples": good,
        "rejected_examples": bad,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=200, help="first N CrowS-Pairs pairs (default 200)")
    parser.add_argument(
        "--llm-pairs", type=int, default=None, help="fewer pairs for the LLM (default --pairs)"
    )
    parser.add_argument("--backends", nargs="+", default=["backtranslation", "llm"])
    parser.add_argument("--n", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    parser.add_argument("--json", default=None, help="also write the results to this JSON file")
    parser.add_argument("--save-dir", default=None, help="also write each backend's tables (parquet) here")
    args = parser.parse_args(argv)

    import torch

    from trustkit.data import load_pairs
    from trustkit.paraphrase import SimilarityScorer

    warnings.simplefilter("ignore")
    if args.threads:
        torch.set_num_threads(args.threads)
    crows = load_pairs("crows_pairs")
    scorer = SimilarityScorer()
    results = []
    for name in args.backends:
        count = args.llm_pairs if name == "llm" and args.llm_pairs else args.pairs
        results.append(run_backend(name, crows.head(count), args.n, args.seed, scorer, args.save_dir))
        print(json.dumps(results[-1], indent=2, ensure_ascii=False), flush=True)
    report = {
        "machine": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "cpu": platform.processor() or platform.machine(),
        },
        "results": results,
    }
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2, ensure_ascii=False)
    print("\nbackend          pairs  yield  mean_sim  mean_div  sentences/s")
    for r in results:
        print(
            f"{r['backend'].split(':')[0]:<16} {r['pairs']:>5}  {r['yield']:.3f}  {r['mean_similarity']:.3f}"
            f"     {r['mean_diversity']:.3f}     {r['sentences_per_s']:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
