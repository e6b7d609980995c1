"""Getting the registry's files: from the cache, the local mirror or a download.

The mirror is ``$TRUSTKIT_DATA_MIRROR``; each copy is verified against the sha256 in
:mod:`trustkit.data.registry`.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from trustkit.errors import TrustkitError, UnknownNameError, did_you_mean
from trustkit.fileio import atomic_path, sha256_file
from trustkit.paths import cache_dir, data_mirror

if TYPE_CHECKING:
    from trustkit.data.registry import DataFile


class DataIntegrityError(TrustkitError, ValueError):
    """A data file's sha256 is not the one the registry records (corrupted or altered copy)."""


def verify_file(path: str | os.PathLike, expected: str) -> str:
    """Check that ``path`` hashes to ``expected``; return the hash or raise DataIntegrityError.

    The error names the file and both hashes so the user can see what was refused.

    >>> verify_file(fetch("crows_pairs"), get_dataset("crows_pairs").files[0].sha256)  # doctest: +SKIP
    'dfb36986...'
    """
    found = sha256_file(path)
    if found != expected:
        raise DataIntegrityError(
            f"{path}: sha256 mismatch, expected {expected}, found {found}. The copy is corrupted or "
            "altered; restore the original file (or delete it so that trustkit fetches it again)."
        )
    return found


def _copy_atomic(src: Path, dest: Path) -> None:
    with atomic_path(dest) as tmp:
        shutil.copyfile(src, tmp)


def _download(file: DataFile, dest: Path) -> None:
    import pooch

    if file.url is None:
        raise FileNotFoundError(
            f"{file.folder}/{file.filename} has no upstream download. Point TRUSTKIT_DATA_MIRROR at a "
            "directory holding it, or build the table from the Anthology's BibTeX export with "
            "trustkit.data.anthology_from_bibtex()."
        )
    try:
        pooch.retrieve(
            file.url, known_hash=f"sha256:{file.sha256}", fname=dest.name, path=dest.parent, progressbar=True
        )
    except ValueError as err:  # pooch reports a hash mismatch as ValueError
        raise DataIntegrityError(
            f"{file.folder}/{file.filename}: download from {file.url} refused: {err}"
        ) from err
    except OSError as err:  # requests' connection and HTTP errors are OSErrors: one line, not a traceback
        first = (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
        raise FileNotFoundError(
            f"{file.folder}/{file.filename}: could not download {file.url} ({type(err).__name__}: {first}); "
            f"to work offline, point TRUSTKIT_DATA_MIRROR at a directory holding {file.folder}/{file.filename} "
            "or copy a filled $TRUSTKIT_CACHE/data from a connected machine"
        ) from err


def fetch_file(file: DataFile) -> Path:
    """Return a verified local copy of one registry file (cache, else mirror, else download).

    A cached copy is re-hashed on every call; a corrupted one is replaced from the mirror or the
    network, with a warning. A corrupted mirror copy is refused with DataIntegrityError.
    """
    dest = cache_dir("data", file.folder) / file.filename
    if dest.exists():
        found = sha256_file(dest)
        if found == file.sha256:
            return dest
        warnings.warn(
            f"{dest}: cached copy is corrupted (expected sha256 {file.sha256}, found {found}); fetching it again",
            stacklevel=3,
        )
        dest.unlink()
    mirror = data_mirror()
    source = mirror / file.folder / file.filename if mirror else None
    if source is not None and source.exists():
        verify_file(source, file.sha256)
        _copy_atomic(source, dest)
    else:
        _download(file, dest)
    verify_file(dest, file.sha256)
    return dest


def fetch(name: str, filename: str | None = None) -> Path:
    """Return the hash-verified local path of a registered dataset.

    Parameters
    ----------
    name : a registry name (see ``trustkit data list``), e.g. ``"crows_pairs"``.
    filename : for datasets of several files, fetch just this one.

    Returns
    -------
    The file's path for single-file datasets (or when ``filename`` is given), else the directory
    holding all of the dataset's files, each verified.

    Example
    -------
    >>> fetch("crows_pairs").name  # doctest: +SKIP
    'crows_pairs_anonymized.csv'
    """
    from trustkit.data.registry import get_dataset

    dataset = get_dataset(name)
    if filename is not None:
        matches = [f for f in dataset.files if f.filename == filename]
        if not matches:
            files = [f.filename for f in dataset.files]
            raise UnknownNameError(
                "file",
                filename,
                files,
                message=f"dataset {name!r} has no file {filename!r}"
                f"{did_you_mean(filename, files)}; its files: {', '.join(files)}",
            )
        return fetch_file(matches[0])
    paths = [fetch_file(f) for f in dataset.files]
    return paths[0] if len(paths) == 1 else paths[0].parent
