"""Benchmark of full PLL scoring: trustkit vs minicons (its best batch) vs a batch-1 metric.py-style loop.

Same first N CrowS-Pairs pairs (both sentences), the random-weights BERT-base architecture
(speed does not depend on the weights), CPU, fixed threads, fp32. Each runner runs in its own
subprocess so that its peak RSS is its own. Prints sentences/s, ratios, useful GFLOP/s against a
matmul-peak probe, peak RSS and the largest score difference. With a GPU (``--gpu``) it also
times all 1,508 pairs in bf16 against a bf16 matmul probe.

    python benchmarks/bench_scoring.py [--pairs 100] [--threads 2] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

# BERT-base: per token and layer, QKV + output (4·768²) and the FFN (2·768·3072) multiply-adds.
HIDDEN, LAYERS, FFN, VOCAB = 768, 12, 3072, 30522
DENSE_FLOPS_PER_TOKEN = 2 * LAYERS * (4 * HIDDEN * HIDDEN + 2 * HIDDEN * FFN)
HEAD_FLOPS_PER_SCORED = 2 * (HIDDEN * HIDDEN + HIDDEN * VOCAB)


def useful_flops(row_lengths: list[int]) -> float:
    """FLOPs of an exact PLL run with no padding: each masked copy through every layer but the
    last at all positions (dense products and attention); in the last layer keys and values at
    all positions, everything else at the masked one only; the LM head at the masked one.

    Counting the cheaper last layer keeps the % of peak honest for trustkit, which skips the rest.
    """
    per_layer = DENSE_FLOPS_PER_TOKEN // LAYERS
    kv = 2 * 2 * HIDDEN * HIDDEN
    total = 0.0
    for n in row_lengths:
        total += (LAYERS - 1) * (per_layer * n + 4 * n * n * HIDDEN)
        total += kv * n + (per_layer - kv) + 4 * n * HIDDEN  # last layer, one query position
    return total + HEAD_FLOPS_PER_SCORED * len(row_lengths)


def sentences(n_pairs: int) -> list[str]:
    from trustkit.data import load_pairs

    pairs = load_pairs("crows_pairs").head(n_pairs)
    return list(pairs["sent_more"]) + list(pairs["sent_less"])


def control_dir() -> str:
    from trustkit.models import random_control

    return str(random_control("bert", "base", seed=0))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


# --- runners (each in its own process) ------------------------------------------------------


def run_trustkit(sents, batch, device="cpu", dtype=None):
    from trustkit.scoring import load_scorer

    scorer = load_scorer(
        control_dir(),
        random_control=True,
        cache=False,
        batch_tokens=batch,
        device=device,
        dtype=dtype,
        progress=False,
    )
    if device != "cpu":  # warm up kernels outside the timed region
        scorer.score_sentences(sents[:8], "pll")
    _sync(device)
    start = time.perf_counter()
    scores = scorer.score_sentences(sents, "pll")
    _sync(device)
    return scores, time.perf_counter() - start


def run_minicons(sents, batch, device="cpu", dtype=None):
    from minicons import scorer as mc

    from trustkit.models import load_pretrained

    lm = load_pretrained(control_dir(), random_control=True)
    tokenizer = lm.tokenizer
    # Shim: minicons 0.3 calls batch_encode_plus, which transformers 5 removed; __call__ does the same.
    if not hasattr(tokenizer, "batch_encode_plus"):
        tokenizer.batch_encode_plus = tokenizer.__call__
    scorer = mc.MaskedLMScorer(lm.model, "cpu", tokenizer=tokenizer)
    start = time.perf_counter()
    scores = []
    for i in range(0, len(sents), batch):
        scores += scorer.sequence_score(sents[i : i + batch], reduction=lambda x: x.sum(0).item())
    return scores, time.perf_counter() - start


def run_loop(sents, batch, device="cpu", dtype=None):
    """metric.py's way: one sentence, one masked position, one full forward at a time."""
    import torch

    from trustkit.models import load_pretrained

    lm = load_pretrained(control_dir(), random_control=True)
    model, tokenizer = lm.model, lm.tokenizer
    log_softmax = torch.nn.LogSoftmax(dim=0)
    start = time.perf_counter()
    scores = []
    with torch.no_grad():
        for sentence in sents:
            ids = tokenizer.encode(sentence, return_tensors="pt")
            total = 0.0
            for pos in range(1, ids.shape[1] - 1):
                masked = ids.clone()
                masked[0, pos] = tokenizer.mask_token_id
                hidden = model(masked)[0].squeeze(0)
                total += log_softmax(hidden[pos])[ids[0, pos]].item()
            scores.append(total)
    return scores, time.perf_counter() - start


def run_matmul(sents, batch, device="cpu", dtype=None):
    """Peak matmul FLOP/s: the FFN-shaped product a BERT-base batch is made of, best of several."""
    import torch

    dt = {"bf16": torch.bfloat16}.get(dtype, torch.float32)
    m = 8192 if device != "cpu" else 2048
    a = torch.randn(m, HIDDEN, device=device, dtype=dt)
    b = torch.randn(HIDDEN, FFN, device=device, dtype=dt)
    reps = 50 if device != "cpu" else 5
    best = 0.0
    for _ in range(6):
        _sync(device)
        start = time.perf_counter()
        for _ in range(reps):
            a @ b
        _sync(device)
        best = max(best, reps * 2 * m * HIDDEN * FFN / (time.perf_counter() - start))
    return [best], 0.0


def _sync(device):
    if device != "cpu":
        import torch

        torch.cuda.synchronize()


RUNNERS = {"trustkit": run_trustkit, "minicons": run_minicons, "loop": run_loop, "matmul": run_matmul}


def worker(args) -> None:
    import torch

    torch.set_num_threads(args.threads)
    sents = sentences(args.pairs)
    scores, seconds = RUNNERS[args.worker](sents, args.batch, args.device, args.dtype)
    print(json.dumps({"scores": scores, "seconds": seconds, "rss_mb": _peak_rss_mb(), "n": len(sents)}))


# --- driver -------------------------------------------------------------------------------


def spawn(name, pairs, batch, threads, device="cpu", dtype=None) -> dict:
    """Run one runner in a fresh interpreter and return its JSON result."""
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        name,
        "--pairs",
        str(pairs),
        "--batch",
        str(batch),
        "--threads",
        str(threads),
        "--device",
        device,
    ] + (["--dtype", dtype] if dtype else [])
    env = dict(
        os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads), TOKENIZERS_PARALLELISM="false"
    )
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode:
        raise RuntimeError(f"{name} (batch {batch}) failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def row_lengths(n_pairs: int) -> list[int]:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(control_dir())
    lengths = []
    for s in sentences(n_pairs):
        n = len(tokenizer(s)["input_ids"])
        lengths += [n] * (n - 2)  # one masked copy per non-special token
    return lengths


def best_of(name, sweep, pairs, sweep_pairs, threads) -> tuple[int, dict]:
    """Pick the best batch setting on the first ``sweep_pairs`` pairs, then run it on all."""
    rates = {}
    for batch in sweep:
        r = spawn(name, sweep_pairs, batch, threads)
        rates[batch] = r["n"] / r["seconds"]
        print(f"  {name} batch {batch}: {rates[batch]:.2f} sentences/s on {r['n']} sentences", flush=True)
    best = max(rates, key=rates.get)
    return best, spawn(name, pairs, best, threads)


def main(argv=None) -> dict:
    """Run the CPU benchmark (and the GPU one with ``--gpu``); print and return the figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pairs", type=int, default=100)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--sweep-pairs", type=int, default=10, help="pairs used to pick each tool's best batch")
    p.add_argument("--loop-pairs", type=int, default=None, help="pairs for the slow loop (default: --pairs)")
    p.add_argument("--gpu", action="store_true", help="also time all 1,508 pairs in bf16 on CUDA")
    p.add_argument("--json", help="also write the figures to this file")
    p.add_argument("--worker", choices=sorted(RUNNERS), help=argparse.SUPPRESS)
    p.add_argument("--batch", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--device", default="cpu", help=argparse.SUPPRESS)
    p.add_argument("--dtype", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker(args)
        return {}

    control_dir()  # build the control once, outside the timed workers
    print(
        f"full PLL, first {args.pairs} CrowS-Pairs pairs, random BERT-base, CPU {args.threads} threads, fp32",
        flush=True,
    )
    peak = spawn("matmul", 1, 0, args.threads)["scores"][0]
    print(f"  matmul peak probe: {peak / 1e9:.1f} GFLOP/s", flush=True)
    # Larger budgets were not faster on 2 cores (the activations fall out of cache) and cost memory.
    tk_batch, tk = best_of("trustkit", (1024, 2048, 4096), args.pairs, args.sweep_pairs, args.threads)
    mc_batch, mc = best_of("minicons", (1, 2, 4, 8), args.pairs, args.sweep_pairs, args.threads)
    loop_pairs = args.loop_pairs or args.pairs
    loop = spawn("loop", loop_pairs, 1, args.threads)
    peak_after = spawn("matmul", 1, 0, args.threads)["scores"][0]
    print(f"  matmul peak probe (after): {peak_after / 1e9:.1f} GFLOP/s", flush=True)
    peak = max(peak, peak_after)

    flops = useful_flops(row_lengths(args.pairs))
    loop_flops = useful_flops(row_lengths(loop_pairs))
    results = {}
    for name, r, batch, f in (
        ("trustkit", tk, f"{tk_batch} tokens", flops),
        ("minicons", mc, f"{mc_batch} sentences", flops),
        ("metric.py-style loop", loop, "1", loop_flops),
    ):
        results[name] = {
            "batch": batch,
            "sentences": r["n"],
            "seconds": r["seconds"],
            "sentences_per_s": r["n"] / r["seconds"],
            "gflops": f / r["seconds"] / 1e9,
            "peak_fraction": f / r["seconds"] / peak,
            "rss_mb": r["rss_mb"],
        }
    n_loop = loop["n"] // 2

    def both(s, n):  # first n pairs: more, then less
        return s[:n] + s[len(s) // 2 : len(s) // 2 + n]

    diff_mc = max(abs(a - b) for a, b in zip(tk["scores"], mc["scores"]))
    diff_loop = max(abs(a - b) for a, b in zip(both(tk["scores"], n_loop), loop["scores"]))
    t = results["trustkit"]
    summary = {
        "matmul_peak_gflops": peak / 1e9,
        "results": results,
        "speedup_vs_minicons": t["sentences_per_s"] / results["minicons"]["sentences_per_s"],
        "speedup_vs_loop": t["sentences_per_s"] / results["metric.py-style loop"]["sentences_per_s"],
        "max_abs_diff_vs_minicons": diff_mc,
        "max_abs_diff_vs_loop": diff_loop,
    }
    print(
        f"\n{'runner':22} {'batch':>14} {'sent':>5} {'seconds':>8} {'sent/s':>7} {'GFLOP/s':>8} "
        f"{'% peak':>7} {'RSS MB':>7}"
    )
    for name, r in results.items():
        print(
            f"{name:22} {r['batch']:>14} {r['sentences']:>5} {r['seconds']:>8.1f} "
            f"{r['sentences_per_s']:>7.2f} {r['gflops']:>8.1f} {100 * r['peak_fraction']:>6.1f}% "
            f"{r['rss_mb']:>7.0f}"
        )
    print(f"\ntrustkit / minicons best: {summary['speedup_vs_minicons']:.2f}x (target >= 1.4x)")
    print(f"trustkit / batch-1 loop:  {summary['speedup_vs_loop']:.2f}x (target >= 3x)")
    print(f"trustkit useful FLOP/s:   {100 * t['peak_fraction']:.1f}% of matmul peak (target >= 80%)")
    print(f"trustkit peak RSS:        {t['rss_mb']:.0f} MB (target <= 1200 MB)")
    print(f"largest |score difference|: vs minicons {diff_mc:.2e}, vs loop {diff_loop:.2e} nats")

    if args.gpu:
        summary["gpu"] = gpu_benchmark()
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(summary, fh, indent=1)
    return summary


def gpu_benchmark() -> dict:
    """All 1,508 pairs, full PLL, bf16 autocast on CUDA: seconds, sentences/s, fraction of bf16 peak."""
    import torch

    if not torch.cuda.is_available():
        print("\nGPU: no CUDA device here; skipped")
        return {}
    peak = spawn("matmul", 1, 0, 8, device="cuda", dtype="bf16")["scores"][0]
    run = spawn("trustkit", 1508, 262144, 8, device="cuda", dtype="bf16")
    flops = useful_flops(row_lengths(1508))
    figures = {
        "seconds": run["seconds"],
        "sentences_per_s": run["n"] / run["seconds"],
        "bf16_matmul_peak_tflops": peak / 1e12,
        "peak_fraction": flops / run["seconds"] / peak,
    }
    print(
        f"\nGPU {torch.cuda.get_device_name()}: 1,508 pairs ({run['n']} sentences) in "
        f"{run['seconds']:.2f} s = {figures['sentences_per_s']:.0f} sentences/s, "
        f"{100 * figures['peak_fraction']:.0f}% of bf16 matmul peak {peak / 1e12:.0f} TFLOP/s "
        "(goals: <= 5 s, >= 40%)"
    )
    return figures


if __name__ == "__main__":
    main()
