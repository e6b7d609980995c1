"""Disk cache of scores: one SQLite file (WAL journal) keyed by model, tokenizer, metric and text.

SQLite rather than shard files: every commit is atomic and survives SIGKILL (the WAL is replayed
on the next open), several processes may read and write at once, and a lookup does not load
the whole cache. Each finished batch is committed, so a killed run loses at most one batch.

Every value is stored with the sha256 of its key and JSON text; a value whose checksum does not
match (a bit flip, a hand edit) is not returned, so the scorer recomputes it and warns once with
the count. A file that is not a database, or a directory that cannot be read or written, raises
:class:`CacheError` with one line saying what to do.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import time
import warnings
from collections.abc import Iterable
from pathlib import Path

from trustkit.errors import TrustkitError
from trustkit.paths import cache_dir

# Bump when the way a metric is computed changes, so stale scores are never reused.
# 3: rows of a pair batched in another order and the LM head run in chunks (last-digit changes).
ENGINE_VERSION = "3"


class CacheError(TrustkitError, RuntimeError):
    """The score cache cannot be opened, read or written; the message names the file and a fix."""


class CacheIntegrityWarning(UserWarning):
    """Stored values failed their checksum and were recomputed; the message says how many."""


def _checksum(key: str, text: str) -> str:
    return hashlib.sha256(f"{key}\n{text}".encode()).hexdigest()


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

    Parameters
    ----------
    path : path, optional
        The SQLite file; default ``<cache>/scores/scores.sqlite``.
    timeout : float
        Seconds to wait for another process holding the file (opening it, and each write).

    Example
    -------
    >>> import tempfile, os
    >>> c = ScoreCache(os.path.join(tempfile.mkdtemp(), "s.sqlite"))
    >>> c.put_many({"k": {"s": [1.0]}}); c.get_many(["k", "missing"])
    {'k': {'s': [1.0]}}
    """

    def __init__(self, path: str | Path | None = None, timeout: float = 60.0):
        self.path = Path(path) if path else None
        self.corrupt = 0  # values dropped because their checksum did not match
        try:
            if self.path is None:
                self.path = cache_dir("scores") / "scores.sqlite"
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = self._open(self.path, timeout)
        except (OSError, sqlite3.Error) as err:
            raise self._error("cannot be opened", err) from err

    @staticmethod
    def _open(path: Path, timeout: float) -> sqlite3.Connection:
        """Connect and set up the file, retrying while another process holds it.

        Switching a new file to WAL and creating the table take an exclusive lock, and SQLite
        answers "database is locked" at once, without waiting, when several processes (the ranks
        of a torchrun job) open a fresh cache together. So the set-up is retried until
        ``timeout``; any other error is raised as it is.
        """
        deadline = time.monotonic() + timeout
        pause = 0.01
        while True:
            conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
            try:
                # WAL is a property of the file: set it only if no other process has yet.
                if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    conn.execute("PRAGMA journal_mode=WAL")
                # NORMAL is durable against a killed process (not against power loss), and fast.
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS scores_v2 (key TEXT PRIMARY KEY, value TEXT, checksum TEXT)"
                )
                return conn
            except sqlite3.OperationalError as err:
                conn.close()
                busy = "locked" in str(err) or "busy" in str(err)
                if not busy or time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause * (0.5 + random.random()))
                pause = min(pause * 2, 0.5)
            except BaseException:
                conn.close()
                raise

    def _error(self, what: str, err: Exception) -> CacheError:
        where = f"score cache {self.path}" if self.path else "the score cache's directory"
        return CacheError(
            f"{where} {what} ({err}); fix or delete it, point TRUSTKIT_CACHE "
            "elsewhere, or run without the cache (--no-cache)"
        )

    def get_many(self, keys: Iterable[str]) -> dict[str, dict]:
        """Return the stored values for those keys that are present and pass their checksum."""
        keys = list(keys)
        found: dict[str, dict] = {}
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, value, checksum in self._conn.execute(
                    f"SELECT key, value, checksum FROM scores_v2 WHERE key IN ({marks})", chunk
                ):
                    try:
                        if checksum != _checksum(key, value):
                            raise ValueError("checksum mismatch")
                        found[key] = json.loads(value)
                    except (TypeError, ValueError):
                        self.corrupt += 1
        except sqlite3.Error as err:
            raise self._error("cannot be read", err) from err
        return found

    def put_many(self, values: dict[str, dict]) -> None:
        """Store values in one atomic transaction (all or nothing), each with its checksum."""
        if not values:
            return
        rows = []
        for key, value in values.items():
            text = json.dumps(value)
            rows.append((key, text, _checksum(key, text)))
        try:
            with self._conn:
                self._conn.execute("BEGIN IMMEDIATE")
                self._conn.executemany(
                    "INSERT OR REPLACE INTO scores_v2 (key, value, checksum) VALUES (?, ?, ?)", rows
                )
        except (OSError, sqlite3.Error) as err:
            raise self._error("cannot be written", err) from err

    def __len__(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM scores_v2").fetchone()[0]

    def close(self) -> None:
        """Close the connection (the file stays)."""
        self._conn.close()


def open_cache(cache: bool | str | os.PathLike | ScoreCache | None) -> ScoreCache | None:
    """The cache a ``cache=`` argument asks for.

    ``True`` opens the default cache, and if that cannot be opened, warns once and returns None
    (the work goes on uncached). A path opens that file, and a ScoreCache is returned as it is:
    the caller named them, so a failure raises :class:`CacheError`. ``False`` or ``None`` returns
    None.

    Example
    -------
    >>> open_cache(False) is None
    True
    """
    if cache is True:
        try:
            return ScoreCache()
        except CacheError as err:
            warnings.warn(f"{err}; going on without it", stacklevel=3)
            return None
    if isinstance(cache, (str, os.PathLike)):
        return ScoreCache(os.fspath(cache))
    return cache if isinstance(cache, ScoreCache) else None
