"""File primitives every module shares: sha256 of a file, atomic replacement, and result tables.

One place knows how files are hashed and how results reach disk without ever leaving a half-written
file: outputs get the permissions the umask allows, a result table and its JSON sidecar are
written as one unit (the sidecar names the table's sha256), and CSV text cells that a spreadsheet
would run as a formula are neutralised.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from trustkit.errors import InputError
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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def neutralise_csv_cells(frame):
    """Prefix ``'`` to text cells that a spreadsheet would run as a formula (OWASP CSV injection).

    Only text cells starting with ``= + - @`` (or TAB/CR) change; numbers, numeric columns and
    text that reads as a number (``-1.5``) are untouched.

    >>> import pandas as pd
    >>> neutralise_csv_cells(pd.DataFrame({"t": ["=1+2", "-1.5", "ok"], "x": [-1.0, 2.0, 3.0]})).t.tolist()
    ["'=1+2", '-1.5', 'ok']
    """
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = [
                f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_STARTS) and not _is_number(v) else v
                for v in out[column]
            ]
    return out


def read_json(path: str | Path, default):
    """The JSON value in ``path``, or ``default`` when the file does not exist.

    >>> read_json("/nonexistent/records.json", default={})
    {}
    """
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default


def finite_json(value):
    """``value`` with every NaN or infinite float replaced by None, so that it is strict JSON (null).

    A bare ``NaN`` (what ``json.dumps`` writes by default) is refused by other JSON readers.

    >>> finite_json({"score": float("nan"), "n": [1.5, float("inf")]})
    {'score': None, 'n': [1.5, None]}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(item) for item in value]
    return value


def sidecar_path(table: str | Path) -> Path:
    """Where a result table's provenance lives: ``TABLE.json`` beside it."""
    table = Path(table)
    return table.with_name(table.name + ".json")


def write_table_with_sidecar(frame, out: str | Path, sidecar: dict) -> Path:
    """Write a result table (``.csv`` or ``.parquet``) and its JSON sidecar as one unit.

    Both are written completely to temporary files first; the sidecar records the table's name
    and sha256. Then the old sidecar is removed, the table moved into place, and the new sidecar
    moved beside it: a run killed at any moment leaves the old pair, a table without a sidecar,
    or the new pair, never a table beside another run's provenance (:func:`check_sidecar` tells).

    >>> import pandas as pd, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_table_with_sidecar(pd.DataFrame({"a": [1]}), out, {"run": 1})
    >>> check_sidecar(out) is None
    True
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    side = sidecar_path(out)
    with _temp_beside(out, out.suffix) as table_tmp, _temp_beside(side) as side_tmp:
        if out.suffix == ".parquet":
            frame.to_parquet(table_tmp, index=False)
        else:
            neutralise_csv_cells(frame).to_csv(table_tmp, index=False)
        record = {**sidecar, "table": out.name, "table_sha256": sha256_file(table_tmp)}
        text = json.dumps(finite_json(record), indent=1, default=str, allow_nan=False)
        side_tmp.write_text(text, encoding="utf-8")
        _publishable(table_tmp)
        _publishable(side_tmp)
        side.unlink(missing_ok=True)
        os.replace(table_tmp, out)
        os.replace(side_tmp, side)
    return out


def check_sidecar(table: str | Path) -> str | None:
    """Why a result table's sidecar does not describe it (missing, unreadable, other sha256), or None.

    >>> check_sidecar("/nonexistent/t.csv")
    'no sidecar /nonexistent/t.csv.json beside the table'
    """
    side = sidecar_path(table)
    try:
        record = json.loads(side.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"no sidecar {side} beside the table"
    except (OSError, ValueError) as err:
        return f"sidecar {side} cannot be read ({err})"
    if record.get("table_sha256") != sha256_file(table):
        return f"sidecar {side} describes another version of {Path(table).name} (sha256 differs)"
    return None


def read_table_with_sidecar(path: str | Path):
    """A result table (e.g. of ``trustkit score``) with its sidecar in ``attrs``.

    ``attrs`` gets ``metric``, ``utility``, ``stereoset_lms`` and the whole ``sidecar``.

    A table without a sidecar that describes it is refused: its metric, and so its tie rule,
    would be a guess.

    Example
    -------
    >>> read_table_with_sidecar("missing.csv")
    Traceback (most recent call last):
    ...
    FileNotFoundError: missing.csv: no such scored table
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such scored table")
    if path.suffix not in (".csv", ".parquet"):
        raise ValueError(f"{path}: a scored table ends in .csv or .parquet")
    problem = check_sidecar(path)
    if problem is not None:
        raise ValueError(f"{path}: {problem}; rescore it with trustkit score --out")
    table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    sidecar = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    table.attrs["metric"] = sidecar.get("metric")
    table.attrs["sidecar"] = sidecar
    table.attrs["utility"] = sidecar.get("utility")
    table.attrs["stereoset_lms"] = sidecar.get("stereoset_lms")
    return table


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
