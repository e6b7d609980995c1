"""Causal-LM scores: exact sentence log-likelihood ``ll`` and the shared-token variant ``ll_shared``.

Convention of lm-evaluation-harness's crows_pairs task: every token of the sentence is scored,
conditioned on one prefix token (the tokenizer's BOS, else its EOS).
"""

from __future__ import annotations

from trustkit.metrics.registry import metric_names
from trustkit.scoring.batching import Row
from trustkit.scoring.crows import shared_spans
from trustkit.scoring.heads import autocast_for, causal_lm_parts, gather_log_probs
from trustkit.scoring.peer_plans import PEER_PLANS, finish_normalised, normalised
from trustkit.scoring.policy import CausalPolicy
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
    ``geomean_prob``
        StereoSet's / bias-bench's geometric-mean token probability (``trustkit.scoring.peer_plans``).

    ``policy`` (:class:`~trustkit.scoring.policy.CausalPolicy`) states what ``ll`` and
    ``ll_shared`` condition on (prefix token or text, chat template), whether the first token
    counts and how the sum is normalised; the default is the convention above. It is part of
    :meth:`identity`, hence of every cache key and of the provenance.

    Example
    -------
    >>> scorer = CausalLMScorer(model, tokenizer, cache=False)  # doctest: +SKIP
    >>> scorer.score_sentences(["The nurse is tired."], "ll")  # doctest: +SKIP
    """

    kind = "causal"
    sentence_metrics = metric_names("causal", "sentence")
    pair_metrics = metric_names("causal", "pair")

    def __init__(self, model, tokenizer, policy: CausalPolicy | None = None, **kwargs):
        self.policy = policy or CausalPolicy()
        self.context = self.policy.context_ids(tokenizer)  # what every sentence is conditioned on
        self.prefix_id = self.context[0] if self.context else None
        super().__init__(model, tokenizer, **kwargs)
        if tokenizer.pad_token_id is None:
            # padding sits right of the sentence: never attended, any id works
            self.pad_id = next(t for t in (self.prefix_id, tokenizer.eos_token_id, 0) if t is not None)
        self.parts = causal_lm_parts(model)

    def identity(self) -> dict:
        """The base identity plus the scoring policy: a policy change never reuses a cached score."""
        ident = super().identity()
        ident.setdefault("causal_policy", self.policy.record(self.tokenizer))
        return ident

    def _encode(self, sentence: str) -> list[int]:
        return self.context + self.tokenizer(sentence, add_special_tokens=False)["input_ids"]

    def _encode_trunc(self, sentence: str) -> list[int]:
        ids = self._encode(sentence)
        return ids[: self.max_length] if self.truncate else ids

    def _first(self) -> int:
        """Position of the first scored token: after the context, and after the first token too
        when the policy does not score it."""
        return len(self.context) + (0 if self.policy.score_first else 1)

    def _row(self, ids: list[int], slot: int) -> Row:
        first = self._first()
        hidden = tuple(range(first - 1, len(ids) - 1))  # the output at t predicts token t + 1
        return Row(tuple(ids), (), hidden, tuple(ids[first:]), (slot, tuple(range(first, len(ids)))))

    def _plan(self, item, metric: str) -> Plan:
        if metric in PEER_PLANS:
            return PEER_PLANS[metric](self, item)
        if metric == "ll":
            ids = self._encode_trunc(item)
            counted = [list(range(self._first(), len(ids)))]
            return normalised(Plan([ids], [self._row(ids, 0)], counted), self.policy, [item])
        ids1, ids2 = (self._encode_trunc(s) for s in item)
        c, first = len(self.context), self._first()
        t1, t2 = shared_spans(ids1[c:], ids2[c:])  # align the sentences, not the context
        counted = [[p + c for p in t1 if p + c >= first], [p + c for p in t2 if p + c >= first]]
        plan = Plan([ids1, ids2], [self._row(ids1, 0), self._row(ids2, 1)], counted)
        return normalised(plan, self.policy, list(item))

    def _finish(self, plan: Plan, results) -> dict:
        return finish_normalised(Scorer._finish(plan, results), plan)

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
