"""Masked-LM scores: PLL, PLL-word-l2r, AUL, AULA per sentence and the CrowS-Pairs score per pair.

Each metric only decides which rows to build (which positions are masked, which are scored);
all rows of the whole input go through the one batching routine.
"""

from __future__ import annotations

import contextlib

import torch

from trustkit.errors import InputError
from trustkit.scoring.heads import gather_log_probs, head_log_probs, masked_lm_parts
from trustkit.scoring.last_layer import last_layer_runner
from trustkit.scoring.memory import head_chunk_rows
from trustkit.scoring.reduced import pass_autocast
from trustkit.scoring.registry import get_metric, metric_names
from trustkit.scoring.scorer import Scorer


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
    >>> from trustkit.models import load_pretrained, random_control
    >>> lm = load_pretrained(random_control("bert", "tiny"), random_control=True)  # a tiny random control
    >>> scorer = MaskedLMScorer(lm.model, lm.tokenizer, cache=False, progress=False)
    >>> [round(score, 1) for score in scorer.score_sentences(["The nurse is tired."], "pll")]
    [-51.9]
    """

    kind = "masked"
    sentence_metrics = metric_names("masked", "sentence")
    pair_metrics = metric_names("masked", "pair")

    def __init__(self, model, tokenizer, **kwargs):
        if tokenizer.mask_token_id is None:
            raise InputError(
                f"the tokenizer {type(tokenizer).__name__} has no mask token, so it "
                "cannot drive a masked LM; pass the model's own tokenizer"
            )
        if model.get_output_embeddings() is None:
            raise InputError(
                f"{type(model).__name__} has no masked-LM head; load the model as "
                "a *ForMaskedLM (e.g. load_scorer(..., kind='masked'))"
            )
        super().__init__(model, tokenizer, **kwargs)
        self.parts = masked_lm_parts(model)
        self.last_layer = None if self.parts is None else last_layer_runner(self.parts[0])
        # metric.py lowercases sentences for uncased models (bert-base-uncased, albert).
        self.uncased = bool(getattr(tokenizer, "do_lower_case", False))

    def _encode_many(self, sentences: list[str]) -> list[list[int]]:
        return [e[0] for e in self._encoded(sentences, special=True)]

    def _truncated_many(self, sentences: list[str]) -> list[list[int]]:
        return [e[0] for e in self._encoded(sentences, special=True, cut=self.truncate)]

    def _step(self, metric: str):
        model, parts, last_layer = self.model, self.parts, self.last_layer
        autocast = pass_autocast(model, self.device, self.dtype)
        spec = get_metric(metric)
        attend = spec.needs_attention
        chunk = head_chunk_rows(self.model.config.vocab_size, self.device, self.batch_tokens)

        # One scored position per row (the registry's flag, true by construction of those plans):
        # the last layer runs there only. Known from the metric, so no device sync asks the batch.
        one_per_row = spec.one_position_per_row

        def step(input_ids, attention_mask, b, p, targets):
            extras = None
            with autocast:
                if last_layer is not None and one_per_row and not attend:
                    log_probs = head_log_probs(
                        parts[1], last_layer(input_ids, attention_mask, p), targets, chunk
                    )
                elif parts is not None:
                    body, head = parts
                    out = body(input_ids=input_ids, attention_mask=attention_mask, output_attentions=attend)
                    log_probs = head_log_probs(head, out[0][b, p], targets, chunk)
                else:  # unknown architecture: full logits, then gather (exact, slower)
                    out = model(input_ids=input_ids, attention_mask=attention_mask, output_attentions=attend)
                    log_probs = gather_log_probs(out.logits[b, p], targets)
                if attend:
                    extras = _received_attention(out.attentions, attention_mask)[b, p]
            return log_probs, extras

        return step

    def _running(self, metric: str):
        """Attention weights (AULA) come only from the eager implementation."""
        if get_metric(metric).needs_attention:
            return eager_attention(self.model)
        return contextlib.nullcontext()


@contextlib.contextmanager
def eager_attention(model):
    """Switch ``model`` to eager attention for the block, and restore its implementation after.

    The implementation is restored also when the block raises.

    Example
    -------
    >>> from transformers import BertConfig, BertForMaskedLM
    >>> m = BertForMaskedLM(BertConfig(hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
    ...                                intermediate_size=8, attn_implementation="sdpa"))
    >>> with eager_attention(m):
    ...     m.config._attn_implementation
    'eager'
    >>> m.config._attn_implementation
    'sdpa'
    """
    previous = model.config._attn_implementation
    if previous == "eager":
        yield model
        return
    model.set_attn_implementation("eager")
    try:
        yield model
    finally:
        model.set_attn_implementation(previous)


def _received_attention(attentions, attention_mask) -> torch.Tensor:
    """Attention each key position receives: mean over layers, heads and (real) query positions."""
    mean = torch.stack([a.float() for a in attentions]).mean(dim=(0, 2))  # batch × query × key
    if attention_mask is None:
        return mean.mean(dim=1)
    queries = attention_mask.float()
    return (mean * queries[:, :, None]).sum(dim=1) / queries.sum(dim=1, keepdim=True)
