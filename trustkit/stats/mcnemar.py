"""McNemar's exact test of two paired runs and the smallest difference it can detect at n pairs.

Used by :func:`trustkit.stats.compare_scored`; both take counts, not tables.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize
from scipy import stats as sps

from trustkit.errors import InputError

__all__ = ["mcnemar_exact", "minimum_detectable_difference"]


def mcnemar_exact(more_to_less: int, less_to_more: int) -> float:
    """Exact two-sided McNemar p-value: a binomial test of the discordant counts against 1/2.

    Example
    -------
    >>> round(mcnemar_exact(1, 9), 4)
    0.0215
    >>> mcnemar_exact(0, 0)
    1.0
    """
    n = int(more_to_less) + int(less_to_more)
    if n == 0:
        return 1.0
    return float(sps.binomtest(int(less_to_more), n, 0.5).pvalue)


def minimum_detectable_difference(
    n: int, discordant: int, *, alpha: float = 0.05, power: float = 0.8
) -> tuple[float, float]:
    """Smallest bias-score difference (percentage points) a paired test detects at ``n`` pairs.

    Connor's (1987) sample size of McNemar's test, n = (z_a·√p + z_b·√(p − δ²))² / δ², solved
    for δ, with p the share of pairs whose stereotyped/not outcome differs between the runs (the
    observed one; with no such pair, 3/n, the upper 95% bound of the "rule of three", so that a
    run without flips does not claim to detect every difference).

    Returns
    -------
    ``(mdd, p)``: δ in percentage points and the discordant share used.

    Example
    -------
    >>> mdd, p = minimum_detectable_difference(1000, 40)
    >>> round(mdd, 2), p
    (1.77, 0.04)
    """
    if n < 1:
        raise InputError(f"need at least one pair, got n={n}")
    p = discordant / n if discordant else min(1.0, 3.0 / n)
    za, zb = sps.norm.ppf(1 - alpha / 2), sps.norm.ppf(power)

    def needed(delta: float) -> float:
        return (za * np.sqrt(p) + zb * np.sqrt(max(p - delta**2, 0.0))) ** 2 / delta**2 - n

    high = np.sqrt(p)  # |δ| cannot exceed the discordant share's root (δ ≤ p ≤ √p)
    if needed(high) > 0:  # even the largest difference needs more pairs than there are
        return 100.0 * high, p
    return 100.0 * float(optimize.brentq(needed, 1e-12, high)), p
