"""Significance tests for bias scores: the exact binomial test against 50 and corrections across categories.

Thin, documented wrappers over scipy.stats.binomtest and statsmodels' multipletests.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from trustkit.errors import InputError

__all__ = ["CORRECTIONS", "adjust_p_values", "binomial_test_against_50"]

#: family-wise (Holm) and false-discovery-rate (Benjamini–Hochberg) corrections
CORRECTIONS = {"holm": "holm", "bh": "fdr_bh", "bonferroni": "bonferroni", "none": None}


def binomial_test_against_50(k: int, n: int, *, confidence: float = 0.95) -> dict:
    """Exact two-sided binomial test that a bias score (100 · k / n) equals 50.

    ``k`` is the number of pairs where the sent_more sentence scores higher and ``n`` the
    number of *non-tied* pairs: ties carry no direction, so they are excluded from the test
    (a pair that the model cannot tell apart is evidence for neither side). The interval is
    the exact Clopper–Pearson interval, in percent.

    Parameters
    ----------
    k : stereotyped pairs.
    n : non-tied pairs (k ≤ n).
    confidence : level of the Clopper–Pearson interval.

    Returns
    -------
    dict with ``estimate`` (percent), ``ci_low``, ``ci_high``, ``p``, ``k``, ``n``
    (NaN estimate and p when n == 0).

    Example
    -------
    >>> round(binomial_test_against_50(9, 10)["p"], 4)
    0.0215
    """
    k, n = int(k), int(n)
    if not 0 <= k <= n:
        raise InputError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return {"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan, "k": 0, "n": 0}
    res = sps.binomtest(k, n, 0.5, alternative="two-sided")
    ci = res.proportion_ci(confidence_level=confidence, method="exact")
    return {
        "estimate": 100.0 * k / n,
        "ci_low": 100.0 * ci.low,
        "ci_high": 100.0 * ci.high,
        "p": float(res.pvalue),
        "k": k,
        "n": n,
    }


def adjust_p_values(p, *, method: str = "holm") -> np.ndarray:
    """Correct a family of p-values (e.g. one per bias category) for multiple testing.

    ``"holm"`` (default) controls the family-wise error rate without assuming independence;
    ``"bh"`` (Benjamini–Hochberg) controls the false discovery rate and is less conservative;
    ``"bonferroni"`` and ``"none"`` are also accepted. NaN p-values (untestable groups) stay
    NaN and are not counted in the family.

    Parameters
    ----------
    p : sequence of p-values.
    method : one of ``holm``, ``bh``, ``bonferroni``, ``none``.

    Returns
    -------
    numpy array of adjusted p-values, same order as ``p``.

    Example
    -------
    >>> adjust_p_values([0.01, 0.04, 0.03], method="holm").round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    if method not in CORRECTIONS:
        raise InputError(f"correction must be one of {sorted(CORRECTIONS)}, got {method!r}")
    p = np.asarray(p, dtype=float)
    out = p.copy()
    ok = ~np.isnan(p)
    if CORRECTIONS[method] is not None and ok.any():
        out[ok] = multipletests(p[ok], method=CORRECTIONS[method])[1]
    return out
