"""Causal-LM scores: exact sentence log-likelihood ``ll`` and the shared-token variant ``ll_shared``.

Convention of lm-evaluation-harness's crows_pairs task: every token of the sentence is scored,
conditioned on one prefix token (the tokenizer's BOS, else its EOS).
"""

from __future__ import annotations

from trustkit.scoring.heads import causal_lm_parts, gather_log_probs, head_log_probs
from trustkit.scoring.memory import head_chunk_rows
from trustkit.scoring.policy import CausalPolicy
from trustkit.scoring.reduced import pass_autocast
from trustkit.scoring.registry import metric_names
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
    ``geomean_prob``
        StereoSet's / bias-bench's geometric-mean token probability (``trustkit.scoring.measures.geomean_prob``).

    ``policy`` (:class:`~trustkit.scoring.policy.CausalPolicy`) states what ``ll`` and
    ``ll_shared`` condition on (prefix token or text, chat template), whether the first token
    counts and how the sum is normalised; the default is the convention above. It is part of
    :meth:`identity`, hence of every cache key and of the provenance.

    Example
    -------
    >>> import torch, transformers
    >>> from trustkit.models import load_pretrained, random_control
    >>> tokenizer = load_pretrained(random_control("bert", "tiny"), random_control=True).tokenizer
    >>> _ = torch.manual_seed(0)  # a tiny random GPT-2 as a control; its first token follows [CLS]
    >>> model = transformers.GPT2LMHeadModel(transformers.GPT2Config(
    ...     vocab_size=len(tokenizer), n_embd=32, n_layer=2, n_head=2, n_positions=64,
    ...     bos_token_id=tokenizer.cls_token_id, eos_token_id=tokenizer.sep_token_id))
    >>> scorer = CausalLMScorer(model, tokenizer, CausalPolicy(prefix="[CLS]"), cache=False, progress=False)
    >>> [round(score, 1) for score in scorer.score_sentences(["The nurse is tired."], "ll")]
    [-52.0]
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

    def with_policy(self, policy: CausalPolicy) -> CausalLMScorer:
        """A scorer of the same model, tokenizer and settings (cache included) with another ``policy``."""
        sibling = CausalLMScorer(
            self.model,
            self.tokenizer,
            policy=policy,
            device=self.device,
            dtype=self.precision,
            batch_tokens=self.batch_tokens,
            cache=self.cache if self.cache is not None else False,
            model_id=self.model_id,
            truncate=self.truncate,
            progress=self.progress,
            provenance=self.provenance,
        )
        sibling.progress_label = self.progress_label
        return sibling

    def identity(self) -> dict:
        """The base identity plus the scoring policy: a policy change never reuses a cached score."""
        ident = super().identity()
        ident.setdefault("causal_policy", self.policy.record(self.tokenizer))
        return ident

    def _encode_many(self, sentences: list[str]) -> list[list[int]]:
        return [self.context + e[0] for e in self._encoded(sentences, special=False)]

    def _truncated_many(self, sentences: list[str]) -> list[list[int]]:
        ids = self._encode_many(sentences)
        return [x[: self.max_length] for x in ids] if self.truncate else ids

    def _first(self) -> int:
        """Position of the first scored token.

        It comes after the context, and after the first token too when the policy does not score it.
        """
        return len(self.context) + (0 if self.policy.score_first else 1)

    def _rows(self, ids: list[list[int]], counted: list[list[int]]) -> Plan:
        # the output at t predicts token t + 1: one row per sentence, from the first scored token on
        first = self._first()
        return Plan.one_row_per_sentence(
            ids,
            [range(first - 1, len(x) - 1) for x in ids],
            [x[first:] for x in ids],
            [range(first, len(x)) for x in ids],
            counted,
        )

    def _step(self, metric: str):
        model, parts = self.model, self.parts
        autocast = pass_autocast(model, self.device, self.dtype)
        chunk = head_chunk_rows(self.model.config.vocab_size, self.device, self.batch_tokens)

        def step(input_ids, attention_mask, b, p, targets):
            with autocast:
                if parts is not None:
                    body, head = parts
                    hidden = body(input_ids=input_ids, attention_mask=attention_mask, use_cache=False)[0]
                    return head_log_probs(head, hidden[b, p], targets, chunk), None
                logits = model(input_ids=input_ids, attention_mask=attention_mask, use_cache=False).logits[
                    b, p
                ]
            return gather_log_probs(logits, targets), None

        return step
