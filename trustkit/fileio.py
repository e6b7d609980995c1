"""File primitives every module shares: sha256 of a file, atomic replacement, and result tables.

One place knows how files are hashed and how results reach disk without ever leaving a half-written
file: outputs get the permissions the umask allows, a result table and its JSON sidecar are
written as one unit (the sidecar names the table's sha256), and CSV text cells that a spreadsheet
would run as a formula are neutralised.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def sha256_file(path: str | Path) -> str:
    """Return the hex sha256 of a file's bytes, read in blocks.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"; _ = p.write_bytes(b"abc")
    >>> sha256_file(p)[:12]
    'ba7816bf8f01'
    """
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


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
        side_tmp.write_text(json.dumps(record, indent=1, default=str), encoding="utf-8")
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

    ``attrs`` gets ``metric``, ``utility`` and the whole ``sidecar``.

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
    return table


def check_output_path(out: str | Path, inputs=(), force: bool = False) -> None:
    """Refuse (ValueError) an output that is a directory, is one of ``inputs``, or exists without ``force``.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); (d / "in.csv").write_text("x")
    1
    >>> check_output_path(d / "in.csv", inputs=[d / "in.csv"], force=True)
    Traceback (most recent call last):
    ValueError: --out .../in.csv is also an input; choose another output file
    """
    out = Path(out)
    if out.is_dir():
        raise ValueError(f"--out {out} is a directory; name a file in it, e.g. {out / 'scores.csv'}")
    for item in inputs:
        if item and Path(item).exists() and out.exists() and os.path.samefile(out, item):
            raise ValueError(f"--out {out} is also an input; choose another output file")
    if out.exists() and not force:
        raise ValueError(f"--out {out} exists; pass --force to overwrite it, or choose another file")
