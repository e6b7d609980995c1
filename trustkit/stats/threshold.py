"""Thresholding (Kwon & Mihindukulasooriya 2022): count a pair as biased only when |Δ| exceeds wording noise.

τ is estimated from the paraphrases; pairs with |Δ| ≤ τ are "undetermined"; a per-pair sign test uses the wordings.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats as sps

from trustkit.errors import InputError
from trustkit.stats.intervals import percent_interval
from trustkit.stats.tests import adjust_p_values, binomial_test_against_50
from trustkit.tables import (
    check_scored,
    groups,
    original_rows,
    pair_outcome,
    paraphrase_rows,
    with_paraphrases,
)

__all__ = [
    "TAU_ESTIMATORS",
    "pair_sign_test",
    "paraphrase_noise",
    "threshold_curve",
    "threshold_from_paraphrase_noise",
    "thresholded_bias_score",
]

#: how τ summarises paraphrase noise (see threshold_from_paraphrase_noise)
TAU_ESTIMATORS = ("abs_change", "pair_sd", "pair_max_change")


def paraphrase_noise(scored: pd.DataFrame) -> pd.DataFrame:
    """Per pair: the size of the Δ changes that rewording alone produces.

    Columns: ``pair_id``, ``abs_change_median`` and ``abs_change_max`` of
    |Δ_paraphrase − Δ_original| over the pair's paraphrases, ``pair_sd`` = SD (ddof 1) of Δ
    over the original and its paraphrases, and ``n_paraphrases``.

    Example
    -------
    >>> t = pd.DataFrame({"pair_id": [1, 1, 1], "para_index": [0, 1, 2], "bias_type": ["age"] * 3,
    ...                   "direction": ["stereo"] * 3, "delta": [1.0, 0.0, 3.0]})
    >>> paraphrase_noise(t)[["abs_change_median", "abs_change_max"]].iloc[0].tolist()
    [1.5, 2.0]
    """
    table = check_scored(scored)
    orig = original_rows(table).set_index("pair_id")["delta"]
    para = paraphrase_rows(table)
    para = para[para["pair_id"].isin(orig.index)]
    change = (para["delta"] - orig.loc[para["pair_id"]].to_numpy()).abs()
    frame = pd.DataFrame({"pair_id": para["pair_id"].to_numpy(), "change": change.to_numpy()})
    out = frame.groupby("pair_id", sort=False)["change"].agg(
        abs_change_median="median", abs_change_max="max", n_paraphrases="size"
    )
    wordings = table[table["pair_id"].isin(out.index)]
    out["pair_sd"] = wordings.groupby("pair_id")["delta"].std()
    return out.reset_index()


def threshold_from_paraphrase_noise(
    scored: pd.DataFrame, *, estimator: str = "abs_change", quantile: float = 0.5
) -> float:
    """Estimate τ, the size of Δ that wording alone produces, from a table with paraphrases.

    Estimators (the choice is a documented parameter of the analysis, not a constant):

    * ``"abs_change"`` (default): the ``quantile`` of |Δ_paraphrase − Δ_original| pooled over
      every (pair, paraphrase); with ``quantile = 0.5``, half of all rewordings move Δ by more than τ.
    * ``"pair_sd"``: the ``quantile`` over pairs of the SD of Δ across a pair's wordings.
    * ``"pair_max_change"``: the ``quantile`` over pairs of the largest change a paraphrase
      causes (stricter: τ covers the worst rewording of a typical pair).

    Parameters
    ----------
    scored : scored pair table with originals (para_index 0) and paraphrases (> 0).
    estimator : one of :data:`TAU_ESTIMATORS`.
    quantile : the quantile taken, in [0, 1].

    Returns
    -------
    τ as a float (same units as Δ).

    Example
    -------
    >>> t = pd.DataFrame({"pair_id": [1, 1, 2, 2], "para_index": [0, 1, 0, 1], "bias_type": ["age"] * 4,
    ...                   "direction": ["stereo"] * 4, "delta": [1.0, 0.0, 2.0, 5.0]})
    >>> threshold_from_paraphrase_noise(t, quantile=0.5)
    2.0
    """
    if not 0 <= quantile <= 1:
        raise InputError(f"quantile must be in [0, 1], got {quantile}")
    if estimator == "abs_change":
        table = check_scored(scored)
        orig = original_rows(table).set_index("pair_id")["delta"]
        para = paraphrase_rows(table)
        para = para[para["pair_id"].isin(orig.index)]
        values = para["delta"].to_numpy() - orig.loc[para["pair_id"]].to_numpy()
        values = np.abs(values)
    elif estimator == "pair_sd":
        values = paraphrase_noise(scored)["pair_sd"].dropna().to_numpy()
    elif estimator == "pair_max_change":
        values = paraphrase_noise(scored)["abs_change_max"].to_numpy()
    else:
        raise InputError(f"estimator must be one of {TAU_ESTIMATORS}, got {estimator!r}")
    if values.size == 0:
        raise InputError("no paraphrase noise to estimate tau from")
    return float(np.quantile(values, quantile))


def _determined_values(orig: pd.DataFrame, tau: float) -> tuple[np.ndarray, np.ndarray]:
    delta = orig["delta"].to_numpy(float)
    determined = np.abs(delta) > tau
    return determined, 100.0 * (delta[determined] > 0)


def thresholded_bias_score(
    scored: pd.DataFrame,
    tau: float,
    *,
    by: str | None = "bias_type",
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    correction: str = "holm",
) -> pd.DataFrame:
    """Bias score over the *determined* original pairs (|Δ| > τ), with the undetermined share.

    ``estimate`` = % of determined pairs with Δ > τ (sent_more preferred beyond the noise);
    its interval is the exact Clopper–Pearson one of that proportion (``ci_method``); ``p`` is
    the exact binomial test of those against 50 and ``p_adjusted`` its correction across
    categories (the overall row keeps its own p). ``undetermined_share`` = % of pairs with
    |Δ| ≤ τ. With τ = 0 this is the CrowS score with ties (Δ exactly 0) set aside rather
    than counted as not stereotyped.

    Parameters
    ----------
    scored : scored pair table (only the original rows, para_index 0, are thresholded).
    tau : threshold in Δ units (see :func:`threshold_from_paraphrase_noise`).
    by : grouping column or None.
    n_resamples, confidence, seed : bootstrap settings.
    correction : ``"holm"``, ``"bh"``, ``"bonferroni"`` or ``"none"``.

    Returns
    -------
    DataFrame ``group, tau, estimate, ci_low, ci_high, ci_method, p, p_adjusted, n, n_determined,
    undetermined_share``.

    Example
    -------
    >>> t = pd.DataFrame({"pair_id": range(4), "bias_type": ["age"] * 4, "direction": ["stereo"] * 4,
    ...                   "delta": [0.1, -0.2, 3.0, -2.0]})
    >>> thresholded_bias_score(t, 0.5, by=None)[["estimate", "undetermined_share"]].iloc[0].tolist()
    [50.0, 50.0]
    """
    if tau < 0:
        raise InputError(f"tau must be >= 0, got {tau}")
    orig = original_rows(check_scored(scored))
    records = []
    for i, (name, part) in enumerate(groups(orig, by)):
        determined, values = _determined_values(part, tau)
        est, lo, hi, how = percent_interval(
            values, n_resamples=n_resamples, confidence=confidence, seed=seed + i
        )
        test = binomial_test_against_50(int((values > 0).sum()), values.size)
        records.append(
            {
                "group": name,
                "tau": float(tau),
                "estimate": est,
                "ci_low": lo,
                "ci_high": hi,
                "ci_method": how,
                "p": test["p"],
                "n": len(part),
                "n_determined": int(determined.sum()),
                "undetermined_share": 100.0 * (1 - determined.mean()),
            }
        )
    out = pd.DataFrame.from_records(records)
    out.insert(7, "p_adjusted", out["p"])
    if len(out) > 1:
        out.loc[out.index[1:], "p_adjusted"] = adjust_p_values(out["p"].iloc[1:], method=correction)
    return out


def threshold_curve(
    scored: pd.DataFrame, *, taus=None, by: str | None = None, n_points: int = 50
) -> pd.DataFrame:
    """Bias score over determined pairs and undetermined share as functions of τ.

    Parameters
    ----------
    scored : scored pair table (original rows are used).
    taus : thresholds to evaluate; default ``n_points`` values from 0 to the 95th percentile of |Δ|
        (beyond it only a handful of pairs stay determined and the curve is noise).
    by : grouping column or None (the overall curve is always included).
    n_points : number of default thresholds.

    Returns
    -------
    DataFrame ``group, tau, bias_score, undetermined_share, n_determined, n`` (bias_score is
    NaN where no pair is determined).

    Example
    -------
    >>> t = pd.DataFrame({"pair_id": range(4), "bias_type": ["age"] * 4, "direction": ["stereo"] * 4,
    ...                   "delta": [0.1, -0.2, 3.0, -2.0]})
    >>> threshold_curve(t, taus=[0, 1])["undetermined_share"].tolist()
    [0.0, 50.0]
    """
    orig = original_rows(check_scored(scored))
    if taus is None:
        taus = np.linspace(0.0, float(np.quantile(np.abs(orig["delta"]), 0.95)), n_points)
    taus = np.asarray(taus, dtype=float)
    frames = []
    for name, part in groups(orig, by):
        delta = part["delta"].to_numpy(float)
        absd = np.abs(delta)
        determined = absd[None, :] > taus[:, None]
        positive = determined & (delta[None, :] > 0)
        n_det = determined.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(n_det > 0, 100.0 * positive.sum(axis=1) / n_det, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "group": name,
                    "tau": taus,
                    "bias_score": score,
                    "undetermined_share": 100.0 * (1 - n_det / len(delta)),
                    "n_determined": n_det,
                    "n": len(delta),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def pair_sign_test(
    scored: pd.DataFrame, *, alpha: float = 0.05, correction: str = "bh", decimals="auto"
) -> pd.DataFrame:
    """Per-pair significance of the direction of Δ from its distribution over wordings (sign test).

    Only the pairs that kept a paraphrase are tested. For each, ``k`` of its ``n`` wordings
    that are not ties (original and paraphrases; ties by the metric's rule, as in the bias
    score) prefer sent_more; the exact two-sided binomial (sign) test
    asks whether k/n differs from 1/2. With 6 wordings the smallest possible p is 2/64 ≈ 0.031,
    so few wordings give little power: with 5 or fewer no pair can reach p < 0.05, and a warning says so.
    P-values are corrected across pairs (``"bh"`` by default). ``verdict`` is ``"more"`` or
    ``"less"`` (the sentence the model prefers) where ``p_adjusted < alpha``, else
    ``"undetermined"``.

    Parameters
    ----------
    scored : scored pair table with paraphrases.
    alpha : significance level after correction.
    correction : ``"bh"``, ``"holm"``, ``"bonferroni"`` or ``"none"`` across pairs.
    decimals : tie rule ("auto": raw floats for aul/aula, metric.py's 3 decimals otherwise).

    Returns
    -------
    DataFrame ``pair_id, bias_type, n_wordings, k_positive, n_nonzero, p, p_adjusted, verdict``.

    Example
    -------
    >>> t = pd.DataFrame({"pair_id": [1] * 6, "para_index": range(6), "bias_type": ["age"] * 6,
    ...                   "direction": ["stereo"] * 6, "delta": [1.0, 2.0, 0.5, 1.5, 3.0, 0.2]})
    >>> row = pair_sign_test(t, correction="none").iloc[0]
    >>> float(row["p"]), row["verdict"]
    (0.03125, 'more')
    """
    table = with_paraphrases(check_scored(scored))
    paraphrase_rows(table)
    outcome = pair_outcome(table, decimals=decimals).to_numpy()
    frame = table.assign(pos=(outcome == 1).astype(int), nonzero=(outcome != 0).astype(int))
    per = frame.groupby("pair_id", sort=False).agg(
        bias_type=("bias_type", "first"),
        n_wordings=("delta", "size"),
        k_positive=("pos", "sum"),
        n_nonzero=("nonzero", "sum"),
    )
    p = [
        sps.binomtest(int(k), int(n), 0.5).pvalue if n > 0 else np.nan
        for k, n in zip(per["k_positive"], per["n_nonzero"], strict=True)
    ]
    per["p"] = np.asarray(p, dtype=float)
    most = int(per["n_nonzero"].max())
    if 2 * 0.5**most >= alpha:
        warnings.warn(
            f"no pair has more than {most} non-zero wordings, so no sign test can reach p < {alpha} "
            f"(smallest possible p = {2 * 0.5**most:.3g}); generate more paraphrases per pair",
            stacklevel=2,
        )
    per["p_adjusted"] = adjust_p_values(per["p"], method=correction)
    significant = per["p_adjusted"] < alpha
    more = per["k_positive"] * 2 > per["n_nonzero"]
    per["verdict"] = np.where(significant & more, "more", np.where(significant, "less", "undetermined"))
    return per.reset_index()
