"""Data-parallel scaling: N processes of 1 thread (torchrun, gloo) against 1 process of 1 thread.

Full PLL of the first N CrowS-Pairs pairs with a random-weights BERT (a benchmark control built
from a config; speed does not depend on the weights), CPU. Prints the scoring wall time of each
run (from a barrier before ``score_pairs`` to its return on every rank), the ratio (goal ≥ 1.8×
for 2 processes on 2 cores: the scaling a multi-GPU user gets), and the time the score cache's
writes took under 1 and N ranks (each rank writes through SQLite's locking).

    python benchmarks/bench_distributed.py [--pairs 60] [--layers 4] [--hidden 256] [--ranks 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def model(layers: int, hidden: int):
    import torch
    from transformers import BertConfig, BertForMaskedLM

    from trustkit.models import bert_uncased_tokenizer

    tokenizer = bert_uncased_tokenizer()
    tokenizer.model_max_length = 512
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=max(1, hidden // 64),
        intermediate_size=4 * hidden,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    return BertForMaskedLM(config).eval(), tokenizer


def worker(args) -> None:
    """One rank (or the single process): score, time, print JSON from rank 0."""
    import torch

    from trustkit.data import load_pairs
    from trustkit.scoring import MaskedLMScorer, ScoreCache
    from trustkit.scoring.distributed import joined_process_group

    torch.set_num_threads(1)
    pairs = load_pairs("crows_pairs").head(args.pairs)
    with joined_process_group("cpu") as (rank, size, _device):
        net, tokenizer = model(args.layers, args.hidden)
        cache = ScoreCache(args.cache) if args.cache else False
        scorer = MaskedLMScorer(net, tokenizer, cache=cache, progress=False, model_id="bench-distributed")
        if size > 1:
            torch.distributed.barrier()
        start = time.perf_counter()
        scorer.score_pairs(pairs, "pll")
        seconds = time.perf_counter() - start
        writes = [scorer.timings.get("cache_write", 0.0)]
        if size > 1:
            gathered = [None] * size
            torch.distributed.all_gather_object(gathered, writes[0])
            writes = gathered
        if rank == 0:
            print(
                json.dumps(
                    {
                        "seconds": seconds,
                        "ranks": size,
                        "rows": scorer.stats["rows_computed"],
                        "cache_write_s": writes,
                    }
                ),
                flush=True,
            )


def launch(args, ranks: int, cache: str | None) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false")
    own = [
        __file__,
        "--worker",
        "--pairs",
        str(args.pairs),
        "--layers",
        str(args.layers),
        "--hidden",
        str(args.hidden),
    ] + (["--cache", cache] if cache else [])
    cmd = (
        [sys.executable]
        + (
            ["-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(ranks)]
            if ranks > 1
            else []
        )
        + own
    )
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode:
        raise RuntimeError(f"{ranks} rank(s) failed:\n{out.stderr[-3000:]}")
    result = json.loads([line for line in out.stdout.splitlines() if line.startswith("{")][-1])
    result["end_to_end_s"] = time.perf_counter() - start
    return result


def main(argv=None) -> dict:
    """Run 1 process, then N ranks, without and with the cache; print the figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pairs", type=int, default=60)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--ranks", type=int, default=2)
    p.add_argument("--gpu", action="store_true", help="accepted for run_all.py; this benchmark is CPU")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--cache", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker(args)
        return {}
    print(
        f"full PLL, first {args.pairs} CrowS-Pairs pairs, random BERT {args.layers} layers × "
        f"{args.hidden}, CPU, 1 thread per process (load {os.getloadavg()[0]:.2f})",
        flush=True,
    )
    one = launch(args, 1, None)
    many = launch(args, args.ranks, None)
    with tempfile.TemporaryDirectory() as tmp:
        one_c = launch(args, 1, os.path.join(tmp, "one.sqlite"))
        many_c = launch(args, args.ranks, os.path.join(tmp, "many.sqlite"))
    ratio = one["seconds"] / many["seconds"]
    print(
        f"  1 process:  {one['seconds']:.2f} s scoring ({one['end_to_end_s']:.1f} s with start-up), "
        f"{one['rows']} rows"
    )
    print(
        f"  {args.ranks} ranks:    {many['seconds']:.2f} s scoring ({many['end_to_end_s']:.1f} s with start-up)"
    )
    print(
        f"  speed-up {ratio:.2f}x (goal >= 1.8x for 2 ranks on 2 free cores; load after "
        f"{os.getloadavg()[0]:.2f})"
    )
    print(
        f"  cache writes (SQLite locking, each rank commits its batches): 1 process "
        f"{sum(one_c['cache_write_s']):.3f} s; {args.ranks} ranks "
        f"{', '.join(format(x, '.3f') for x in many_c['cache_write_s'])} s per rank "
        f"(scoring {one_c['seconds']:.2f} s vs {many_c['seconds']:.2f} s)"
    )
    return {"one": one, "many": many, "ratio": ratio, "cache_one": one_c, "cache_many": many_c}


if __name__ == "__main__":
    main()
