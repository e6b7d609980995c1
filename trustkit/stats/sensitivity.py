"""Paraphrase sensitivity of a bias measure: sign flips, spread of Δ across wordings, and the ICC.

The ICC comes from a statsmodels mixed model, Δ ~ 1 [+ bias_type] with a random intercept per pair.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm

from trustkit.errors import InputError
from trustkit.progress import progress_bar
from trustkit.stats.intervals import percent_interval
from trustkit.tables import check_scored, groups, pair_outcome, paraphrase_rows, with_paraphrases

__all__ = ["flip_rate_table", "paraphrase_sensitivity", "variance_decomposition"]


def paraphrase_sensitivity(scored: pd.DataFrame, *, decimals="auto") -> pd.DataFrame:
    """Per pair: Δ on the original and how the paraphrases move it.

    Columns: ``delta_original``; ``n_paraphrases``; ``delta_para_mean``, ``delta_para_sd``
    (ddof 1, NaN with one paraphrase), ``delta_para_min``, ``delta_para_max``;
    ``spread`` = max − min of Δ over the original and its paraphrases; ``max_abs_change`` =
    max |Δ_paraphrase − Δ_original|; ``flip_share`` = share of paraphrases whose sign of Δ
    differs from the original's (signs after metric.py's rounding, so a tie is its own sign);
    ``flipped`` = at least one paraphrase flips; ``spread_exceeds_delta`` = spread > |Δ_original|.
    Pairs without any paraphrase are left out.

    Parameters
    ----------
    scored : scored pair table with the original (para_index 0) and paraphrases (> 0).
    decimals : rounding used to decide the sign of Δ ("auto": raw for aul/aula, else metric.py's 3; None: raw).

    Returns
    -------
    DataFrame, one row per pair with at least one paraphrase.

    Example
    -------
    >>> t = pd.DataFrame({"pair_id": [1, 1, 1], "para_index": [0, 1, 2], "bias_type": ["age"] * 3,
    ...                   "direction": ["stereo"] * 3, "delta": [0.5, -0.5, 1.5]})
    >>> row = paraphrase_sensitivity(t).iloc[0]
    >>> float(row["flip_share"]), float(row["spread"]), bool(row["spread_exceeds_delta"])
    (0.5, 2.0, True)
    """
    table = check_scored(scored)
    table = table.assign(sign=pair_outcome(table, decimals=decimals).to_numpy())
    orig = table[table["para_index"] == 0].set_index("pair_id")
    if orig.index.duplicated().any():
        raise InputError("more than one original row (para_index == 0) for some pair_id")
    para = paraphrase_rows(table)
    missing = set(para["pair_id"]) - set(orig.index)
    if missing:
        raise InputError(f"paraphrases without an original row for pair_id {sorted(missing)[:5]}")
    para = para.assign(
        delta_original=orig.loc[para["pair_id"], "delta"].to_numpy(),
        sign_original=orig.loc[para["pair_id"], "sign"].to_numpy(),
    )
    para = para.assign(
        abs_change=(para["delta"] - para["delta_original"]).abs(),
        flip=(para["sign"] != para["sign_original"]).astype(float),
    )
    out = para.groupby("pair_id", sort=False).agg(
        bias_type=("bias_type", "first"),
        delta_original=("delta_original", "first"),
        n_paraphrases=("delta", "size"),
        delta_para_mean=("delta", "mean"),
        delta_para_sd=("delta", "std"),
        delta_para_min=("delta", "min"),
        delta_para_max=("delta", "max"),
        max_abs_change=("abs_change", "max"),
        flip_share=("flip", "mean"),
    )
    hi = np.maximum(out["delta_para_max"], out["delta_original"])
    lo = np.minimum(out["delta_para_min"], out["delta_original"])
    out["spread"] = hi - lo
    out["flipped"] = out["flip_share"] > 0
    out["spread_exceeds_delta"] = out["spread"] > out["delta_original"].abs()
    return out.reset_index()


def flip_rate_table(
    scored: pd.DataFrame,
    *,
    by: str | None = "bias_type",
    decimals="auto",
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Flip rate and spread measures per group, in percent, with CIs over pairs.

    Measures (one row each per group):

    * ``flip_rate``: % of pairs where at least one paraphrase changes the sign of Δ;
    * ``flip_share``: mean over pairs of the % of paraphrases that change the sign (equal to
      ``flip_rate`` with one paraphrase per pair);
    * ``spread_exceeds_delta``: % of pairs whose Δ range across wordings exceeds |Δ original|.

    ``flip_rate`` and ``spread_exceeds_delta`` are proportions of pairs (exact Clopper–Pearson
    intervals); ``flip_share`` is a mean of per-pair shares (pair bootstrap); ``ci_method`` says
    which. ``n`` is the denominator: the pairs that kept at least one paraphrase. There is no
    null hypothesis here, so no p column.

    Parameters
    ----------
    scored : scored pair table with paraphrases.
    by : grouping column or None.
    decimals : sign rounding (see :func:`paraphrase_sensitivity`).
    n_resamples, confidence, seed : bootstrap settings.

    Returns
    -------
    DataFrame ``group, measure, estimate, ci_low, ci_high, ci_method, n``.

    Example
    -------
    >>> t = pd.DataFrame({"pair_id": [1, 1, 2, 2], "para_index": [0, 1, 0, 1], "bias_type": ["age"] * 4,
    ...                   "direction": ["stereo"] * 4, "delta": [0.5, -0.5, 1.0, 2.0]})
    >>> float(flip_rate_table(t, by=None).set_index("measure").loc["flip_rate", "estimate"])
    50.0
    """
    per_pair = paraphrase_sensitivity(scored, decimals=decimals)
    measures = {
        "flip_rate": lambda d: 100.0 * d["flipped"].to_numpy(float),
        "flip_share": lambda d: 100.0 * d["flip_share"].to_numpy(float),
        "spread_exceeds_delta": lambda d: 100.0 * d["spread_exceeds_delta"].to_numpy(float),
    }
    records = []
    for i, (name, part) in enumerate(groups(per_pair, by)):
        for j, (measure, values) in enumerate(measures.items()):
            est, lo, hi, how = percent_interval(
                values(part), n_resamples=n_resamples, confidence=confidence, seed=seed + 7 * i + j
            )
            records.append(
                {
                    "group": name,
                    "measure": measure,
                    "estimate": est,
                    "ci_low": lo,
                    "ci_high": hi,
                    "ci_method": how,
                    "n": len(part),
                }
            )
    return pd.DataFrame.from_records(records)


def _design(table: pd.DataFrame, covariates: list[str]) -> np.ndarray:
    parts = [np.ones((len(table), 1))]
    for col in covariates:
        dummies = pd.get_dummies(table[col].astype(str), drop_first=True, dtype=float)
        parts.append(dummies.to_numpy())
    return np.hstack(parts)


def _fit(y: np.ndarray, exog: np.ndarray, pair_codes: np.ndarray):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # boundary fits (var_pair = 0) are legitimate here
        res = sm.MixedLM(y, exog, groups=pair_codes).fit(reml=True)
    var_pair = float(np.asarray(res.cov_re)[0, 0])
    return res, var_pair, float(res.scale)


def variance_decomposition(
    scored: pd.DataFrame,
    *,
    covariates: list[str] | tuple[str, ...] = (),
    n_resamples: int = 100,
    confidence: float = 0.95,
    seed: int = 0,
    progress: bool = False,
) -> pd.DataFrame:
    """Share of the variance of Δ due to the pair versus the wording (ICC), from a mixed model.

    Model (statsmodels MixedLM, REML): Δ_ij = Xβ + u_i + e_ij with u_i ~ N(0, var_pair) a
    random intercept per pair i and e_ij ~ N(0, var_wording) the residual over its wordings j
    (original and paraphrases); X is an intercept plus dummies for ``covariates`` (e.g.
    ``["bias_type"]``). ICC = var_pair / (var_pair + var_wording): near 1, a pair's Δ is a
    stable property of its meaning; near 0, Δ is mostly wording noise.

    The CI is a **parametric bootstrap**: ``n_resamples`` datasets are simulated from the fitted
    model (same pairs, same design), the model is refitted on each, and the percentile
    interval of the refitted ICCs is reported (likewise for the two variances). A refit costs
    about 0.5 s for 1,500 pairs × 6 wordings, so the default of 100 keeps it under a minute.

    Parameters
    ----------
    scored : scored pair table with original and paraphrase rows (only the pairs that kept a
        paraphrase enter the model).
    covariates : fixed-effect columns besides the intercept.
    n_resamples : parametric bootstrap replicates (0 skips the CI).
    confidence : interval level.
    seed : seed of the simulations.
    progress : show a tqdm bar over the refits.

    Returns
    -------
    DataFrame with rows ``icc``, ``var_pair``, ``var_wording`` and columns ``measure,
    estimate, ci_low, ci_high, n`` (pairs), ``n_obs`` (rows), ``method``. With one pair, or
    when Δ does not vary at all, the estimates are NaN and ``method`` starts with "not
    estimable:" and says why (never a fit on a singular matrix).

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> t = pd.DataFrame({"pair_id": np.repeat(np.arange(50), 4), "para_index": np.tile(range(4), 50),
    ...     "bias_type": "age", "direction": "stereo",
    ...     "delta": np.repeat(rng.normal(0, 1, 50), 4) + rng.normal(0, 1, 200)})
    >>> icc = variance_decomposition(t, n_resamples=0).set_index("measure").loc["icc", "estimate"]
    >>> bool(0.2 < icc < 0.6)  # true ICC 0.5, 50 pairs
    True
    """
    table = with_paraphrases(check_scored(scored))  # the pairs that kept a paraphrase, as everywhere
    covariates = list(covariates)
    if table.empty:
        raise InputError(
            "each pair has a single wording: paraphrase the pairs before a variance decomposition"
        )
    exog = _design(table, covariates)
    pair_codes = pd.factorize(table["pair_id"])[0]
    y = table["delta"].to_numpy(float)
    why = _not_estimable(table, y)
    if why is None:
        try:
            res, var_pair, var_res = _fit(y, exog, pair_codes)
        except np.linalg.LinAlgError as err:  # e.g. as many fixed effects as pairs
            why = f"the mixed model cannot be fitted here ({err})"
    if why is not None:
        return _icc_frame(
            dict.fromkeys(("icc", "var_pair", "var_wording"), np.nan),
            {},
            {},
            pair_codes,
            len(y),
            f"not estimable: {why}",
        )
    icc = var_pair / (var_pair + var_res) if var_pair + var_res > 0 else np.nan  # no variance: undefined
    estimates = {"icc": icc, "var_pair": var_pair, "var_wording": var_res}
    lows = dict.fromkeys(estimates, np.nan)
    highs = dict.fromkeys(estimates, np.nan)
    if n_resamples > 0:
        rng = np.random.default_rng(seed)
        mean = exog @ np.asarray(res.fe_params)
        n_pairs = pair_codes.max() + 1
        draws: dict[str, list[float]] = {k: [] for k in estimates}
        for _ in progress_bar(range(n_resamples), desc="ICC parametric bootstrap", disable=not progress):
            y_sim = (
                mean
                + rng.normal(0, np.sqrt(var_pair), n_pairs)[pair_codes]
                + rng.normal(0, np.sqrt(var_res), len(y))
            )
            try:
                _, vp, vr = _fit(y_sim, exog, pair_codes)
            except np.linalg.LinAlgError:  # a degenerate simulated data set: no refit, no draw
                continue
            draws["icc"].append(vp / (vp + vr) if vp + vr > 0 else np.nan)
            draws["var_pair"].append(vp)
            draws["var_wording"].append(vr)
        alpha = 1 - confidence
        for k, v in draws.items():
            if np.isfinite(v).any():
                lows[k], highs[k] = (float(x) for x in np.nanquantile(v, [alpha / 2, 1 - alpha / 2]))
    method = f"MixedLM REML, parametric bootstrap (B={n_resamples})" if n_resamples else "MixedLM REML"
    return _icc_frame(estimates, lows, highs, pair_codes, len(y), method)


def _not_estimable(table: pd.DataFrame, y: np.ndarray) -> str | None:
    """Why the ICC has no value on this table (None when it has one)."""
    n_pairs = table["pair_id"].nunique()
    if n_pairs < 2:
        return f"{n_pairs} pair with paraphrases; the pair variance needs at least 2"
    if np.ptp(y) == 0:
        return "Δ is the same for every wording of every pair, so there is no variance to share"
    return None


def _icc_frame(estimates, lows, highs, pair_codes, n_obs, method) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "measure": k,
                "estimate": estimates[k],
                "ci_low": lows.get(k, np.nan),
                "ci_high": highs.get(k, np.nan),
                "n": int(pair_codes.max() + 1),
                "n_obs": n_obs,
                "method": method,
            }
            for k in estimates
        ]
    )
