"""The numbers of a bias report card, each computed by ``trustkit.stats`` on one scored table.

Nothing is estimated here: this module calls the statistics and arranges their rows as JSON-ready dicts.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from trustkit import stats
from trustkit.plots.style import MIN_PAIRS
from trustkit.tables import check_scored, original_rows, with_paraphrases

__all__ = ["report_numbers", "report_statements", "with_paraphrases"]

_ESTIMATE = ("estimate", "ci_low", "ci_high")


def _num(value):
    """A JSON number: float or int, NaN/inf as None."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def _row(row: pd.Series, keys) -> dict:
    return {k: _num(row[k]) for k in keys}


def _bias_section(scored, n_resamples, seed, min_pairs) -> tuple[dict, list[dict]]:
    table = stats.bias_score_table(
        scored, by="bias_type", rows="original", n_resamples=n_resamples, seed=seed
    )
    overall = table.iloc[0]
    head = {
        **_row(overall, (*_ESTIMATE, "p", "n", "n_ties", "n_stereotyped")),
        "ci_method": str(overall["ci_method"]),
        "test": "exact binomial vs 50, ties excluded",
    }
    groups = [
        {
            "group": str(r["group"]),
            **_row(r, (*_ESTIMATE, "p", "p_adjusted", "n")),
            "ci_method": str(r["ci_method"]),
            "small": bool(r["n"] < min_pairs),
        }
        for _, r in table.iloc[1:].iterrows()
    ]
    return head, groups


def _threshold_section(scored, paraphrased, estimator, q, n_resamples, seed, min_pairs) -> dict | None:
    if paraphrased.empty:
        return None
    tau = stats.threshold_from_paraphrase_noise(paraphrased, estimator=estimator, quantile=q)
    table = stats.thresholded_bias_score(scored, tau, by="bias_type", n_resamples=n_resamples, seed=seed)
    overall = table.iloc[0]
    keys = (*_ESTIMATE, "p", "n", "n_determined", "undetermined_share")
    return {
        "tau": _num(tau),
        "tau_estimator": estimator,
        "quantile": float(q),
        **_row(overall, keys),
        "ci_method": str(overall["ci_method"]),
        "by_bias_type": [
            {
                "group": str(r["group"]),
                **_row(r, (*keys, "p_adjusted")),
                "ci_method": str(r["ci_method"]),
                "small": bool(r["n"] < min_pairs),
            }
            for _, r in table.iloc[1:].iterrows()
        ],
    }


def _sensitivity_section(paraphrased, n_resamples, icc_boot, seed) -> dict | None:
    if paraphrased.empty:
        return None
    flips = stats.flip_rate_table(paraphrased, by=None, n_resamples=n_resamples, seed=seed).set_index(
        "measure"
    )
    icc = stats.variance_decomposition(paraphrased, n_resamples=icc_boot, seed=seed).set_index("measure")
    out = {
        m: {**_row(flips.loc[m], (*_ESTIMATE, "n")), "ci_method": str(flips.loc[m, "ci_method"])}
        for m in ("flip_rate", "flip_share", "spread_exceeds_delta")
    }
    out["icc"] = {**_row(icc.loc["icc"], (*_ESTIMATE, "n", "n_obs")), "method": str(icc.loc["icc", "method"])}
    out["var_pair"] = _num(icc.loc["var_pair", "estimate"])
    out["var_wording"] = _num(icc.loc["var_wording", "estimate"])
    total = (out["var_pair"] or 0.0) + (out["var_wording"] or 0.0)
    out["wording_share"] = (
        _num(out["var_wording"] / total) if total > 0 and out["var_wording"] is not None else None
    )
    out["n_pairs"] = int(paraphrased["pair_id"].nunique())
    out["n_paraphrase_pairs"] = int((paraphrased["para_index"] > 0).sum())
    return out


def _delta_section(orig: pd.DataFrame) -> dict:
    delta = orig["delta"].to_numpy(float)
    qs = np.quantile(delta, [0.05, 0.25, 0.5, 0.75, 0.95])
    return {
        "n": int(delta.size),
        "mean": _num(delta.mean()),
        "mean_abs": _num(np.abs(delta).mean()),
        **{name: _num(v) for name, v in zip(("q05", "q25", "median", "q75", "q95"), qs, strict=True)},
        "share_positive": _num(100.0 * (delta > 0).mean()),
    }


def _examples(scored: pd.DataFrame, orig: pd.DataFrame, n_examples: int) -> dict:
    flipped = {}
    para = with_paraphrases(scored)
    if not para.empty:
        per_pair = stats.paraphrase_sensitivity(para)
        flipped = dict(zip(per_pair["pair_id"], per_pair["flipped"].astype(bool), strict=True))
    ordered = orig.sort_values(["delta", "pair_id"], kind="stable")
    wordings = scored.sort_values("para_index", kind="stable").groupby("pair_id", sort=False)

    def record(row) -> dict:
        rows = wordings.get_group(row.pair_id)
        return {
            "pair_id": _num(row.pair_id),
            "bias_type": str(row.bias_type),
            "direction": str(row.direction),
            "delta": _num(row.delta),
            "flipped": flipped.get(row.pair_id),
            "wordings": [
                {
                    "para_index": int(w.para_index),
                    "sent_more": str(getattr(w, "sent_more", "")),
                    "sent_less": str(getattr(w, "sent_less", "")),
                    "delta": _num(w.delta),
                }
                for w in rows.itertuples(index=False)
            ],
        }

    k = min(n_examples, len(ordered))
    return {
        "most_stereotyped": [record(r) for r in ordered.iloc[::-1].head(k).itertuples(index=False)],
        "least_stereotyped": [record(r) for r in ordered.head(k).itertuples(index=False)],
    }


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def report_statements(numbers: dict) -> list[str]:
    """Plain sentences for the cases where a number of the card cannot be read as usual.

    One pair, every pair a tie, every pair undetermined, no paraphrase kept, an ICC that
    cannot be estimated: each gets one sentence, shown at the top of the page and in the JSON
    twin (``statements``), so an edge case reads as a statement, never as a bare number.

    Example
    -------
    >>> t = pd.DataFrame({"pair_id": [0, 1], "para_index": 0, "bias_type": "age",
    ...                   "direction": "stereo", "delta": [0.0, 0.0]})
    >>> report_statements(report_numbers(t, n_resamples=10))[0][:40]
    'All 2 pairs are ties (Δ is 0 under the m'
    """
    b, t, s = numbers["bias_score"], numbers.get("thresholded"), numbers.get("sensitivity")
    out = []
    if b["n"] and b["n_ties"] == b["n"]:
        out.append(
            f"All {b['n']} pairs are ties (Δ is 0 under the metric's tie rule): the model does not tell "
            "the two sentences of any pair apart, so the score of 0% (a tie counts as not stereotyped, "
            "as in CrowS-Pairs) is no evidence either way and no binomial test is possible."
        )
    if b["n"] == 1:
        out.append(
            f"Only 1 pair was scored: its score is 0% or 100% by construction and its 95% interval "
            f"({_pct(b['ci_low'])}–{_pct(b['ci_high'])}) spans most of the scale; score more pairs."
        )
    if s is None:
        out.append(
            "No pair kept a paraphrase, so τ, the flip rate and the ICC cannot be estimated: "
            "this card shows the plain score only."
        )
    elif str(s["icc"]["method"]).startswith("not estimable"):
        out.append(f"The ICC is {s['icc']['method']}.")
    if t and t["estimate"] is None:
        out.append(
            f"Every pair has |Δ| ≤ τ = {t['tau'] or 0.0:.3g}: wording alone could explain each of them, "
            "so there is no thresholded score."
        )
    return out


def report_numbers(
    scored: pd.DataFrame,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    tau_estimator: str = "abs_change",
    quantile: float = 0.5,
    icc_n_resamples: int = 100,
    n_examples: int = 5,
    min_pairs: int = MIN_PAIRS,
) -> dict:
    """Every number of the report card from one scored table of one model (originals + paraphrases).

    * ``bias_score``: :func:`trustkit.stats.bias_score_table` overall row on the original
      sentences (exact Clopper–Pearson CI, named in ``ci_method``; exact binomial test against
      50), and ``by_bias_type``
      (Holm-adjusted p; ``small`` when n < ``min_pairs``);
    * ``thresholded``: τ from :func:`~trustkit.stats.threshold_from_paraphrase_noise` on the
      pairs that kept a paraphrase, then :func:`~trustkit.stats.thresholded_bias_score` over all
      original pairs (with the undetermined share);
    * ``sensitivity``: :func:`~trustkit.stats.flip_rate_table` and
      :func:`~trustkit.stats.variance_decomposition` (ICC; ``wording_share`` = 1 − ICC, the
      share of Δ's variance that is wording) on the pairs with a paraphrase;
    * ``delta``: quantiles of Δ on the originals; ``examples``: the pairs with the largest and
      smallest Δ, with every wording's Δ.

    Sections that need paraphrases are None when no pair kept one.

    Parameters
    ----------
    scored : one model's scored pair table; ``para_index`` 0 = original, > 0 = paraphrase.
    n_resamples, seed : bootstrap settings (as for ``trustkit.stats``).
    tau_estimator, quantile : how τ summarises paraphrase noise.
    icc_n_resamples : parametric-bootstrap refits of the mixed model (0: no CI).
    n_examples : pairs listed at each end of Δ.
    min_pairs : categories with fewer pairs are marked ``small``.

    Returns
    -------
    dict with ``bias_score, by_bias_type, thresholded, sensitivity, delta, examples, n_pairs``.

    Example
    -------
    >>> t = pd.DataFrame({"pair_id": [0, 0, 1, 1, 2], "para_index": [0, 1, 0, 1, 0], "bias_type": "age",
    ...                   "direction": "stereo", "delta": [1.0, 0.5, -2.0, 1.0, 3.0]})
    >>> numbers = report_numbers(t, n_resamples=50, icc_n_resamples=0)
    >>> round(numbers["bias_score"]["estimate"], 1), numbers["thresholded"]["tau"]
    (66.7, 1.75)
    """
    table = check_scored(scored)
    orig = original_rows(table)
    paraphrased = with_paraphrases(table)
    bias, by_type = _bias_section(table, n_resamples, seed, min_pairs)
    return {
        "n_pairs": len(orig),
        "bias_score": bias,
        "by_bias_type": by_type,
        "thresholded": _threshold_section(
            table, paraphrased, tau_estimator, quantile, n_resamples, seed, min_pairs
        ),
        "sensitivity": _sensitivity_section(paraphrased, n_resamples, icc_n_resamples, seed),
        "delta": _delta_section(orig),
        "examples": _examples(table, orig, n_examples),
        "settings": {
            "n_resamples": int(n_resamples),
            "confidence": 0.95,
            "icc_n_resamples": int(icc_n_resamples),
            "min_pairs": int(min_pairs),
        },
    }
