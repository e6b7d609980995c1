"""On-disk cache of paraphrase candidates, one small JSON file per (backend, seed, n, sentence).

Part of ``trustkit.paraphrase``: every backend's ``generate`` reads and writes it, so a long run that
is interrupted resumes where it stopped and a re-run with the same settings costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from trustkit.fileio import atomic_write_text
from trustkit.paths import cache_dir


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:80]


class ParaphraseCache:
    """Candidates keyed by backend id, seed, n and the exact source sentence.

    Parameters
    ----------
    backend_id : str
        Identifies everything that changes a backend's output (model file hash, prompt, decoding).
    root : path, optional
        Directory to use; default ``cache_dir("paraphrase")``.

    Example
    -------
    >>> import tempfile
    >>> cache = ParaphraseCache("demo", root=tempfile.mkdtemp())
    >>> cache.put("Hi.", seed=0, n=1, candidates=["Hello."])
    >>> cache.get("Hi.", seed=0, n=1)
    ['Hello.']
    """

    def __init__(self, backend_id: str, root: str | os.PathLike | None = None):
        digest = hashlib.sha256(backend_id.encode()).hexdigest()[:12]
        base = Path(root) if root is not None else cache_dir("paraphrase")
        self.backend_id = backend_id
        self.directory = base / f"{_slug(backend_id)}-{digest}"

    def _path(self, sentence: str, seed: int, n: int) -> Path:
        key = hashlib.sha256(f"{seed}\x00{n}\x00{sentence}".encode()).hexdigest()
        return self.directory / key[:2] / f"{key}.json"

    def get(self, sentence: str, seed: int, n: int) -> list[str] | None:
        """Return the cached candidates, or None when this sentence was not generated yet."""
        path = self._path(sentence, seed, n)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        if record.get("sentence") != sentence:  # hash collision or a foreign file: recompute
            return None
        return list(record["candidates"])

    def put(self, sentence: str, seed: int, n: int, candidates: list[str]) -> None:
        """Store candidates atomically, so an interrupted run never leaves a half-written entry."""
        record = {
            "backend": self.backend_id,
            "seed": seed,
            "n": n,
            "sentence": sentence,
            "candidates": list(candidates),
        }
        atomic_write_text(self._path(sentence, seed, n), json.dumps(record, ensure_ascii=False))
