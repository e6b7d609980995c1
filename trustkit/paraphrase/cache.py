"""Paraphrase candidates on disk, keyed by (backend, seed, n, sentence), in the score cache's store.

Part of ``trustkit.paraphrase``: every backend's ``generate`` reads and writes it, so a long run that
is interrupted resumes where it stopped and a re-run with the same settings costs nothing. The
entries live in a :class:`trustkit.scoring.ScoreCache` file of their own (``paraphrases.sqlite``),
so each is written atomically and stored with a checksum: an entry that fails it is generated
again, with one warning.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path

from trustkit.paths import cache_dir
from trustkit.scoring.cache import CacheIntegrityWarning, ScoreCache

FILE_NAME = "paraphrases.sqlite"


class ParaphraseCache:
    """Candidates keyed by backend id, seed, n and the exact source sentence.

    Parameters
    ----------
    backend_id : str
        Identifies everything that changes a backend's output (model file hash, prompt, decoding).
    root : path, optional
        Directory of the cache file; default ``cache_dir("paraphrase")``.

    Example
    -------
    >>> import tempfile
    >>> cache = ParaphraseCache("demo", root=tempfile.mkdtemp())
    >>> cache.put("Hi.", seed=0, n=1, candidates=["Hello."])
    >>> cache.get("Hi.", seed=0, n=1)
    ['Hello.']
    """

    def __init__(self, backend_id: str, root: str | os.PathLike | None = None):
        base = Path(root) if root is not None else cache_dir("paraphrase")
        self.backend_id = backend_id
        self.store = ScoreCache(base / FILE_NAME)
        self.path = self.store.path

    def _key(self, sentence: str, seed: int, n: int) -> str:
        blob = json.dumps(["paraphrase", self.backend_id, int(seed), int(n), sentence], ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def get(self, sentence: str, seed: int, n: int) -> list[str] | None:
        """Return the cached candidates, or None when this sentence was not generated yet."""
        record = self.store.get_many([self._key(sentence, seed, n)])
        if self.store.corrupt:
            warnings.warn(
                f"a cached paraphrase in {self.path} failed its checksum and is generated again",
                CacheIntegrityWarning,
                stacklevel=3,
            )
            self.store.corrupt = 0
        if not record:
            return None
        (value,) = record.values()
        if value.get("sentence") != sentence:  # a foreign entry: recompute
            return None
        return list(value["candidates"])

    def put(self, sentence: str, seed: int, n: int, candidates: list[str]) -> None:
        """Store candidates in one transaction, so an interrupted run never leaves a half-written entry."""
        record = {"backend": self.backend_id, "seed": seed, "n": n, "sentence": sentence}
        self.store.put_many({self._key(sentence, seed, n): {**record, "candidates": list(candidates)}})

    def __len__(self) -> int:
        return len(self.store)

    def close(self) -> None:
        """Close the cache file."""
        self.store.close()
