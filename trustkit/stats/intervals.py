"""Confidence intervals of a share of pairs that are honest at any n: exact where a closed form exists.

A bias score over original pairs is a proportion (k of n pairs stereotyped), so its interval is
Clopper–Pearson (or Wilson), never zero-width for n ≥ 1; the pair bootstrap is kept for means of
per-pair shares, which have no closed form. Every table names its method in a ``ci_method`` column.
"""

from __future__ import annotations

import numpy as np
from statsmodels.stats.proportion import proportion_confint

from trustkit.errors import InputError
from trustkit.stats.bootstrap import bootstrap_ci

__all__ = ["PROPORTION_METHODS", "percent_interval", "proportion_interval"]

#: closed-form intervals of a proportion: statsmodels' method name → the name in ``ci_method``
PROPORTION_METHODS = {"clopper-pearson": "beta", "wilson": "wilson"}


def proportion_interval(
    k: float, n: int, *, confidence: float = 0.95, method: str = "clopper-pearson"
) -> tuple[float, float]:
    """Interval, in percent, of a proportion ``k / n`` (statsmodels' ``proportion_confint``).

    Clopper–Pearson (default) is exact: it covers at least ``confidence`` for every true
    proportion, and for ``k = 0`` or ``k = n`` it still has width (one-sided α/2 bound), so
    "2 of 2 pairs stereotyped" reads 15.8–100%, not 100–100%. ``k`` may be fractional (a
    mean of per-pair shares times n), which the beta quantiles accept.

    Parameters
    ----------
    k : successes (pairs counted), 0 ≤ k ≤ n.
    n : trials (pairs); n = 0 gives ``(nan, nan)``.
    confidence : interval level.
    method : ``"clopper-pearson"`` or ``"wilson"``.

    Returns
    -------
    ``(ci_low, ci_high)`` in percent.

    Example
    -------
    >>> [round(x, 1) for x in proportion_interval(2, 2)]
    [15.8, 100.0]
    >>> [round(x, 1) for x in proportion_interval(0, 10, method="wilson")]
    [0.0, 27.8]
    """
    if method not in PROPORTION_METHODS:
        raise InputError(f"method must be one of {tuple(PROPORTION_METHODS)}, got {method!r}")
    if not 0 < confidence < 1:
        raise InputError(f"confidence must be in (0, 1), got {confidence}")
    if n == 0:
        return float("nan"), float("nan")
    if not 0 <= k <= n:
        raise InputError(f"need 0 <= k <= n, got k={k}, n={n}")
    lo, hi = proportion_confint(k, n, alpha=1 - confidence, method=PROPORTION_METHODS[method])
    lo, hi = float(np.nan_to_num(lo, nan=0.0)), float(np.nan_to_num(hi, nan=1.0))
    return 100.0 * max(0.0, lo), 100.0 * min(1.0, hi)


def percent_interval(
    values,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int | np.random.Generator = 0,
    method: str = "percentile",
) -> tuple[float, float, float, str]:
    """Mean of per-pair values in [0, 100] with its interval and the name of the method used.

    * Every value is 0 or 100 (a pair counts or not): the mean is a proportion of pairs, and
      the interval is exact Clopper–Pearson (``"clopper-pearson"``).
    * Otherwise (shares of a pair's wordings): the pair bootstrap (``"bootstrap percentile"``
      or ``"bootstrap bca"``), which has no closed form to replace it. When every pair has the
      same share the bootstrap has nothing to resample, so the Clopper–Pearson interval of that
      mean as a fractional count is used instead (conservative: a mean of values in [0, 1] has
      at most the variance of a proportion); its name says so.

    Parameters
    ----------
    values : one value per pair, each in [0, 100].
    n_resamples, confidence, seed, method : bootstrap settings (see :func:`bootstrap_ci`).

    Returns
    -------
    ``(estimate, ci_low, ci_high, ci_method)``; NaN estimate and interval for no values.

    Example
    -------
    >>> est, lo, hi, how = percent_interval([100.0, 100.0])
    >>> est, round(lo, 1), hi, how
    (100.0, 15.8, 100.0, 'clopper-pearson')
    >>> percent_interval([50.0, 100.0, 0.0], seed=1)[3]
    'bootstrap percentile'
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return float("nan"), float("nan"), float("nan"), "clopper-pearson"
    estimate = float(x.mean())
    binary = bool(np.all((x == 0) | (x == 100)))
    if binary or np.all(x == x[0]):
        k = float(np.clip(x.sum() / 100.0, 0, x.size))
        lo, hi = proportion_interval(round(k) if binary else k, x.size, confidence=confidence)
        return estimate, lo, hi, "clopper-pearson" if binary else "clopper-pearson (equal shares)"
    _, lo, hi = bootstrap_ci(x, n_resamples=n_resamples, confidence=confidence, seed=seed, method=method)
    return estimate, lo, hi, f"bootstrap {method.lower()}"
