"""The utility score: perplexity (causal, exact) and pseudo-perplexity (masked) against a direct computation."""

import math

import pytest
from reference_scorer import causal_token_log_probs, pll, tiny_causal_lm, tiny_masked_lm

from trustkit.metrics.utility import heldout_texts, perplexity
from trustkit.scoring import load_scorer

TEXTS = [
    "We present a simple method for evaluating language models on held-out text.",
    "Bias measures of masked language models react to wording — über alles, naïvely.",
]


def test_causal_perplexity_is_the_direct_computation():
    model, tokenizer = tiny_causal_lm("llama")
    scorer = load_scorer(model, tokenizer=tokenizer, cache=False, progress=False)
    got = perplexity(scorer, TEXTS)
    per_token = [lp for t in TEXTS for lp in causal_token_log_probs(model, tokenizer, t)]
    n_bytes = sum(len(t.encode("utf-8")) for t in TEXTS)
    assert got["kind"] == "perplexity" and got["n_tokens"] == len(per_token) and got["n_bytes"] == n_bytes
    # fp32 batched engine vs one float64 log-softmax per token: agree to 1e-4 nats per token
    assert got["log_likelihood"] == pytest.approx(sum(per_token), abs=1e-4 * len(per_token))
    assert got["perplexity"] == pytest.approx(math.exp(-sum(per_token) / len(per_token)), rel=1e-4)
    assert got["bits_per_byte"] == pytest.approx(-sum(per_token) / n_bytes / math.log(2), rel=1e-4)
    assert got["byte_perplexity"] == pytest.approx(2 ** got["bits_per_byte"], rel=1e-9)
    # a text longer than the model's 64 positions is left out and counted, never cut
    longer = perplexity(scorer, TEXTS + [" ".join(["word"] * 80)])
    assert longer["n_left_out"] == 1 and longer["n_texts"] == 2
    assert longer["log_likelihood"] == pytest.approx(got["log_likelihood"], abs=1e-9)


def test_masked_pseudo_perplexity_is_exp_of_minus_pll_per_token():
    model, tokenizer = tiny_masked_lm("bert")
    scorer = load_scorer(model, tokenizer=tokenizer, cache=False, progress=False)
    got = perplexity(scorer, TEXTS)
    total = sum(pll(model, tokenizer, t) for t in TEXTS)
    n_tokens = sum(len(tokenizer(t, add_special_tokens=False)["input_ids"]) for t in TEXTS)
    assert got["kind"] == "pseudo-perplexity" and got["n_tokens"] == n_tokens
    assert got["log_likelihood"] == pytest.approx(total, abs=1e-4 * n_tokens)
    assert got["perplexity"] == pytest.approx(math.exp(-total / n_tokens), rel=1e-4)


def test_heldout_sample_is_fixed_seeded_and_stated():
    a, b, c = heldout_texts(20, seed=0), heldout_texts(20, seed=0), heldout_texts(20, seed=1)
    assert a.equals(b) and not a.equals(c)
    assert a.attrs["seed"] == 0 and a.attrs["n"] == 20 and len(a.attrs["sha256"]) == 64
    assert a.text.str.len().between(200, 1000).all() and a.anthology_id.is_unique
    with pytest.raises(ValueError, match="n must be at least 1"):
        heldout_texts(0)
