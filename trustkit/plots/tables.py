"""Tables for notebooks in the house style.

Per-category scores with the small categories greyed out, and any table with its counts as
integers and its estimates rounded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trustkit.plots.style import MIN_PAIRS

__all__ = ["category_table", "tidy_table"]


def category_table(scores: pd.DataFrame, min_pairs: int = MIN_PAIRS, series: str = "model"):
    """Bias score per category (rows) and series (columns) as "score (n)"; fewer than ``min_pairs`` greyed out.

    A score from one to three pairs reads 0, 50 or 100 and says nothing; the table keeps it (so
    every category is accounted for) but greys it and says why in its caption.

    Parameters
    ----------
    scores : rows of :func:`trustkit.stats.series_bias_scores` with ``by=...`` (``group, estimate, n``
        and the ``series`` column).
    min_pairs : the fewest pairs a score needs to be shown in black.
    series : the column whose values become the table's columns.

    Returns
    -------
    A pandas Styler (shown as an HTML table in Jupyter); ``.data`` is the plain table.

    Example
    -------
    >>> s = pd.DataFrame({"model": "m", "group": ["overall", "age"], "estimate": [60.0, 100.0], "n": [40, 2]})
    >>> category_table(s).data.loc["age", "m"]
    '100.0 (2)'
    """
    est = scores.pivot_table(index="group", columns=series, values="estimate", sort=False)
    n = scores.pivot_table(index="group", columns=series, values="n", sort=False).reindex_like(est)
    text = pd.DataFrame(
        {
            c: [f"{a:.1f} ({int(b)})" if pd.notna(a) else "–" for a, b in zip(est[c], n[c].fillna(0))]
            for c in est.columns
        },
        index=est.index,
    )
    text.columns.name = f"{series}: score (pairs)"
    grey = n.lt(min_pairs) | est.isna()

    def colour(column: pd.Series) -> list[str]:
        return ["color: #9a9a9a" if small else "" for small in grey[column.name]]

    caption = (
        f"Bias score (%) per category, with the number of pairs. Grey: fewer than {min_pairs} pairs, "
        "too few for the score to mean anything."
    )
    return text.style.apply(colour, axis=0).set_caption(caption)


def _cell(value, decimals: int) -> object:
    """One value as a reader wants it: whole floats as int, others rounded, lists and dicts as text."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            return value
        return int(value) if float(value).is_integer() else round(float(value), decimals)
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(str(_cell(v, decimals)) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_cell(v, decimals)}" for k, v in value.items())
    return value


def tidy_table(table, *, decimals: int = 2) -> pd.DataFrame:
    """A table as a notebook should show it: integer counts as integers, estimates rounded.

    Parameters
    ----------
    table : DataFrame, Series or dict (a summary: shown as one ``value`` column).
    decimals : digits kept on the estimates.

    Returns
    -------
    DataFrame: float columns whose values are all whole become ``Int64``; other floats are rounded;
    lists and dicts become text (no ``[14]`` reprs, no ``dtype: object``).

    Example
    -------
    >>> tidy_table({"pairs": 40.0, "auc": 0.81234, "ids": [14]})["value"].tolist()
    [40, 0.81, '14']
    >>> tidy_table(pd.DataFrame({"n": [1508.0, 3.0], "share": [0.12345, 0.5]})).dtypes.astype(str).tolist()
    ['Int64', 'float64']
    """
    if isinstance(table, dict | pd.Series):
        items = table.items()
        return pd.DataFrame({"value": [_cell(v, decimals) for _, v in items]}, index=list(dict(table).keys()))
    out = table.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_float_dtype(values):
            finite = values.dropna()
            if len(finite) and np.isfinite(finite).all() and (finite == finite.round()).all():
                out[column] = values.round().astype("Int64")
            else:
                out[column] = values.round(decimals)
        elif values.dtype == object:
            out[column] = [_cell(v, decimals) for v in values]
    return out
