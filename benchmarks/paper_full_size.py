"""Full-size check of the paper's hub models: replicas at the real sizes load by hub id and score 2 pairs.

The replicas (``tests/hub_replicas.py`` with ``full=True``) have the real repositories' layers,
widths and heads (random weights; tiny tokenizers, so small vocabularies), written into a
throw-away ``HF_HOME``. Each masked LM scores 2 CrowS-Pairs pairs with PLL by its hub id; the
Parrot T5 (only ``pytorch_model.bin``) is converted from its pickle and paraphrases 2 sentences.
Needs ~4 GB of disk and, on CPU, minutes (albert-xxlarge-v2 dominates).

    python benchmarks/paper_full_size.py [--only bert-base-uncased ...] [--device cuda]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", default=None, help="repo ids (default: all four)")
    parser.add_argument("--device", default=None)
    args = parser.parse_args(argv)
    from hub_replicas import REPLICAS, build_hub

    unknown = sorted(set(args.only or ()) - set(REPLICAS))
    if unknown:
        parser.error(f"no replica for {', '.join(unknown)}; choose from {', '.join(REPLICAS)}")

    home = Path(tempfile.mkdtemp(prefix="hf-full-"))
    os.environ.update({"HF_HOME": str(home), "HF_HUB_OFFLINE": "1"})
    start = time.perf_counter()
    snapshots = build_hub(home, full=True, only=args.only)
    print(f"built {len(snapshots)} full-size replicas in {time.perf_counter() - start:.1f} s under {home}")
    from trustkit import data
    from trustkit.paraphrase import Seq2SeqParaphraser
    from trustkit.scoring import load_scorer

    pairs = data.load_pairs("crows_pairs", errors="drop").head(2)
    for repo in snapshots:
        start = time.perf_counter()
        if repo.endswith("T5"):
            paraphraser = Seq2SeqParaphraser(repo, device=args.device)
            loaded = time.perf_counter() - start
            out = paraphraser.generate(list(pairs["sent_more"]), n_paraphrases=2, seed=0, progress=False)
            print(
                f"{repo}: {paraphraser.backend_id.split(':')[1]} loaded in {loaded:.1f} s, "
                f"{sum(map(len, out))} paraphrases in {time.perf_counter() - start - loaded:.1f} s"
            )
            continue
        scorer = load_scorer(repo, device=args.device, cache=False, progress=False)
        loaded = time.perf_counter() - start
        scored = scorer.score_pairs(pairs, "pll")
        params = sum(p.numel() for p in scorer.model.parameters()) / 1e6
        print(
            f"{repo}@{scorer.provenance['revision'][:12]}: {params:.0f}M parameters, loaded in {loaded:.1f} s, "
            f"2 pairs scored in {time.perf_counter() - start - loaded:.1f} s, delta {scored['delta'].round(2).tolist()}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
