"""File hashes for model provenance and bundle verification.

A sha256 is cached per file so big weight files are hashed once, not on every load. The cached
value is reused only when the file's full identity matches: device, inode, size, mtime_ns and
ctime_ns. ``cp -p``, ``rsync -a``, ``tar`` and ``touch -r`` can restore a size and an mtime, but
not the ctime (the kernel sets it on every change), so a checkpoint replaced in place is re-hashed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

from trustkit.fileio import atomic_write_text, sha256_file
from trustkit.paths import cache_dir


def _record_path(path: Path) -> Path:
    key = hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:32]
    return cache_dir("hashes") / f"{key}.json"


def file_identity(path: str | os.PathLike) -> dict:
    """The stat identity a cached hash is tied to: path, device, inode, size, mtime_ns, ctime_ns.

    Two equal identities mean the file was not replaced or written in between (the kernel moves
    ctime on every change, and ``touch``/``cp -p`` cannot set it back).

    >>> import tempfile; f = tempfile.NamedTemporaryFile()
    >>> file_identity(f.name) == file_identity(f.name)
    True
    """
    path = Path(path).resolve()
    stat = path.stat()
    return {
        "path": str(path),
        "dev": stat.st_dev,
        "inode": stat.st_ino,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "ctime_ns": stat.st_ctime_ns,
    }


def file_sha256(path: str | os.PathLike, use_cache: bool = True) -> str:
    """Return the sha256 of a file, reusing a cached value only while its full stat identity holds.

    Parameters
    ----------
    path : the file to hash.
    use_cache : read and write the cache record under ``cache_dir("hashes")``.

    Returns
    -------
    The hex digest (64 characters).

    Example
    -------
    >>> file_sha256("model.safetensors")  # doctest: +SKIP
    '3f1c...'
    """
    path = Path(path).resolve()
    stamp = file_identity(path)
    try:
        record = _record_path(path) if use_cache else None
    except OSError:  # the cache directory cannot be created
        record = None
    if record is not None and record.exists():
        try:
            cached = json.loads(record.read_text())
            if all(cached.get(k) == v for k, v in stamp.items()) and len(cached.get("sha256", "")) == 64:
                return cached["sha256"]
        except (OSError, ValueError):
            pass  # an unreadable record is simply recomputed
    digest = sha256_file(path)
    if record is not None and file_identity(path) == stamp:  # unchanged while we read it
        with contextlib.suppress(OSError):  # a read-only or full cache: the hash is simply not remembered
            atomic_write_text(record, json.dumps({**stamp, "sha256": digest}))
    return digest


def conversion_dir(source: str | os.PathLike, kind: str) -> Path:
    """Where trustkit keeps its conversion of ``source`` (it may not exist yet).

    The name holds the file's stem, the first 16 hex digits of its sha256 and the transformers
    version, so a changed file or a new transformers gets a conversion of its own. ``kind`` names
    the folder under ``$TRUSTKIT_CACHE/models`` (``gguf-converted``, ``pickle-converted``).

    >>> conversion_dir("pytorch_model.bin", "pickle-converted").parent.name  # doctest: +SKIP
    'pickle-converted'
    """
    from importlib.metadata import version

    source = Path(source)
    key = f"{source.stem}-{file_sha256(source)[:16]}-transformers{version('transformers')}"
    return cache_dir("models", kind) / key
