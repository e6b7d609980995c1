"""Disk cache of scores: one SQLite file (WAL journal) keyed by model, tokenizer, metric and text.

SQLite rather than shard files: every commit is atomic and survives SIGKILL (the WAL is replayed
on the next open), several processes may read and write at once, and a lookup does not load
the whole cache. Each finished batch is committed, so a killed run loses at most one batch.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from trustkit.paths import cache_dir

# Bump when the way a metric is computed changes, so stale scores are never reused.
ENGINE_VERSION = "1"


def item_key(identity: dict, metric: str, item) -> str:
    """Hash of (engine version, model/tokenizer identity, metric, sentence or pair).

    Parameters
    ----------
    identity : dict
        JSON-able description of model weights, tokenizer and numeric settings.
    metric : str
        Metric name, e.g. ``"pll"``.
    item : str or tuple of str
        A sentence, or a pair of sentences for pair metrics.

    Example
    -------
    >>> len(item_key({"model": "x"}, "pll", "A sentence."))
    64
    """
    blob = json.dumps([ENGINE_VERSION, identity, metric, item], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ScoreCache:
    """Key → JSON value store in ``<cache>/scores/scores.sqlite`` (or ``path``).

    Example
    -------
    >>> import tempfile, os
    >>> c = ScoreCache(os.path.join(tempfile.mkdtemp(), "s.sqlite"))
    >>> c.put_many({"k": {"s": [1.0]}}); c.get_many(["k", "missing"])
    {'k': {'s': [1.0]}}
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else cache_dir("scores") / "scores.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable against a killed process (not against power loss), and fast.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("CREATE TABLE IF NOT EXISTS scores (key TEXT PRIMARY KEY, value TEXT)")

    def get_many(self, keys: Iterable[str]) -> dict[str, dict]:
        """Return the stored values for those keys that are present."""
        keys = list(keys)
        found: dict[str, dict] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, value in self._conn.execute(
                f"SELECT key, value FROM scores WHERE key IN ({marks})", chunk
            ):
                found[key] = json.loads(value)
        return found

    def put_many(self, values: dict[str, dict]) -> None:
        """Store values in one atomic transaction (all or nothing)."""
        if not values:
            return
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(
                "INSERT OR REPLACE INTO scores (key, value) VALUES (?, ?)",
                [(k, json.dumps(v)) for k, v in values.items()],
            )

    def __len__(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM scores").fetchone()[0]

    def close(self) -> None:
        """Close the connection (the file stays)."""
        self._conn.close()
