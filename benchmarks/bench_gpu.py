"""GPU benchmark: fp32 against the default (guarded bf16) per model shape, with peers on the same GPU.

Full CrowS-Pairs (or ``--pairs N``), random weights at the real shapes of BERT-base,
RoBERTa-large, ALBERT-xxlarge (``pll``) and SmolLM2-135M (causal ``ll``); speed does not depend
on the weights. Every model uses BERT uncased's WordPiece vocabulary (30,522 entries), so the
LM head of RoBERTa (50,265), ALBERT (30,000) and SmolLM2 (49,152) is slightly off its real size.
Per shape and precision (fp32, the default guarded bf16, unguarded ``bf16-raw``): seconds,
sentences/s, useful TFLOP/s and its share of a bf16 matmul probe, pair decisions that differ
from fp32 (3-decimal rule), peak GPU memory, share of rows in fp32; for BERT-base also minicons'
best batch and a metric.py-style batch-1 loop. Without CUDA it prints "no CUDA device" and
exits 0.

``--quick`` (what ``benchmarks/gpu_check.sh`` runs, under 8 minutes on one H200) checks first that
the default's decisions equal fp32's on CrowS-Pairs for the four shapes (ALBERT-xxlarge on its
first 500 pairs) and exits 1 if any differ; then it times the variants: the default (weights
cast once, batches made ahead), the default without the pipeline, bf16 under autocast, and
unguarded bf16; no peers.

    python benchmarks/bench_gpu.py [--pairs 1508] [--models bert-base,roberta-large] [--quick]
"""

from __future__ import annotations

import argparse
import time

SHAPES = {  # name: (kind, config arguments)
    "bert-base": (
        "bert",
        dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072),
    ),
    "roberta-large": (
        "roberta",
        dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096),
    ),
    "albert-xxlarge": (
        "albert",
        dict(
            hidden_size=4096,
            num_hidden_layers=12,
            num_attention_heads=64,
            intermediate_size=16384,
            embedding_size=128,
        ),
    ),
    "smollm2-135m": (
        "llama",
        dict(
            hidden_size=576,
            num_hidden_layers=30,
            num_attention_heads=9,
            num_key_value_heads=3,
            intermediate_size=1536,
        ),
    ),
}


def build(name: str, tokenizer):
    """A random-weights model of the named shape, fp32, on CUDA."""
    import transformers as tf

    kind, shape = SHAPES[name]
    common = dict(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id, **shape)
    if kind == "llama":
        config = tf.LlamaConfig(
            bos_token_id=tokenizer.cls_token_id, eos_token_id=tokenizer.sep_token_id, **common
        )
        return tf.LlamaForCausalLM(config).cuda().eval()
    config = {"bert": tf.BertConfig, "roberta": tf.RobertaConfig, "albert": tf.AlbertConfig}[kind](
        max_position_embeddings=514, **common
    )
    model_class = {
        "bert": tf.BertForMaskedLM,
        "roberta": tf.RobertaForMaskedLM,
        "albert": tf.AlbertForMaskedLM,
    }
    return model_class[kind](config).cuda().eval()


def matmul_probe() -> float:
    """Best bf16 matmul FLOP/s on an 8192 × 8192 × 8192 product."""
    import torch

    a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    best = 0.0
    for _ in range(5):
        torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(10):
            a @ a
        torch.cuda.synchronize()
        best = max(best, 10 * 2 * 8192**3 / (time.perf_counter() - start))
    return best


def useful_flops(model, tokenizer, pairs, causal: bool) -> float:
    """2 × non-embedding parameters × tokens an exact run needs (no padding): a lower bound.

    PLL runs each sentence of L tokens (specials included) once per scored token, L − 2 times;
    causal LL runs it once, with its prefix token.
    """
    weights = sum(p.numel() for n, p in model.named_parameters() if "embed" not in n)
    tokens = 0
    for sentence in list(pairs["sent_more"]) + list(pairs["sent_less"]):
        n = len(tokenizer(sentence)["input_ids"])
        tokens += (n - 1) if causal else n * (n - 2)
    return 2.0 * weights * tokens


#: --quick: (label, dtype, pipeline) timed after the check; ALBERT-xxlarge on its first 500 pairs
QUICK_VARIANTS = (
    ("no pipeline", None, False),
    ("autocast", "bf16-autocast", None),
    ("raw", "bf16-raw", None),
)
QUICK_PAIRS = {"albert-xxlarge": 500}


def run_one(name, model, tokenizer, pairs, dtype, pipeline=None):
    import torch

    from trustkit.scoring import CausalLMScorer, MaskedLMScorer

    cls = CausalLMScorer if SHAPES[name][0] == "llama" else MaskedLMScorer
    metric = "ll" if cls is CausalLMScorer else "pll"
    scorer = cls(model, tokenizer, dtype=dtype, cache=False, progress=False)
    scorer.pipeline = pipeline
    scorer.score_pairs(pairs.head(8), metric)  # warm-up: kernels, allocator
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    scored = scorer.score_pairs(pairs, metric)
    torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    return scored, seconds, torch.cuda.max_memory_allocated() / 2**30, scorer


def peers(model, tokenizer, pairs) -> list[str]:
    """minicons' best batch and a batch-1 metric.py-style loop, fp32, on the same GPU."""
    import torch

    sents = list(pairs["sent_more"][:150]) + list(pairs["sent_less"][:150])
    lines = []
    try:
        from minicons import scorer as mc
    except ImportError:
        lines.append("minicons: not installed (pip install minicons)")
    else:
        if not hasattr(tokenizer, "batch_encode_plus"):  # minicons 0.3 on transformers 5
            tokenizer.batch_encode_plus = tokenizer.__call__
        lm = mc.MaskedLMScorer(model, "cuda", tokenizer=tokenizer)
        best = 0.0
        for batch in (8, 32, 128):
            torch.cuda.synchronize()
            start = time.perf_counter()
            for i in range(0, len(sents), batch):
                lm.sequence_score(sents[i : i + batch], reduction=lambda x: x.sum(0).item())
            torch.cuda.synchronize()
            best = max(best, len(sents) / (time.perf_counter() - start))
        lines.append(f"minicons best batch: {best:.0f} sentences/s")
    start = time.perf_counter()
    with torch.no_grad():
        for sentence in sents[:40]:
            ids = tokenizer.encode(sentence, return_tensors="pt").cuda()
            for pos in range(1, ids.shape[1] - 1):
                masked = ids.clone()
                masked[0, pos] = tokenizer.mask_token_id
                torch.log_softmax(model(masked).logits[0, pos], dim=-1)[ids[0, pos]].item()
    lines.append(f"batch-1 loop: {40 / (time.perf_counter() - start):.1f} sentences/s")
    return lines


def main(argv=None) -> int:
    import torch

    if not torch.cuda.is_available():
        print("no CUDA device: bench_gpu.py measures GPU scoring only; nothing to do")
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1508)
    parser.add_argument("--models", default=",".join(SHAPES))
    parser.add_argument("--quick", action="store_true", help="decisions check, then the variants' speed")
    args = parser.parse_args(argv)
    if args.quick:
        return quick(args)

    from trustkit.data import load_pairs
    from trustkit.metrics.crows import pair_outcome
    from trustkit.models import load_pretrained, random_control

    tokenizer = load_pretrained(random_control("bert", "tiny", seed=0), random_control=True).tokenizer
    pairs = load_pairs("crows_pairs").head(args.pairs)
    probe = matmul_probe()
    print(f"{torch.cuda.get_device_name()}: bf16 matmul probe {probe / 1e12:.0f} TFLOP/s; {len(pairs)} pairs")
    print(
        "model | precision | s | sentences/s | useful TFLOP/s | % of probe | flips vs fp32 | peak GiB | fp32 rows"
    )
    for name in args.models.split(","):
        model = build(name, tokenizer)
        work = useful_flops(model, tokenizer, pairs, SHAPES[name][0] == "llama")
        reference = None
        for dtype in ("fp32", None, "bf16-raw"):  # fp32, the default (guarded bf16), unguarded bf16
            scored, seconds, peak, scorer = run_one(name, model, tokenizer, pairs, dtype)
            flops = work / seconds
            flips = 0 if reference is None else int((pair_outcome(scored) != pair_outcome(reference)).sum())
            reference = scored if reference is None else reference
            share = (scored["precision"] == "fp32").mean() if "precision" in scored else 1.0
            print(
                f"{name} | {scorer.precision.name} | {seconds:.2f} | {2 * len(pairs) / seconds:.0f} | "
                f"{flops / 1e12:.1f} | {100 * flops / probe:.0f}% | {flips} | {peak:.1f} | {100 * share:.0f}%"
            )
        if name == "bert-base":
            print("\n".join(f"bert-base peers: {line}" for line in peers(model, tokenizer, pairs)))
        del model
        torch.cuda.empty_cache()
    return 0


def row(name, label, scored, seconds, peak, work, probe, reference) -> str:
    """One line of the table: seconds, sentences/s, TFLOP/s, share of the probe, flips, memory."""
    from trustkit.metrics.crows import pair_outcome

    flops = work / seconds
    flips = int((pair_outcome(scored) != pair_outcome(reference)).sum())
    share = (scored["precision"] == "fp32").mean() if "precision" in scored else 1.0
    return (
        f"{name} | {label} | {seconds:.2f} | {2 * len(scored) / seconds:.0f} | {flops / 1e12:.1f} | "
        f"{100 * flops / probe:.0f}% | {flips} | {peak:.1f} | {100 * share:.0f}%"
    )


def quick(args) -> int:
    """Decisions of the default equal fp32's for every shape (exit 1 otherwise), then speed."""
    import torch

    from trustkit.data import load_pairs
    from trustkit.metrics.crows import pair_outcome
    from trustkit.models import load_pretrained, random_control

    tokenizer = load_pretrained(random_control("bert", "tiny", seed=0), random_control=True).tokenizer
    every = load_pairs("crows_pairs").head(args.pairs)
    names, failed, kept = args.models.split(","), [], {}
    for name in names:  # 1. correctness first
        torch.manual_seed(0)
        model, pairs = build(name, tokenizer), every.head(QUICK_PAIRS.get(name, len(every)))
        fp32 = run_one(name, model, tokenizer, pairs, "fp32")
        default = run_one(name, model, tokenizer, pairs, None)
        flips = int((pair_outcome(default[0]) != pair_outcome(fp32[0])).sum())
        report = default[3].precision_report
        print(
            f"CHECK {name}: {len(pairs)} pairs, default ({default[3].precision.name}) vs fp32: "
            f"{flips} decision(s) differ, {report['rescored']} re-scored, overflow {report['overflow']}, "
            f"fallback {report['fallback']}: {'OK' if flips == 0 else 'FAIL'}",
            flush=True,
        )
        failed += [name] if flips else []
        kept[name] = (model, pairs, fp32, default)
    probe = matmul_probe()  # 2. speed
    print(f"{torch.cuda.get_device_name()}: bf16 matmul probe {probe / 1e12:.0f} TFLOP/s")
    print(
        "model | variant | s | sentences/s | useful TFLOP/s | % of probe | flips vs fp32 | peak GiB | fp32 rows"
    )
    for name, (model, pairs, fp32, default) in kept.items():
        work = useful_flops(model, tokenizer, pairs, SHAPES[name][0] == "llama")
        print(row(name, "fp32", *fp32[:3], work, probe, fp32[0]))
        print(row(name, "default", *default[:3], work, probe, fp32[0]), flush=True)
        for label, dtype, pipeline in QUICK_VARIANTS:
            out = run_one(name, model, tokenizer, pairs, dtype, pipeline)
            print(row(name, label, *out[:3], work, probe, fp32[0]), flush=True)
    print(f"decisions check: {'FAIL on ' + ', '.join(failed) if failed else 'OK on ' + ', '.join(names)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
