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


def test_stereoset_lms_is_the_direct_count_over_candidates():
    from collections import defaultdict

    import torch

    from trustkit.data.stereoset import load_stereoset
    from trustkit.metrics.utility import stereoset_lms

    model, tokenizer = tiny_causal_lm("gpt2")
    scorer = load_scorer(model, tokenizer=tokenizer, cache=False, progress=False)
    examples = load_stereoset("intrasentence")
    few = examples[examples["context"].str.count("BLANK") == 1].head(12)
    got = stereoset_lms(scorer, examples=few)

    # direct: StereoSet's eval_generative_models.py score, the log of the geometric-mean token
    # probability: the sentence as tokenizer(sentence) encodes it, its first token predicted from
    # the start token (here BOS) alone, every later one from the sentence's earlier tokens only;
    # one forward and one float64 log-softmax per token. Then StereoSet's counting: per target
    # term, each related candidate strictly above the unrelated one.
    def geomean(sentence):
        ids = tokenizer(sentence)["input_ids"]
        contexts = [[tokenizer.bos_token_id]] + [ids[:t] for t in range(1, len(ids))]
        values = []
        for context, target in zip(contexts, ids):
            with torch.no_grad():
                logits = model(torch.tensor([context])).logits[0, -1]
            values.append(torch.log_softmax(logits.double(), dim=-1)[target].item())
        return sum(values) / len(values)

    related, pro, total, margins = defaultdict(int), defaultdict(int), defaultdict(int), []
    for row in few.itertuples():
        s, a, u = (geomean(x) for x in (row.sent_stereotype, row.sent_antistereotype, row.sent_unrelated))
        related[row.target] += (s > u) + (a > u)
        pro[row.target] += s > a
        total[row.target] += 1
        margins += [abs(s - u), abs(a - u), abs(s - a)]
    # the engine's fp32 mean log-probs agree with float64 to ~1e-6; every comparison here is far wider
    assert min(margins) > 1e-4
    terms = list(total)
    lms = sum(100 * related[t] / (2 * total[t]) for t in terms) / len(terms)
    ss = sum(100 * pro[t] / total[t] for t in terms) / len(terms)
    assert got["lms"] == pytest.approx(lms, abs=1e-9) and got["ss"] == pytest.approx(ss, abs=1e-9)
    assert got["icat"] == pytest.approx(lms * min(ss, 100 - ss) / 50, abs=1e-9)
    assert got["n"] == 12 and got["n_targets"] == len(terms) and got["scorer"] == "geomean_prob"
    # a seeded sample: the same examples for every model; more than there are is refused
    assert stereoset_lms(scorer, examples=few, n_examples=5, seed=3)["n"] == 5
    with pytest.raises(ValueError, match="n_examples must be between 1 and 12"):
        stereoset_lms(scorer, examples=few, n_examples=13)
