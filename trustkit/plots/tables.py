"""Tables for notebooks in the house style: per-category scores with the small categories greyed out."""

from __future__ import annotations

import pandas as pd

from trustkit.plots.style import MIN_PAIRS

__all__ = ["category_table"]


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
