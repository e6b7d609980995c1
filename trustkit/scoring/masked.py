"""Masked-LM scores: PLL, PLL-word-l2r, AUL, AULA per sentence and the CrowS-Pairs score per pair.

Each metric only decides which rows to build (which positions are masked, which are scored);
all rows of the whole input go through the one batching routine.
"""

from __future__ import annotations

import torch

from trustkit.metrics.registry import metric_names
from trustkit.scoring.batching import Row
from trustkit.scoring.crows import crows_template
from trustkit.scoring.heads import autocast_for, gather_log_probs, masked_lm_parts
from trustkit.scoring.last_layer import last_layer_runner
from trustkit.scoring.peer_plans import PEER_PLANS, finish_normalised
from trustkit.scoring.scorer import Plan, Scorer


class MaskedLMScorer(Scorer):
    """Scores sentences with a masked LM (BERT, RoBERTa, ALBERT, DistilBERT, ...).

    Metrics
    -------
    ``pll`` (Salazar et al. 2020)
        Sum over the sentence's tokens (special tokens excluded) of log P(token | sentence with
        that one token masked).
    ``pll_word_l2r`` (Kauf & Ivanova 2023)
        As ``pll``, but when a sub-token is scored the later sub-tokens of the same word are
        masked too (words from the fast tokenizer's ``word_ids``).
    ``aul`` / ``aula`` (Kaneko & Bollegala 2022)
        One unmasked forward pass; mean log-probability of the tokens (special tokens excluded).
        ``aula`` multiplies each by the attention it receives, averaged over layers, heads and
        query positions, then takes the plain mean (weights are not renormalised), as their code.
    ``crows`` (Nangia et al. 2020, pair metric)
        nyu-mll metric.py: lowercase if the tokenizer is uncased; encode with special tokens;
        difflib over the token ids of (sent1, sent2) = (stereotyping sentence, other); the shared
        positions without the template's first and last entries are masked one at a time; the
        score is the sum of their log-probabilities.

    Parameters are those of ``load_scorer``; ``model`` must be a ``*ForMaskedLM`` with a loaded head.

    Example
    -------
    >>> scorer = MaskedLMScorer(model, tokenizer, cache=False)  # doctest: +SKIP
    >>> scorer.score_sentences(["The nurse is tired."], "pll")  # doctest: +SKIP
    """

    kind = "masked"
    sentence_metrics = metric_names("masked", "sentence")
    pair_metrics = metric_names("masked", "pair")

    def __init__(self, model, tokenizer, **kwargs):
        if tokenizer.mask_token_id is None:
            raise ValueError(f"the tokenizer {type(tokenizer).__name__} has no mask token, so it "
                             "cannot drive a masked LM; pass the model's own tokenizer")
        if model.get_output_embeddings() is None:
            raise ValueError(f"{type(model).__name__} has no masked-LM head; load the model as "
                             "a *ForMaskedLM (e.g. load_scorer(..., kind='masked'))")
        super().__init__(model, tokenizer, **kwargs)
        self.parts = masked_lm_parts(model)
        self.last_layer = None if self.parts is None else last_layer_runner(self.parts[0])
        # metric.py lowercases sentences for uncased models (bert-base-uncased, albert).
        self.uncased = bool(getattr(tokenizer, "do_lower_case", False))

    def _encode(self, sentence: str) -> list[int]:
        return self.tokenizer(sentence, add_special_tokens=True)["input_ids"]

    def _encode_full(self, sentence: str):
        enc = self.tokenizer(sentence, add_special_tokens=True, return_special_tokens_mask=True,
                             truncation=self.truncate, max_length=self.max_length)
        return enc

    def _plan(self, item, metric: str) -> Plan:
        if metric in PEER_PLANS:
            return PEER_PLANS[metric](self, item)
        if metric == "crows":
            return self._plan_crows(*item)
        enc = self._encode_full(item)
        ids = list(enc["input_ids"])
        scored = [p for p, special in enumerate(enc["special_tokens_mask"]) if not special]
        if metric in ("aul", "aula"):
            row = Row(tuple(ids), (), tuple(scored), tuple(ids[p] for p in scored), (0, tuple(scored)))
            return Plan([ids], [row], [scored], "mean" if metric == "aul" else "weighted_mean")
        words = enc.word_ids() if metric == "pll_word_l2r" else None
        if metric == "pll_word_l2r" and words is None:
            raise ValueError("pll_word_l2r needs a fast tokenizer (word_ids); load the model's "
                             "tokenizer with use_fast=True")
        rows = []
        for p in scored:
            masked = (p,)
            if words is not None and words[p] is not None:
                masked += tuple(q for q in range(p + 1, len(ids)) if words[q] == words[p])
            rows.append(Row(tuple(ids), masked, (p,), (ids[p],), (0, (p,))))
        return Plan([ids], rows, [scored])

    def _plan_crows(self, sent1: str, sent2: str) -> Plan:
        if self.uncased:
            sent1, sent2 = sent1.lower(), sent2.lower()
        ids1, ids2 = (list(self._encode_full(s)["input_ids"]) for s in (sent1, sent2))
        t1, t2 = crows_template(ids1, ids2)
        rows = []
        for p1, p2 in zip(t1, t2):
            rows.append(Row(tuple(ids1), (p1,), (p1,), (ids1[p1],), (0, (p1,))))
            rows.append(Row(tuple(ids2), (p2,), (p2,), (ids2[p2],), (1, (p2,))))
        return Plan([ids1, ids2], rows, [t1, t2])

    def _finish(self, plan: Plan, results) -> dict:
        return finish_normalised(Scorer._finish(plan, results), plan)

    def _step(self, metric: str):
        model, parts, last_layer = self.model, self.parts, self.last_layer
        autocast = autocast_for(self.device, self.dtype)
        attend = metric == "aula"

        def step(input_ids, attention_mask, b, p, targets):
            extras = None
            # One scored position per row (PLL, word-l2r, CrowS): the last layer runs there only.
            one_per_row = len(b) == len(input_ids) and bool((b == torch.arange(len(b), device=b.device)).all())
            with autocast:
                if last_layer is not None and one_per_row and not attend:
                    logits = parts[1](last_layer(input_ids, attention_mask, p))
                elif parts is not None:
                    body, head = parts
                    out = body(input_ids=input_ids, attention_mask=attention_mask,
                               output_attentions=attend)
                    logits = head(out[0][b, p])
                else:  # unknown architecture: full logits, then gather (exact, slower)
                    out = model(input_ids=input_ids, attention_mask=attention_mask,
                                output_attentions=attend)
                    logits = out.logits[b, p]
                if attend:
                    extras = _received_attention(out.attentions, attention_mask)[b, p]
            return gather_log_probs(logits, targets), extras

        return step

    def _score_items(self, items, metric):
        if metric != "aula":
            return super()._score_items(items, metric)
        # Attention weights are only returned by the eager attention implementation.
        previous = self.model.config._attn_implementation
        self.model.set_attn_implementation("eager")
        try:
            return super()._score_items(items, metric)
        finally:
            self.model.set_attn_implementation(previous)


def _received_attention(attentions, attention_mask) -> torch.Tensor:
    """Attention each key position receives: mean over layers, heads and (real) query positions."""
    mean = torch.stack([a.float() for a in attentions]).mean(dim=(0, 2))  # batch × query × key
    if attention_mask is None:
        return mean.mean(dim=1)
    queries = attention_mask.float()
    return (mean * queries[:, :, None]).sum(dim=1) / queries.sum(dim=1, keepdim=True)
