"""The bias score with its uncertainty: bootstrap CI over pairs, exact binomial p, corrected across categories.

One tidy row per group (overall and each bias type) so notebooks can print or plot it directly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trustkit.errors import InputError
from trustkit.stats.intervals import percent_interval
from trustkit.stats.tests import adjust_p_values, binomial_test_against_50
from trustkit.tables import check_scored, groups, pair_outcome, tie_decimals

__all__ = ["ROWS", "bias_score_table", "pair_bias_values"]

#: which wordings of each pair enter the score
ROWS = ("original", "paraphrases", "all")


def _select(table: pd.DataFrame, rows: str) -> pd.DataFrame:
    if rows == "original":
        out = table[table["para_index"] == 0]
    elif rows == "paraphrases":
        out = table[table["para_index"] > 0]
    elif rows == "all":
        out = table
    else:
        raise InputError(f"rows must be one of {ROWS}, got {rows!r}")
    if out.empty:
        raise InputError(
            f"the scored table has no {rows!r} rows (para_index 0 = original, > 0 = paraphrases)"
        )
    return out


def pair_bias_values(
    scored: pd.DataFrame, *, rows: str = "original", decimals="auto", metric: str | None = None
) -> pd.DataFrame:
    """One row per pair: its bias value (0–100) and its direction over the chosen wordings.

    ``bias_value`` = 100 × share of the pair's wordings where sent_more scores higher (ties,
    after rounding to ``decimals`` as metric.py does, count as not stereotyped); with only the
    original this is 100 or 0, and its mean over pairs is the CrowS-Pairs metric score.
    ``sign`` = sign(#wordings where sent_more wins − #wordings where sent_less wins): +1, −1 or
    0 (tie), used by the binomial test.

    Parameters
    ----------
    scored : scored pair table.
    rows : ``"original"`` (para_index 0), ``"paraphrases"`` (para_index > 0) or ``"all"``.
    decimals : rounding before comparison; "auto" (default): raw floats for ``aul``/``aula``,
        metric.py's 3 decimals otherwise (see :func:`trustkit.tables.tie_decimals`).
    metric : the scoring metric for "auto" (default: the table's ``metric`` column or attrs).

    Returns
    -------
    DataFrame ``pair_id, bias_type, direction, n_wordings, bias_value, sign``.

    Example
    -------
    >>> t = pd.DataFrame({"pair_id": [1, 1, 1], "para_index": [0, 1, 2], "bias_type": ["age"] * 3,
    ...                   "direction": ["stereo"] * 3, "delta": [1.0, -1.0, 2.0]})
    >>> pair_bias_values(t, rows="all")[["bias_value", "sign"]].iloc[0].round(1).tolist()
    [66.7, 1.0]
    """
    decimals = tie_decimals(scored, decimals=decimals, metric=metric)
    table = _select(check_scored(scored), rows)
    outcome = pair_outcome(table, decimals=decimals).to_numpy()
    frame = pd.DataFrame(
        {
            "pair_id": table["pair_id"].to_numpy(),
            "bias_type": table["bias_type"].to_numpy(),
            "direction": table["direction"].to_numpy(),
            "won": (outcome == 1).astype(float),
            "lost": (outcome == -1).astype(float),
        }
    )
    agg = frame.groupby("pair_id", sort=False).agg(
        bias_type=("bias_type", "first"),
        direction=("direction", "first"),
        n_wordings=("won", "size"),
        won=("won", "sum"),
        lost=("lost", "sum"),
    )
    agg["bias_value"] = 100.0 * agg["won"] / agg["n_wordings"]
    agg["sign"] = np.sign(agg["won"] - agg["lost"]).astype(int)
    return agg.reset_index()[["pair_id", "bias_type", "direction", "n_wordings", "bias_value", "sign"]]


def bias_score_table(
    scored: pd.DataFrame,
    *,
    by: str | None = "bias_type",
    rows: str = "original",
    decimals="auto",
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    method: str = "percentile",
    correction: str = "holm",
    metric: str | None = None,
) -> pd.DataFrame:
    """Bias score per group with a bootstrap CI, an exact binomial p-value and a corrected p-value.

    * ``estimate``: mean over pairs of :func:`pair_bias_values` (for ``rows="original"`` the
      CrowS-Pairs metric score; for paraphrases, each pair weighs the same however many
      paraphrases it kept).
    * ``ci_low``, ``ci_high``: for ``rows="original"`` (and whenever every pair counts 0 or
      100) the score is a proportion of pairs and the interval is exact Clopper–Pearson, with
      width at any n ≥ 1; a mean of per-pair shares of wordings gets the bootstrap over *pairs*
      (seeded; percentile or BCa). ``ci_method`` names the one used (see
      :func:`trustkit.stats.intervals.percent_interval`).
    * ``p``: exact two-sided binomial test of the pair signs against 50%, ties excluded
      (for several wordings a pair's sign is its majority direction).
    * ``p_adjusted``: ``correction`` (Holm by default, or ``"bh"``) applied across the
      category rows; the overall row is not part of that family and keeps its own p.

    Parameters
    ----------
    scored : scored pair table (see :mod:`trustkit.tables`).
    by : grouping column, ``"bias_type"`` or ``"direction"`` (None: overall row only).
    rows : ``"original"``, ``"paraphrases"`` or ``"all"`` wordings.
    decimals : tie rounding: "auto" (default) compares ``aul``/``aula`` scores as raw floats
        (Kaneko & Bollegala) and rounds others to 3 decimals (metric.py); or an int / None.
    n_resamples, confidence, seed, method : interval level and bootstrap settings (the bootstrap
        is used only for means of per-pair shares, see :func:`~trustkit.stats.bootstrap_ci`).
    correction : ``"holm"``, ``"bh"``, ``"bonferroni"`` or ``"none"``.
    metric : the scoring metric for the "auto" tie rule (default: ``metric`` column or attrs).

    Returns
    -------
    DataFrame ``group, rows, estimate, ci_low, ci_high, ci_method, p, p_adjusted, n, n_ties,
    n_stereotyped, correction``; n counts pairs.

    Example
    -------
    >>> t = pd.DataFrame({"pair_id": range(6), "bias_type": ["age"] * 3 + ["race"] * 3,
    ...     "direction": ["stereo"] * 6, "delta": [1.0, 2.0, -1.0, 1.0, 1.0, 1.0]})
    >>> bias_score_table(t)["estimate"].round(1).tolist()
    [83.3, 66.7, 100.0]
    """
    values = pair_bias_values(scored, rows=rows, decimals=decimals, metric=metric)
    records = []
    for i, (name, part) in enumerate(groups(values, by)):
        est, lo, hi, how = percent_interval(
            part["bias_value"].to_numpy(),
            n_resamples=n_resamples,
            confidence=confidence,
            seed=seed + i,
            method=method,
        )
        k = int((part["sign"] == 1).sum())
        n_signed = int((part["sign"] != 0).sum())
        test = binomial_test_against_50(k, n_signed)
        records.append(
            {
                "group": name,
                "rows": rows,
                "estimate": est,
                "ci_low": lo,
                "ci_high": hi,
                "ci_method": how,
                "p": test["p"],
                "n": len(part),
                "n_ties": len(part) - n_signed,
                "n_stereotyped": k,
            }
        )
    out = pd.DataFrame.from_records(records)
    out["p_adjusted"] = out["p"]
    if len(out) > 1:
        out.loc[out.index[1:], "p_adjusted"] = adjust_p_values(out["p"].iloc[1:], method=correction)
    out["correction"] = correction
    cols = [
        "group",
        "rows",
        "estimate",
        "ci_low",
        "ci_high",
        "ci_method",
        "p",
        "p_adjusted",
        "n",
        "n_ties",
        "n_stereotyped",
        "correction",
    ]
    return out[cols]
