"""Atomic replacement: a file or folder appears whole or not at all, with the umask's permissions."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from trustkit.errors import InputError


@contextmanager
def atomic_path(target: str | Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success move it onto ``target`` atomically.

    Whatever the block writes to the yielded path appears at ``target`` in one ``os.replace``, so a
    reader (or a run killed at any moment) sees either the old file or the complete new one. If the
    block raises, the temporary file is removed and ``target`` is untouched. ``suffix`` keeps an
    extension on the temporary name for writers that infer the format from it.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "scores.txt"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("done")
    >>> out.read_text()
    'done'
    """
    target = Path(target)
    with _temp_beside(target, suffix) as tmp:
        yield tmp
        _publishable(tmp)
        os.replace(tmp, target)


@contextmanager
def atomic_dir(
    target: str | os.PathLike, *, complete: Callable[[Path], bool] | None = None
) -> Iterator[Path]:
    """Yield a temporary directory beside ``target``; on success it becomes ``target`` in one rename.

    A reader (or a run killed at any moment) sees no ``target`` or the complete one. The directory
    gets the mode a plain ``mkdir`` would (0777 & ~umask), not mkdtemp's 0700. If the block raises,
    the temporary directory is removed and ``target`` is untouched.

    Parameters
    ----------
    target : the directory to create or replace.
    complete : tells a finished ``target`` (e.g. one holding its ``source.json``). When another
        process finished the same work first, its ``target`` is kept (also when renaming onto it
        fails); an unfinished ``target`` left by an earlier attempt is replaced.

    Example
    -------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "converted"
    >>> with atomic_dir(out) as tmp:
    ...     _ = (tmp / "config.json").write_text("{}")
    >>> sorted(p.name for p in out.iterdir()), oct(out.stat().st_mode & 0o777) == oct(0o777 & ~_umask())
    (['config.json'], True)
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        yield tmp
        if complete is not None and complete(target):
            return
        if target.is_dir():
            shutil.rmtree(target)  # an unfinished earlier attempt
        os.chmod(tmp, 0o777 & ~_umask())
        os.replace(tmp, target)
    except OSError:
        if complete is None or not complete(target):
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def _temp_beside(target: Path, suffix: str = "") -> Iterator[Path]:
    """A temporary file in ``target``'s directory, removed at the end unless it was moved away."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or ".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _publishable(tmp: Path) -> None:
    """Mkstemp makes 0600 files; give the output the mode a plain ``open`` would (0666 & ~umask)."""
    if tmp.exists():
        os.chmod(tmp, 0o666 & ~_umask())


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_path`) and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def check_output_path(out: str | Path, inputs=(), force: bool = False) -> None:
    """Refuse (InputError) an output that is a directory, is one of ``inputs``, or exists without ``force``.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); (d / "in.csv").write_text("x")
    1
    >>> check_output_path(d / "in.csv", inputs=[d / "in.csv"], force=True)
    Traceback (most recent call last):
    trustkit.errors.InputError: --out .../in.csv is also an input; choose another output file
    """
    out = Path(out)
    if out.is_dir():
        raise InputError(f"--out {out} is a directory; name a file in it, e.g. {out / 'scores.csv'}")
    for item in inputs:
        if item and Path(item).exists() and out.exists() and os.path.samefile(out, item):
            raise InputError(f"--out {out} is also an input; choose another output file")
    if out.exists() and not force:
        raise InputError(f"--out {out} exists; pass --force to overwrite it, or choose another file")
