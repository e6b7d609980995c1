"""Result tables on disk: a table and its JSON sidecar written as one unit, safe CSV and strict JSON.

The sidecar names the table's sha256, so a table edited or replaced after the run is detected;
CSV text cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from trustkit.fileio.atomic import _publishable, _temp_beside
from trustkit.fileio.hashing import sha256_file

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
