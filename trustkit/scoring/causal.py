"""Causal-LM scores: exact sentence log-likelihood ``ll`` and the shared-token variant ``ll_shared``.

Convention of lm-evaluation-harness's crows_pairs task: every token of the sentence is scored,
conditioned on one prefix token (the tokenizer's BOS, else its EOS).
"""

from __future__ import annotations

from trustkit.metrics.registry import metric_names
from trustkit.scoring.batching import Row
from trustkit.scoring.crows import shared_spans
from trustkit.scoring.heads import autocast_for, causal_lm_parts, gather_log_probs
from trustkit.scoring.scorer import Plan, Scorer


class CausalLMScorer(Scorer):
    """Scores sentences with a decoder LM (GPT-2, Llama/SmolLM2, ...).

    Metrics
    -------
    ``ll``
        Sum over every token t of the sentence (encoded without special tokens) of
        log P(t | prefix token, earlier tokens).
    ``ll_shared`` (pair metric)
        The same per-token log-probabilities (full left context), summed only over the tokens the
        two sentences share: difflib ``equal`` blocks over their token ids, in metric.py's order.

    Example
    -------
    >>> scorer = CausalLMScorer(model, tokenizer, cache=False)  # doctest: +SKIP
    >>> scorer.score_sentences(["The nurse is tired."], "ll")  # doctest: +SKIP
    """

    kind = "causal"
    sentence_metrics = metric_names("causal", "sentence")
    pair_metrics = metric_names("causal", "pair")

    def __init__(self, model, tokenizer, **kwargs):
        prefix = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
        if prefix is None:
            raise ValueError(f"the tokenizer {type(tokenizer).__name__} has neither a BOS nor an EOS "
                             "token, so a sentence's first token has nothing to condition on")
        self.prefix_id = prefix
        super().__init__(model, tokenizer, **kwargs)
        if tokenizer.pad_token_id is None:
            self.pad_id = prefix  # padding sits right of the sentence: never attended, any id works
        self.parts = causal_lm_parts(model)

    def _encode(self, sentence: str) -> list[int]:
        return [self.prefix_id] + self.tokenizer(sentence, add_special_tokens=False)["input_ids"]

    def _encode_trunc(self, sentence: str) -> list[int]:
        ids = self._encode(sentence)
        return ids[: self.max_length] if self.truncate else ids

    def _row(self, ids: list[int], slot: int) -> Row:
        hidden = tuple(range(len(ids) - 1))  # the output at t predicts token t + 1
        return Row(tuple(ids), (), hidden, tuple(ids[1:]), (slot, tuple(range(1, len(ids)))))

    def _plan(self, item, metric: str) -> Plan:
        if metric == "ll":
            ids = self._encode_trunc(item)
            return Plan([ids], [self._row(ids, 0)], [list(range(1, len(ids)))])
        ids1, ids2 = (self._encode_trunc(s) for s in item)
        t1, t2 = shared_spans(ids1[1:], ids2[1:])  # align the sentences, not the prefix
        counted = [[p + 1 for p in t1], [p + 1 for p in t2]]
        return Plan([ids1, ids2], [self._row(ids1, 0), self._row(ids2, 1)], counted)

    def _step(self, metric: str):
        model, parts = self.model, self.parts
        autocast = autocast_for(self.device, self.dtype)

        def step(input_ids, attention_mask, b, p, targets):
            with autocast:
                if parts is not None:
                    body, head = parts
                    hidden = body(input_ids=input_ids, attention_mask=attention_mask,
                                  use_cache=False)[0]
                    logits = head(hidden[b, p])
                else:
                    logits = model(input_ids=input_ids, attention_mask=attention_mask,
                                   use_cache=False).logits[b, p]
            return gather_log_probs(logits, targets), None

        return step
