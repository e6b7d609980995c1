"""Where trustkit keeps things: the cache directory and the data mirror.

Both come from environment variables so that the Makefile, CI and users can point them elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(*parts: str) -> Path:
    """Return (and create) a directory under the trustkit cache.

    The root is ``$TRUSTKIT_CACHE`` if set, else ``~/.cache/trustkit``.

    >>> cache_dir("models").name
    'models'
    """
    root = Path(os.environ.get("TRUSTKIT_CACHE") or Path.home() / ".cache" / "trustkit")
    path = root.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_mirror() -> Path | None:
    """Return the local data mirror directory named by ``$TRUSTKIT_DATA_MIRROR``, or None."""
    value = os.environ.get("TRUSTKIT_DATA_MIRROR")
    return Path(value) if value else None
