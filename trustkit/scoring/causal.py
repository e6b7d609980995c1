"""Causal-LM scores: exact sentence log-likelihood ``ll`` and the shared-token variant ``ll_shared``.

Convention of lm-evaluation-harness's crows_pairs task: every token of the sentence is scored,
conditioned on one prefix token (the tokenizer's BOS, else its EOS).
"""

from __future__ import annotations

from trustkit.scoring.crows import shared_spans
from trustkit.scoring.heads import autocast_for, causal_lm_parts, gather_log_probs, head_log_probs
from trustkit.scoring.memory import head_chunk_rows
from trustkit.scoring.rows import Plan
from trustkit.scoring.scorer import Scorer


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
    sentence_metrics = ("ll",)
    pair_metrics = ("ll_shared",)

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

    def _encode_many(self, sentences: list[str]) -> list[list[int]]:
        return [[self.prefix_id] + e[0] for e in self._encoded(sentences, special=False)]

    def _truncated_many(self, sentences: list[str]) -> list[list[int]]:
        ids = self._encode_many(sentences)
        return [x[: self.max_length] for x in ids] if self.truncate else ids

    @staticmethod
    def _rows(ids: list[list[int]], counted: list[list[int]]) -> Plan:
        # the output at t predicts token t + 1: one row per sentence, every position but the last
        return Plan.one_row_per_sentence(ids, [range(len(x) - 1) for x in ids], [x[1:] for x in ids],
                                         [range(1, len(x)) for x in ids], counted)

    def _plan_many(self, items: list, metric: str) -> list[Plan]:
        if metric == "ll":
            return [self._rows([ids], [list(range(1, len(ids)))]) for ids in self._truncated_many(items)]
        ids = self._truncated_many([s for pair in items for s in pair])
        plans = []
        for ids1, ids2 in zip(ids[0::2], ids[1::2]):
            t1, t2 = shared_spans(ids1[1:], ids2[1:])  # align the sentences, not the prefix
            plans.append(self._rows([ids1, ids2], [[p + 1 for p in t1], [p + 1 for p in t2]]))
        return plans

    def _step(self, metric: str):
        model, parts = self.model, self.parts
        autocast = autocast_for(self.device, self.dtype)
        chunk = head_chunk_rows(self.model.config.vocab_size, self.device, self.batch_tokens)

        def step(input_ids, attention_mask, b, p, targets):
            with autocast:
                if parts is not None:
                    body, head = parts
                    hidden = body(input_ids=input_ids, attention_mask=attention_mask,
                                  use_cache=False)[0]
                    return head_log_probs(head, hidden[b, p], targets, chunk), None
                logits = model(input_ids=input_ids, attention_mask=attention_mask,
                               use_cache=False).logits[b, p]
            return gather_log_probs(logits, targets), None

        return step
