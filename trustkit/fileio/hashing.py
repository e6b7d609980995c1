"""The one place that knows how a file is hashed: sha256, remembered per (path, size, mtime)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

from trustkit.fileio.atomic import atomic_write_text
from trustkit.paths import cache_dir


def sha256_file(path: str | os.PathLike, *, remember: bool = False) -> str:
    """Return the hex sha256 of a file's bytes, read in blocks.

    Parameters
    ----------
    path : the file to hash.
    remember : keep the hash under ``cache_dir("hashes")`` and reuse it while the file's full stat
        identity (:func:`file_identity`) holds, so a big weight file is hashed once, not on every
        load. ``cp -p``, ``rsync -a``, ``tar`` and ``touch -r`` can restore a size and an mtime, but
        not the ctime (the kernel sets it on every change), so a file replaced in place is re-hashed.

    Example
    -------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"; _ = p.write_bytes(b"abc")
    >>> sha256_file(p)[:12]
    'ba7816bf8f01'
    >>> sha256_file(p, remember=True) == sha256_file(p)
    True
    """
    if remember:
        return _remembered_sha256(Path(path).resolve())
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def file_identity(path: str | os.PathLike) -> dict:
    """The stat identity a remembered hash is tied to: path, device, inode, size, mtime_ns, ctime_ns.

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


def _remembered_sha256(path: Path) -> str:
    stamp = file_identity(path)
    try:
        key = hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:32]
        record: Path | None = cache_dir("hashes") / f"{key}.json"
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
