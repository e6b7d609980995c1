"""Where a converted model is kept: a folder named by the source file's sha256 and transformers' version.

Files are hashed by :func:`trustkit.fileio.sha256_file` (``remember=True`` for weights: hashed once
while the file's stat identity holds).
"""

from __future__ import annotations

import os
from pathlib import Path

from trustkit.fileio import sha256_file
from trustkit.paths import cache_dir


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
    key = f"{source.stem}-{sha256_file(source, remember=True)[:16]}-transformers{version('transformers')}"
    return cache_dir("models", kind) / key
