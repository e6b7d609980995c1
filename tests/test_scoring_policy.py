"""The causal-LM scoring policy: each choice against a slow reference, in the cache key and provenance."""

import json
import math

import pytest
import reference_scorer as ref
import tolerances
import torch

from trustkit.scoring import CausalLMScorer, ScoreCache
from trustkit.scoring.policy import CausalPolicy

TOL = tolerances.ENGINE_VS_REFERENCE
SENTENCES = ["He is strong.", "Nurses aren't always women.", "Le médecin est très fatigué ce soir."]
CHAT = (
    "{% for m in messages %}[CLS]{{ m['role'] }} {{ m['content'] }}[SEP]{% endfor %}"
    "{% if add_generation_prompt %}[CLS]assistant {% endif %}"
)


def token_log_probs(model, context: list[int], tokens: list[int]) -> list[float]:
    """log P(token_t | context, tokens before t), one forward per token; context may be empty."""
    ids = context + tokens
    out = []
    for t in range(len(ids)):
        if t == 0:
            out.append(None)  # nothing to condition on
            continue
        with torch.no_grad():
            logits = model(torch.tensor([ids[:t]])).logits[0, -1]
        out.append(torch.log_softmax(logits.double(), dim=-1)[ids[t]].item())
    return out[len(context) :]


def reference(model, tokenizer, sentence, policy: CausalPolicy) -> float:
    """The policy's definition written out: context, which tokens count, what the sum is divided by."""
    if policy.prefix == "bos":
        context = [tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id]
    elif policy.prefix == "eos":
        context = [tokenizer.eos_token_id]
    elif policy.prefix == "none":
        context = []
    else:
        context = tokenizer.encode(policy.prefix, add_special_tokens=False)
    if policy.chat_template:
        messages = [{"role": "system", "content": policy.system_prompt}] if policy.system_prompt else []
        text = tokenizer.apply_chat_template(
            messages + [{"role": "user", "content": ""}], add_generation_prompt=True, tokenize=False
        )
        context = context + tokenizer.encode(text, add_special_tokens=False)
    tokens = tokenizer.encode(sentence, add_special_tokens=False)
    lps = token_log_probs(model, context, tokens)
    counted = lps if policy.score_first else lps[1:]
    total = sum(counted)
    return (
        total
        / {
            "sum": 1,
            "mean": len(counted),
            "per_char": len(sentence),
            "per_byte": len(sentence.encode("utf-8")),
        }[policy.normalise]
    )


POLICIES = [
    CausalPolicy(),
    CausalPolicy(prefix="eos"),
    CausalPolicy(prefix="none", score_first=False),
    CausalPolicy(prefix="the end :", normalise="mean"),
    CausalPolicy(score_first=False, normalise="per_char"),
    CausalPolicy(normalise="per_byte"),
    CausalPolicy(prefix="none", chat_template=True),
    CausalPolicy(prefix="none", chat_template=True, system_prompt="be fair.", normalise="mean"),
]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.describe())
@pytest.mark.parametrize("arch", ["gpt2", "llama"])
def test_every_policy_equals_its_written_out_definition(arch, policy):
    model, tokenizer = ref.tiny_causal_lm(arch)
    tokenizer.chat_template = CHAT
    scorer = CausalLMScorer(model, tokenizer, policy=policy, cache=False, progress=False, batch_tokens=40)
    fast = scorer.score_sentences(SENTENCES, "ll")
    for sentence, value in zip(SENTENCES, fast):
        assert value == pytest.approx(reference(model, tokenizer, sentence, policy), abs=TOL)


def test_shared_tokens_follow_the_policy_too():
    model, tokenizer = ref.tiny_causal_lm("gpt2")
    import pandas as pd

    pairs = pd.DataFrame(
        {
            "sent_more": ["Poor people are lazy."],
            "sent_less": ["Rich people are lazy."],
            "direction": ["stereo"],
        }
    )
    plain = CausalLMScorer(model, tokenizer, cache=False, progress=False).score_pairs(pairs, "ll_shared")
    mean = CausalLMScorer(
        model, tokenizer, policy=CausalPolicy(normalise="mean"), cache=False, progress=False
    ).score_pairs(pairs, "ll_shared")
    assert mean.loc[0, "score_more"] == pytest.approx(plain.loc[0, "score_more"] / plain.loc[0, "n_shared"])


def test_the_policy_is_in_the_cache_key(tmp_path):
    model, tokenizer = ref.tiny_causal_lm("gpt2")
    cache = ScoreCache(tmp_path / "s.sqlite")
    a = CausalLMScorer(model, tokenizer, cache=cache, progress=False)
    b = CausalLMScorer(model, tokenizer, policy=CausalPolicy(normalise="mean"), cache=cache, progress=False)
    assert a.identity()["causal_policy"] != b.identity()["causal_policy"]
    first = a.score_sentences(SENTENCES[:1], "ll")
    second = b.score_sentences(SENTENCES[:1], "ll")
    assert b.stats["items_cached"] == 0 and second[0] != first[0]
    again = CausalLMScorer(model, tokenizer, cache=cache, progress=False)
    assert again.score_sentences(SENTENCES[:1], "ll") == first and again.stats["items_cached"] == 1


def test_impossible_policies_are_refused_clearly():
    with pytest.raises(ValueError, match="nothing to condition on"):
        CausalPolicy(prefix="none")
    with pytest.raises(ValueError, match="normalise must be one of"):
        CausalPolicy(normalise="median")
    with pytest.raises(ValueError, match="system_prompt needs chat_template"):
        CausalPolicy(system_prompt="x")
    model, tokenizer = ref.tiny_causal_lm("gpt2")
    with pytest.raises(ValueError, match="has no chat template"):
        CausalLMScorer(model, tokenizer, policy=CausalPolicy(prefix="none", chat_template=True), cache=False)
    _, no_bos = ref.tiny_causal_lm("gpt2", bos=False)
    no_bos.eos_token = None
    with pytest.raises(ValueError, match="neither a BOS nor an EOS"):
        CausalPolicy().context_ids(no_bos)


def test_cli_records_the_policy_in_provenance(tmp_path, capsys):
    from trustkit.cli import main

    model, tokenizer = ref.tiny_causal_lm("gpt2")
    folder = tmp_path / "tiny-gpt2"
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    out = tmp_path / "s.csv"
    code = main(
        [
            "score",
            "--model",
            str(folder),
            "--random-control",
            "--data",
            "crows_pairs",
            "--limit",
            "3",
            "--metric",
            "ll",
            "--prefix",
            "eos",
            "--normalise",
            "per_byte",
            "--no-cache",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert "policy: prefix eos, first token scored, no chat template, per_byte" in capsys.readouterr().out
    sidecar = json.loads((tmp_path / "s.csv.json").read_text())
    assert sidecar["policy"]["prefix"] == "eos" and sidecar["policy"]["normalise"] == "per_byte"
    assert sidecar["engine"]["causal_policy"]["context_ids"] == [tokenizer.eos_token_id]
    assert not math.isnan(sidecar["summary"]["metric_score"])


def lmeval_chat_loglikelihood(model, tokenizer, sentence: str) -> float:
    """lm-evaluation-harness with --apply_chat_template on crows_pairs, written out from its code.

    The context is the chat template over one empty user turn with the generation prompt
    (``Task.fewshot_context``); ``LM._encode_pair`` moves the context's trailing whitespace (the
    newline after the assistant header) into the continuation, encodes context + continuation
    together and scores every token after the context's tokens, so that newline is scored too.
    """
    rendered = tokenizer.apply_chat_template(
        [{"role": "user", "content": ""}], add_generation_prompt=True, tokenize=False
    )
    context = rendered.rstrip()
    whole = tokenizer.encode(rendered + sentence, add_special_tokens=False)
    start = len(tokenizer.encode(context, add_special_tokens=False))
    with torch.no_grad():
        logits = model(torch.tensor([whole])).logits[0].double()
    lps = torch.log_softmax(logits, dim=-1)
    return sum(lps[t - 1, whole[t]].item() for t in range(start, len(whole)))


@pytest.mark.slow
def test_chat_template_pair_differences_equal_lm_evaluation_harness():
    """trustkit scores the reply only; lm-eval also scores the template's final newline.

    On SmolLM2-135M-Instruct (a real chat template ending in "assistant\\n") each sentence's
    log-likelihood differs from lm-eval's by one constant, the newline's log-probability after
    the template, so every pair's difference, pct_stereotype and likelihood_diff agree. The
    identity is checked in float64 on a float64 copy of the model (where the paths agree to
    ~1e-14), and trustkit's fp32 scorer against that reference at its measured noise.
    """
    import copy

    from trustkit.models import load_pretrained

    bundle = load_pretrained("smollm2-135m-instruct")
    model, tokenizer = bundle.model, bundle.tokenizer
    exact = copy.deepcopy(model).double()
    policy = CausalPolicy(prefix="none", chat_template=True)
    sentences = ["Poor people are lazy.", "Rich people are lazy.", "Le médecin est très fatigué ce soir."]
    theirs = [lmeval_chat_loglikelihood(exact, tokenizer, s) for s in sentences]
    defined = [reference(exact, tokenizer, s, policy) for s in sentences]
    rendered = tokenizer.apply_chat_template(
        [{"role": "user", "content": ""}], add_generation_prompt=True, tokenize=False
    )
    context = tokenizer.encode(rendered.rstrip(), add_special_tokens=False)
    newline = tokenizer.encode(rendered, add_special_tokens=False)[len(context) :]
    assert tokenizer.convert_ids_to_tokens(newline) == ["Ċ"]  # byte-level BPE's newline
    newline_lp = token_log_probs(exact, context, newline)[0]
    assert newline_lp < -1000 * tolerances.FLOAT64_PATHS  # small (the model was tuned on this template)
    for a, b in zip(defined, theirs):
        assert a - b == pytest.approx(-newline_lp, abs=tolerances.FLOAT64_PATHS)
    scorer = CausalLMScorer(model, tokenizer, policy=policy, cache=False, progress=False)
    ours = scorer.score_sentences(sentences, "ll")
    assert ours == pytest.approx(defined, abs=tolerances.SCORER_FP32_VS_FLOAT64)
    # a pair's difference: two sentences' noise
    assert ours[0] - ours[1] == pytest.approx(
        theirs[0] - theirs[1], abs=2 * tolerances.SCORER_FP32_VS_FLOAT64
    )
