"""Deployment precisions (bf16 weights, fp16 autocast, int8 dynamic quantization): applied, scored, keyed apart."""

import numpy as np
import pytest
import torch
from reference_scorer import causal_ll, tiny_causal_lm

from trustkit.models import load_pretrained
from trustkit.models.precision import apply_precision, precision_context
from trustkit.scoring import load_scorer

SENTENCES = ["The nurse was tired after the shift.", "He fixed the old car in the garage."]


@pytest.fixture(scope="module")
def llama_dir(tmp_path_factory):
    model, tokenizer = tiny_causal_lm("llama")
    path = tmp_path_factory.mktemp("llama") / "tiny"
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def _reference(path, precision):
    model, tokenizer = tiny_causal_lm("llama")
    model = apply_precision(model, precision)
    with torch.inference_mode(), precision_context(model):
        return np.array([causal_ll(model, tokenizer, s) for s in SENTENCES])


@pytest.mark.parametrize("precision", ["bf16", "fp16", "int8"])
def test_each_precision_scores_as_its_converted_model_and_differs_from_fp32(llama_dir, precision):
    fp32 = np.array(load_scorer(llama_dir, cache=False, progress=False).score_sentences(SENTENCES, "ll"))
    scorer = load_scorer(llama_dir, cache=False, progress=False, precision=precision)
    assert scorer.provenance["precision"] == precision
    got = np.array(scorer.score_sentences(SENTENCES, "ll"))
    ref = _reference(llama_dir, precision)
    assert np.abs(got - fp32).max() > 1e-4  # the choice was applied
    # bf16 rounds every op to 8 bits of mantissa; fp16 autocast to 11; int8 quantizes activations per
    # batch (its range depends on what else is in the batch); the reference runs one sentence at a time
    tolerance = {"bf16": 0.05, "fp16": 0.01, "int8": 0.2}[precision] * np.abs(ref)
    assert np.all(np.abs(got - ref) <= tolerance), (got, ref, fp32)
    assert np.all(np.abs(got - ref) < np.abs(got - fp32) + tolerance)


def test_precisions_never_share_a_cache_entry(llama_dir, tmp_path):
    cache = tmp_path / "scores.sqlite"
    first = load_scorer(llama_dir, cache=str(cache), progress=False)
    first.score_sentences(SENTENCES, "ll")
    keys = {first.identity()["model"]}
    for precision in ("bf16", "fp16", "int8"):
        scorer = load_scorer(llama_dir, cache=str(cache), progress=False, precision=precision)
        scorer.score_sentences(SENTENCES, "ll")
        assert scorer.stats["items_cached"] == 0 and scorer.stats["items_computed"] == len(SENTENCES)
        keys.add(scorer.identity()["model"])
    assert len(keys) == 4
    again = load_scorer(llama_dir, cache=str(cache), progress=False, precision="int8")
    again.score_sentences(SENTENCES, "ll")
    assert again.stats["items_cached"] == len(SENTENCES)


def test_unknown_precision_is_refused(llama_dir):
    with pytest.raises(ValueError, match="precision must be one of fp32, bf16, fp16, int8"):
        load_pretrained(llama_dir, precision="int4")
