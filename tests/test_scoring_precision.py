"""Reduced precision with the fp32 guard: bf16 really runs, and every decision equals fp32's."""

import copy
import json
import math
from functools import partial

import numpy as np
import pandas as pd
import pytest
import reference_scorer as ref
import tolerances
import torch

import trustkit.scoring.precision as precision_module
from trustkit.cli import main
from trustkit.data import load_pairs, load_stereoset
from trustkit.metrics import score_stereoset_original
from trustkit.metrics.crows import crows_pairs_score, pair_outcome
from trustkit.models import random_control
from trustkit.scoring import CausalLMScorer, MaskedLMScorer, ScoreCache
from trustkit.scoring.precision import (
    ErrorBound,
    Precision,
    PrecisionGuardWarning,
    parse_precision,
    unsafe_items,
)
from trustkit.scoring.results import ItemScore

# fp32 re-scores run in other batches than a plain fp32 run: last digits move.
TOL = tolerances.BATCH_SHAPES
N_PAIRS = 8


@pytest.fixture(autouse=True)
def small_calibration(monkeypatch):
    """Calibrate on 4 items (16 in real runs), so that a few pairs leave some in bf16."""
    monkeypatch.setattr(precision_module, "CALIBRATION_MIN", 4)


@pytest.fixture(scope="module")
def pairs():
    return load_pairs("crows_pairs").head(N_PAIRS)


@pytest.fixture(scope="module")
def bert():
    return ref.tiny_masked_lm("bert")


@pytest.fixture(scope="module")
def gpt2():
    return ref.tiny_causal_lm("gpt2")


def scorer(cls, lm, dtype=None, **kw):
    model, tokenizer = lm
    return cls(model, tokenizer, cache=False, progress=False, batch_tokens=256, dtype=dtype, **kw)


def test_parse_precision_names_and_defaults():
    assert parse_precision(None, "cpu") == Precision(None)  # CPU default unchanged: plain fp32
    assert parse_precision(None, "cuda") == Precision(torch.bfloat16, guard=True)
    assert parse_precision("fp16", "cpu") == Precision(torch.float16, guard=True)
    assert parse_precision("bf16-raw", "cuda") == Precision(torch.bfloat16, guard=False)
    assert parse_precision(torch.float32, "cuda").name == "fp32"
    assert not parse_precision("fp32", "cuda").guarded
    with pytest.raises(ValueError, match="unknown dtype 'fp32-raw'"):
        parse_precision("fp32-raw", "cpu")


def test_cpu_default_keeps_the_fp32_cache_key(bert):
    plain = scorer(MaskedLMScorer, bert)
    assert plain.dtype is None and plain.precision.name == "fp32"
    ident = plain.identity()
    assert ident["dtype"] == "torch.float32" and "precision" not in ident  # keys of earlier runs stay valid
    guarded = scorer(MaskedLMScorer, bert, dtype="bf16")
    assert guarded.identity()["dtype"] == "torch.bfloat16"


def test_unsafe_items_rounding_rule():
    def v(x):
        return ItemScore([x], [[]], [[]], [[]])

    values = {0: v(-1.0004), 1: v(-1.0016), 2: v(-2.0)}
    tight = {0: [0.0], 1: [0.0], 2: [0.0]}
    # 1.2e-3 apart: beyond the 3-decimal margin, so safe with exact scores ...
    assert unsafe_items([(0, 1)], values, tight, 1e-3) == set()
    # ... but not with bounds of 2e-4 each (the fp32 values could round to the same 3 decimals)
    assert unsafe_items([(0, 1)], values, {0: [2e-4], 1: [2e-4], 2: [0]}, 1e-3) == {0, 1}
    # raw-float rule: only the bounds matter; a group of three is unsafe if any two are close
    assert unsafe_items([(0, 1, 2)], values, {0: [7e-4], 1: [7e-4], 2: [0]}, 0.0) == {0, 1, 2}
    assert unsafe_items([(0, 1, 2)], values, {0: [5e-4], 1: [5e-4], 2: [0]}, 0.0) == set()
    nan = {0: v(float("nan")), 1: v(-1.0)}
    assert unsafe_items([(0, 1)], nan, {0: [math.inf], 1: [0.0]}, 0.0) == {0, 1}


def test_error_bound_scales_with_the_tokens_counted():
    bound = ErrorBound("sum", rate=0.01, n_calibration=16)
    assert bound.bound(-30.0, 20) == pytest.approx(2 * bound.bound(-15.0, 10))
    assert ErrorBound("mean", rate=0.01, n_calibration=16).bound(-3.0, 50) == pytest.approx(0.04)
    assert ErrorBound("sum", rate=0.0, n_calibration=16).bound(-3.0, 10) > 0  # the floor


def check_equal_decisions(fp32, raw, guarded, label="bf16"):
    """bf16 really ran (raw scores differ), and the guarded table decides every pair as fp32 does."""
    assert (raw["score_more"] - fp32["score_more"]).abs().max() > 1e-5
    assert "precision" not in fp32.columns and set(guarded["precision"]) <= {label, "fp32"}
    assert (pair_outcome(guarded) == pair_outcome(fp32)).all()
    pd.testing.assert_frame_equal(crows_pairs_score(guarded), crows_pairs_score(fp32))
    exact = guarded["precision"] == "fp32"
    for col in ("score_more", "score_less"):
        assert np.allclose(guarded.loc[exact, col], fp32.loc[exact, col], atol=TOL, rtol=0)
    report = guarded.attrs["precision"]
    assert report["guard"] and not report["fallback"] and report["worst_ratio"] <= 1.0
    assert report["calibration"] >= 1 and report["audit"] >= 1
    return report


@pytest.mark.parametrize(
    "metric,dtype",
    [(m, "bf16") for m in ("crows", "pll", "pll_word_l2r", "aul", "aula")]
    + [("crows", "fp16"), ("pll", "bf16-autocast")],
)
def test_masked_guard_decides_as_fp32(bert, pairs, metric, dtype):
    fp32 = scorer(MaskedLMScorer, bert).score_pairs(pairs, metric)
    label = dtype.removesuffix("-autocast")
    raw = scorer(MaskedLMScorer, bert, dtype.replace(label, f"{label}-raw")).score_pairs(pairs, metric)
    guarded = scorer(MaskedLMScorer, bert, dtype).score_pairs(pairs, metric)
    assert set(raw["precision"]) == {label} and raw.attrs["precision"]["guard"] is False
    check_equal_decisions(fp32, raw, guarded, label)


def weight_dtypes(model, run) -> list[torch.dtype]:
    """The dtypes of one attention projection's weight and output at each call while ``run()`` runs."""
    seen = []
    hook = model.bert.encoder.layer[0].attention.self.query.register_forward_hook(
        lambda module, args, out: seen.append((module.weight.dtype, out.dtype))
    )
    try:
        run()
    finally:
        hook.remove()
    return sorted(set(seen), key=str)


def test_reduced_pass_runs_on_weights_cast_once_and_restores_them(bert, pairs):
    model, _ = bert
    before = {name: (p.data_ptr(), p.detach().clone()) for name, p in model.named_parameters()}
    bf16, fp32 = torch.bfloat16, torch.float32
    for dtype, expected in [
        ("bf16-raw", [(bf16, bf16)]),  # the weights themselves are bf16 during the pass
        ("bf16-raw-autocast", [(fp32, bf16)]),  # autocast: fp32 weights, bf16 matmuls
        ("bf16", [(bf16, bf16), (fp32, fp32)]),  # guarded: reduced pass, then fp32 re-scores
    ]:
        run = scorer(MaskedLMScorer, bert, dtype)
        assert weight_dtypes(model, partial(run.score_pairs, pairs, "crows")) == sorted(expected, key=str)
        assert not run.weights_cast
    for name, p in model.named_parameters():  # the very fp32 tensors are back, bit for bit
        assert p.dtype == fp32 and p.data_ptr() == before[name][0] and torch.equal(p, before[name][1])


def test_reduced_passes_never_share_cache_entries(bert, pairs, tmp_path):
    cache = ScoreCache(tmp_path / "s.sqlite")
    model, tokenizer = bert
    kw = {"cache": cache, "progress": False, "batch_tokens": 256}
    MaskedLMScorer(model, tokenizer, dtype="bf16-raw", **kw).score_pairs(pairs, "pll")
    autocast = MaskedLMScorer(model, tokenizer, dtype="bf16-raw-autocast", **kw)
    autocast.score_pairs(pairs, "pll")  # other values: nothing of the cast-weights pass is reused
    assert autocast.stats["items_cached"] == 0


def test_fp16_overflow_is_rescored_in_fp32(bert, pairs):
    model, tokenizer = bert
    model = copy.deepcopy(model)
    sentences = list(pairs["sent_more"]) + list(pairs["sent_less"])
    token = tokenizer("in")["input_ids"][1]
    hit = [token in tokenizer(x)["input_ids"] for x in sentences]
    assert 0 < sum(hit) < len(hit)
    with torch.no_grad():  # untie the head, then make one word's embedding overflow fp16 (> 65,504)
        model.cls.predictions.decoder.weight = torch.nn.Parameter(
            model.cls.predictions.decoder.weight.clone()
        )
        model.bert.embeddings.word_embeddings.weight[token] *= 1e6
    lm = (model, tokenizer)
    fp32 = scorer(MaskedLMScorer, lm).score_pairs(pairs, "crows")
    assert np.isfinite(fp32[["score_more", "score_less"]].to_numpy()).all()  # fp32 is fine
    overflowed = np.array(hit[: len(pairs)]) | np.array(hit[len(pairs) :])
    for dtype in ("fp16", "fp16-raw"):
        table = scorer(MaskedLMScorer, lm, dtype).score_pairs(pairs, "crows")
        assert table.attrs["precision"]["overflow"] == overflowed.sum()
        assert (table.loc[overflowed, "precision"] == "fp32").all()
        cols, exact = ["score_more", "score_less"], table["precision"] == "fp32"
        assert np.isfinite(table[cols].to_numpy()).all()
        assert np.allclose(table.loc[exact, cols], fp32.loc[exact, cols], atol=TOL, rtol=0)
        assert dtype == "fp16-raw" or (pair_outcome(table) == pair_outcome(fp32)).all()


@pytest.mark.parametrize("metric", ["ll", "ll_shared"])
def test_causal_guard_decides_as_fp32(gpt2, pairs, metric):
    fp32 = scorer(CausalLMScorer, gpt2).score_pairs(pairs, metric)
    raw = scorer(CausalLMScorer, gpt2, "bf16-raw").score_pairs(pairs, metric)
    guarded = scorer(CausalLMScorer, gpt2, "bf16").score_pairs(pairs, metric)
    check_equal_decisions(fp32, raw, guarded)


def test_stereoset_blank_guard_orders_candidates_as_fp32(bert):
    examples = load_stereoset().head(12)
    examples = examples[examples["context"].str.count("BLANK") == 1]
    cols = ["score_stereotype", "score_anti_stereotype", "score_unrelated"]
    fp32 = score_stereoset_original(examples, scorer(MaskedLMScorer, bert))[cols].to_numpy()
    raw = score_stereoset_original(examples, scorer(MaskedLMScorer, bert, "bf16-raw"))[cols].to_numpy()
    guarded_scorer = scorer(MaskedLMScorer, bert, "bf16")
    guarded = score_stereoset_original(examples, guarded_scorer)[cols].to_numpy()
    assert np.abs(raw - fp32).max() > 0  # bf16 ran
    for a, b in ((0, 1), (0, 2), (1, 2)):  # every comparison StereoSet's evaluation makes
        assert ((guarded[:, a] > guarded[:, b]) == (fp32[:, a] > fp32[:, b])).all()
    assert guarded_scorer.precision_report["compared"] == 3 * len(examples)


def test_sentences_in_no_comparison_are_scored_in_fp32(bert):
    sentences = ref.SENTENCES
    fp32 = scorer(MaskedLMScorer, bert).score_sentences(sentences, "pll")
    guarded_scorer = scorer(MaskedLMScorer, bert, "bf16")
    assert guarded_scorer.score_sentences(sentences, "pll") == fp32  # same batches: bit-equal
    assert guarded_scorer.precision_report["compared"] == 0


def test_a_bound_too_small_is_caught_and_everything_rescored(bert, pairs, monkeypatch):
    fp32 = scorer(MaskedLMScorer, bert).score_pairs(pairs, "pll")
    # A bound 10^6 times too small: the items it re-scores show errors beyond it.
    monkeypatch.setattr(precision_module, "GUARD_FACTOR", 4e-6)
    monkeypatch.setattr(precision_module, "RATE_FLOOR", 0.0)
    with pytest.warns(PrecisionGuardWarning, match="scored again in fp32"):
        guarded = scorer(MaskedLMScorer, bert, "bf16").score_pairs(pairs, "pll")
    assert guarded.attrs["precision"]["fallback"] and guarded.attrs["precision"]["worst_ratio"] > 1
    assert set(guarded["precision"]) == {"fp32"}
    assert (pair_outcome(guarded) == pair_outcome(fp32)).all()
    assert np.allclose(guarded["delta"], fp32["delta"], atol=2 * TOL, rtol=0)


def test_precisions_never_share_cache_entries(bert, pairs, tmp_path):
    cache = ScoreCache(tmp_path / "s.sqlite")
    model, tokenizer = bert
    kw = {"cache": cache, "progress": False, "batch_tokens": 256}
    guarded = MaskedLMScorer(model, tokenizer, dtype="bf16", **kw)
    first = guarded.score_pairs(pairs, "crows")
    # an fp32 run reuses only what the guard computed in fp32, and recomputes the rest
    plain = MaskedLMScorer(model, tokenizer, **kw)
    plain.score_pairs(pairs, "crows")
    n_fp32 = int((first["precision"] == "fp32").sum())
    assert plain.stats["items_cached"] == n_fp32 and plain.stats["items_computed"] == N_PAIRS - n_fp32
    again = MaskedLMScorer(model, tokenizer, dtype="bf16", **kw)
    second = again.score_pairs(pairs, "crows")
    assert again.stats["items_computed"] == 0  # bf16 and fp32 values both came from the cache
    pd.testing.assert_frame_equal(first, second)


def test_cli_dtype_bf16_writes_the_precision_column_and_sidecar(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path / "cache"))
    control = random_control("bert", "tiny", seed=0, out_dir=tmp_path / "bert-tiny")
    out = tmp_path / "scores.csv"
    base = ["score", "--model", str(control), "--data", "crows_pairs", "--metric", "crows", "--limit", "8"]
    args = base + ["--random-control", "--dtype", "bf16", "--out", str(out)]
    assert main(args) == 0
    table = pd.read_csv(out)
    assert set(table["precision"]) <= {"bf16", "fp32"} and len(table) == 8
    sidecar = json.loads(out.with_name(out.name + ".json").read_text())
    assert sidecar["precision"]["dtype"] == "bf16" and sidecar["precision"]["guard"] is True
    assert main(base + ["--random-control", "--dtype", "fp64", "--out", str(tmp_path / "x.csv")]) == 2
    assert "unknown dtype 'fp64'" in capsys.readouterr().err
