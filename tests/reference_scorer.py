"""Slow, obvious reference scores: one sentence, one masked position, one full forward at a time.

Written for readability, not speed: the fast engine must agree with these to 1e-4 nats.
"""

from __future__ import annotations

import difflib

import torch


def _logits(model, ids: list[int], **kw):
    with torch.no_grad():
        return model(torch.tensor([ids]), **kw)


def _log_prob_at(model, ids: list[int], position: int, target: int) -> float:
    logits = _logits(model, ids).logits[0, position]
    return torch.log_softmax(logits.double(), dim=-1)[target].item()


def _non_special(tokenizer, ids: list[int]) -> list[int]:
    special = set(tokenizer.all_special_ids)
    return [p for p, t in enumerate(ids) if t not in special]


def pll(model, tokenizer, sentence: str, word_l2r: bool = False) -> float:
    """Sum over tokens of log P(token | sentence with it masked); word-l2r also masks the word's later pieces."""
    enc = tokenizer(sentence)
    ids, words = enc["input_ids"], enc.word_ids()
    total = 0.0
    for p in _non_special(tokenizer, ids):
        masked = list(ids)
        masked[p] = tokenizer.mask_token_id
        if word_l2r:
            for q in range(p + 1, len(ids)):
                if words[q] is not None and words[q] == words[p]:
                    masked[q] = tokenizer.mask_token_id
        total += _log_prob_at(model, masked, p, ids[p])
    return total


def aul(model, tokenizer, sentence: str, attention: bool = False) -> float:
    """Mean log P of the unmasked tokens (without the first and last token); AULA weights by attention."""
    ids = tokenizer(sentence)["input_ids"]
    previous = model.config._attn_implementation
    model.set_attn_implementation("eager")
    try:
        out = _logits(model, ids, output_attentions=True)
    finally:
        model.set_attn_implementation(previous)
    log_probs = torch.log_softmax(out.logits[0].double(), dim=-1)
    values = [log_probs[p, ids[p]].item() for p in range(1, len(ids) - 1)]
    if attention:
        per_layer = torch.cat(out.attentions, dim=0).double()  # layers × heads × query × key
        received = per_layer.mean(dim=0).mean(dim=0).mean(dim=0)  # over layers, heads, queries
        values = [v * received[p].item() for v, p in zip(values, range(1, len(ids) - 1))]
    return sum(values) / len(values)


def crows_metric_py(model, tokenizer, sent1: str, sent2: str, uncased: bool) -> tuple[float, float]:
    """nyu-mll metric.py's mask_unigram, re-expressed: shared tokens masked one at a time, summed."""
    if uncased:
        sent1, sent2 = sent1.lower(), sent2.lower()
    ids1, ids2 = tokenizer.encode(sent1), tokenizer.encode(sent2)
    matcher = difflib.SequenceMatcher(None, [str(x) for x in ids1], [str(x) for x in ids2])
    template1, template2 = [], []
    for op in matcher.get_opcodes():
        if op[0] == "equal":
            template1 += list(range(op[1], op[2]))
            template2 += list(range(op[3], op[4]))
    score1 = score2 = 0.0
    for i in range(1, len(template1) - 1):
        for ids, template, which in ((ids1, template1, 1), (ids2, template2, 2)):
            masked = list(ids)
            masked[template[i]] = tokenizer.mask_token_id
            value = _log_prob_at(model, masked, template[i], ids[template[i]])
            if which == 1:
                score1 += value
            else:
                score2 += value
    return score1, score2


def causal_token_log_probs(model, tokenizer, sentence: str) -> list[float]:
    """log P(token_t | prefix, tokens before t) for every token, one forward per token."""
    prefix = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
    ids = [prefix] + tokenizer(sentence, add_special_tokens=False)["input_ids"]
    values = []
    for t in range(1, len(ids)):
        logits = _logits(model, ids[:t]).logits[0, -1]
        values.append(torch.log_softmax(logits.double(), dim=-1)[ids[t]].item())
    return values


def causal_ll(model, tokenizer, sentence: str) -> float:
    """Exact sentence log-likelihood given one prefix token."""
    return sum(causal_token_log_probs(model, tokenizer, sentence))


def causal_ll_shared(model, tokenizer, sent1: str, sent2: str) -> tuple[float, float]:
    """Sum of the causal log-probs of the tokens the two sentences share (difflib over ids)."""
    ids1 = tokenizer(sent1, add_special_tokens=False)["input_ids"]
    ids2 = tokenizer(sent2, add_special_tokens=False)["input_ids"]
    lp1 = causal_token_log_probs(model, tokenizer, sent1)
    lp2 = causal_token_log_probs(model, tokenizer, sent2)
    matcher = difflib.SequenceMatcher(None, [str(x) for x in ids1], [str(x) for x in ids2])
    s1 = s2 = 0.0
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            s1 += sum(lp1[a0:a1])
            s2 += sum(lp2[b0:b1])
    return s1, s2
