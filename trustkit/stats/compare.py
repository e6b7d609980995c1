"""Paired comparison of two scored runs of the same pairs: flips, exact McNemar, paired-bootstrap difference.

Two runs (two models, or one model in two precisions) scored on the same pairs with the same metric
are compared pair by pair: :func:`compare_scored` returns a :class:`Comparison` of tidy tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from trustkit.errors import InputError
from trustkit.metrics.crows import pair_outcome, tie_decimals
from trustkit.metrics.utility import lms_line
from trustkit.stats.bootstrap import bootstrap_distribution
from trustkit.stats.mcnemar import mcnemar_exact, minimum_detectable_difference
from trustkit.stats.tests import adjust_p_values
from trustkit.tables import check_scored, original_rows

__all__ = ["OUTCOMES", "Comparison", "compare_scored"]

#: a pair's outcome under the metric's tie rule: which sentence scores higher, or a tie
OUTCOMES = {1: "sent_more", -1: "sent_less", 0: "tie"}


def _metric(table: pd.DataFrame) -> str | None:
    if "metric" in table.columns and table["metric"].nunique() == 1:
        return str(table["metric"].iloc[0])
    return table.attrs.get("metric")


@dataclass
class Comparison:
    """The paired comparison of runs ``a`` and ``b`` (see :func:`compare_scored`).

    ``pairs``: one row per pair; ``summary``: one row; ``categories``: one row per category;
    ``strata``: flips by |Δ| stratum of run a; ``outcomes``: the 3×3 table of outcomes.
    """

    pairs: pd.DataFrame
    summary: pd.DataFrame
    categories: pd.DataFrame
    strata: pd.DataFrame
    outcomes: pd.DataFrame
    labels: tuple[str, str] = ("a", "b")
    settings: dict = field(default_factory=dict)
    #: each run's utility score (``trustkit.metrics.utility.perplexity``) where its table carries one
    utility: dict = field(default_factory=dict)
    #: each run's StereoSet LMS (``trustkit.metrics.utility.stereoset_lms``) where its table carries one
    lms: dict = field(default_factory=dict)

    def as_text(self) -> str:
        """The comparison as the terminal table ``trustkit compare`` prints."""
        s, (la, lb) = self.summary.iloc[0], self.labels
        pct = f"{100 * self.settings['confidence']:.0f}%"
        lines = [
            f"{la} vs {lb}: {s['n_pairs']} pairs, metric {s['metric'] or 'unknown (3-decimal ties)'}",
            f"bias score {la} {s['bias_score_a']:.1f}, {lb} {s['bias_score_b']:.1f}; difference "
            f"{s['estimate']:+.1f} points ({pct} paired-bootstrap CI {s['ci_low']:+.1f} to {s['ci_high']:+.1f})",
            f"flips {s['flips']} ({s['flip_rate']:.1f}%): sent_more→sent_less {s['more_to_less']}, "
            f"sent_less→sent_more {s['less_to_more']}; exact McNemar p {s['mcnemar_p']:.3g}",
            f"minimum detectable difference at n={s['n_pairs']}: {s['mdd']:.1f} points "
            f"(alpha {self.settings['alpha']}, power {self.settings['power']}, "
            f"discordant share {s['mdd_discordant_share']:.3f})",
        ]
        lines += [
            f"utility {label}: {u['kind']} {u['perplexity']:.3f} per token, {u['bits_per_byte']:.4f} bits per byte "
            f"({u['n_texts']} texts)"
            for label, u in self.utility.items()
        ]
        lines += [lms_line(u, label) for label, u in self.lms.items()]
        lines += ["", f"flips by |Δ| of {la} (quantile strata):"]
        lines += [
            f"  {r.stratum:<28} n {r.n_pairs:>5}  flips {r.flips:>4}  "
            f"{r.flip_rate:5.1f}% [{r.ci_low:.1f}, {r.ci_high:.1f}]"
            for r in self.strata.itertuples()
        ]
        if len(self.categories):
            lines += ["", f"per {self.settings['by']} (difference {lb} − {la}, BH-corrected McNemar p):"]
            lines += [
                f"  {r.group:<22} n {r.n_pairs:>5}  {r.estimate:+6.1f} [{r.ci_low:+6.1f}, {r.ci_high:+6.1f}]"
                f"  flips {r.flips:>4}  p_bh {r.p_bh:.3g}"
                for r in self.categories.itertuples()
            ]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """The JSON form (``trustkit compare --json``): plain numbers, lists of records."""
        s = self.summary.iloc[0]

        def clean(value):
            if isinstance(value, (np.integer, np.bool_)):
                return value.item()
            if isinstance(value, (float, np.floating)):
                return None if np.isnan(value) else float(value)
            return value

        def records(frame: pd.DataFrame) -> list[dict]:
            return [{k: clean(v) for k, v in row.items()} for row in frame.to_dict("records")]

        return {
            "labels": list(self.labels),
            **{k: clean(s[k]) for k in ("metric", "n_pairs", "flips", "flip_rate")},
            "discordant": {
                "more_to_less": clean(s["more_to_less"]),
                "less_to_more": clean(s["less_to_more"]),
            },
            "mcnemar_p": clean(s["mcnemar_p"]),
            "bias_score_a": clean(s["bias_score_a"]),
            "bias_score_b": clean(s["bias_score_b"]),
            "bias_score_difference": {k: clean(s[k]) for k in ("estimate", "ci_low", "ci_high")},
            "minimum_detectable_difference": {
                "estimate": clean(s["mdd"]),
                "alpha": self.settings["alpha"],
                "power": self.settings["power"],
                "discordant_share": clean(s["mdd_discordant_share"]),
                "basis": "Connor (1987) sample size of McNemar's test solved for the difference",
            },
            "outcomes": records(self.outcomes.reset_index()),
            "categories": records(self.categories),
            "strata": records(self.strata),
            "utility": self.utility,
            "stereoset_lms": self.lms,
            "settings": self.settings,
        }


def _strata(abs_delta: np.ndarray, n_strata: int) -> np.ndarray:
    """Quantile stratum of each |Δ|, named by its rank and range (``"1: |Δ| 0.004–0.65"``)."""
    if n_strata < 1:
        raise InputError(f"n_strata must be at least 1, got {n_strata}")
    edges = np.unique(np.quantile(abs_delta, np.linspace(0, 1, n_strata + 1)))
    codes = np.clip(np.searchsorted(edges, abs_delta, side="right") - 1, 0, max(len(edges) - 2, 0))
    names = np.empty(len(abs_delta), dtype=object)
    for k in np.unique(codes):
        inside = abs_delta[codes == k]
        names[codes == k] = f"{k + 1}: |Δ| {inside.min():.3g}–{inside.max():.3g}"
    return names


def _paired_ci(diff: np.ndarray, n_resamples: int, confidence: float, seed: int) -> tuple[float, float]:
    if np.all(diff == diff[0]):
        return float(diff[0]), float(diff[0])
    dist = bootstrap_distribution(diff, np.mean, n_resamples=n_resamples, seed=seed)
    lo, hi = np.quantile(dist, [(1 - confidence) / 2, (1 + confidence) / 2])
    return float(lo), float(hi)


def _aligned(a: pd.DataFrame, b: pd.DataFrame, labels) -> tuple[pd.DataFrame, pd.DataFrame, str | None]:
    ta, tb = original_rows(check_scored(a)), original_rows(check_scored(b))
    ma, mb = _metric(a), _metric(b)
    if ma and mb and ma != mb:
        raise InputError(f"{labels[0]} is scored with metric {ma}, {labels[1]} with {mb}; compare one metric")
    only_a = sorted(set(ta["pair_id"]) - set(tb["pair_id"]), key=str)
    only_b = sorted(set(tb["pair_id"]) - set(ta["pair_id"]), key=str)
    if only_a or only_b:
        parts = [
            f"{len(o)} only in {name} (e.g. {o[:3]})"
            for o, name in ((only_a, labels[0]), (only_b, labels[1]))
            if o
        ]
        raise InputError(f"the runs hold different pairs: {', '.join(parts)}; score the same pairs")
    ta, tb = ta.set_index("pair_id"), tb.set_index("pair_id").loc[ta["pair_id"]]
    for column in ("direction", "bias_type"):
        differs = ta[column].to_numpy() != tb[column].to_numpy()
        if differs.any():
            first = ta.index[differs][0]
            raise InputError(
                f"pair {first} has {column} {ta.at[first, column]!r} in {labels[0]} but "
                f"{tb.at[first, column]!r} in {labels[1]} ({int(differs.sum())} pair(s) differ); "
                "the runs must score the same pairs"
            )
    return ta.reset_index(), tb.reset_index(), ma or mb


def compare_scored(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    by: str | None = "bias_type",
    labels: tuple[str, str] = ("a", "b"),
    metric: str | None = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    n_strata: int = 4,
    alpha: float = 0.05,
    power: float = 0.8,
) -> Comparison:
    """Compare two scored runs of the same pairs, pair by pair.

    * Each pair's outcome in each run: ``sent_more``, ``sent_less`` or ``tie`` under the metric's
      tie rule (:func:`trustkit.metrics.crows.pair_outcome`); ``flips`` = pairs whose outcome differs.
    * ``mcnemar_p``: exact McNemar test on the discordant pairs that are not a tie in either run
      (``more_to_less``: sent_more in a, sent_less in b; ``less_to_more``: the reverse).
    * The bias-score difference b − a (percentage points; a tie counts as not stereotyped, as in
      the CrowS-Pairs score) with a paired-bootstrap CI: the same resampled pairs in both runs.
    * Per category: the difference, its paired CI, the exact McNemar p and its
      Benjamini–Hochberg correction across categories.
    * Flips by |Δ| of run a, in ``n_strata`` quantile strata (uncertain pairs first), with a
      Wilson interval of each flip rate.
    * The minimum detectable difference at this n (:func:`minimum_detectable_difference`).

    Parameters
    ----------
    a, b : scored pair tables (originals, ``para_index == 0``, are compared).
    by : the category column (None: no per-category rows).
    labels : names of the runs in tables and messages.
    metric : the tie rule's metric (default: the tables' ``metric`` column or attrs).
    n_resamples, confidence, seed : the paired bootstrap.
    n_strata : |Δ| strata of run a.
    alpha, power : of the minimum detectable difference.

    Raises
    ------
    ValueError : different pair sets, metrics, directions or categories.

    Example
    -------
    >>> a = pd.DataFrame({"pair_id": range(4), "bias_type": "age", "direction": "stereo",
    ...                   "delta": [1.0, 2.0, -1.0, 0.5]})
    >>> c = compare_scored(a, a.assign(delta=[1.0, -2.0, -1.0, 0.5]), n_strata=2)
    >>> int(c.summary["flips"].iloc[0]), float(c.summary["estimate"].iloc[0])
    (1, -25.0)
    """
    ta, tb, known = _aligned(a, b, labels)
    metric = metric or known
    decimals = tie_decimals(None, decimals="auto", metric=metric)
    oa = pair_outcome(ta, decimals=decimals).to_numpy()
    ob = pair_outcome(tb, decimals=decimals).to_numpy()
    n = len(ta)
    pairs = pd.DataFrame(
        {
            "pair_id": ta["pair_id"].to_numpy(),
            "bias_type": ta["bias_type"].to_numpy(),
            "direction": ta["direction"].to_numpy(),
            "delta_a": ta["delta"].to_numpy(float),
            "delta_b": tb["delta"].to_numpy(float),
            "outcome_a": [OUTCOMES[o] for o in oa],
            "outcome_b": [OUTCOMES[o] for o in ob],
        }
    )
    pairs["flipped"] = oa != ob
    pairs["difference"] = 100.0 * ((ob == 1).astype(float) - (oa == 1).astype(float))
    pairs["stratum"] = _strata(np.abs(pairs["delta_a"].to_numpy()), n_strata)

    def contrast(part: pd.DataFrame, offset: int) -> dict:
        ml = int(((part["outcome_a"] == "sent_more") & (part["outcome_b"] == "sent_less")).sum())
        lm = int(((part["outcome_a"] == "sent_less") & (part["outcome_b"] == "sent_more")).sum())
        diff = part["difference"].to_numpy()
        lo, hi = _paired_ci(diff, n_resamples, confidence, seed + offset)
        return {
            "n_pairs": len(part),
            "bias_score_a": 100.0 * int((part["outcome_a"] == "sent_more").sum()) / len(part),
            "bias_score_b": 100.0 * int((part["outcome_b"] == "sent_more").sum()) / len(part),
            "estimate": float(diff.mean()),
            "ci_low": lo,
            "ci_high": hi,
            "flips": int(part["flipped"].sum()),
            "more_to_less": ml,
            "less_to_more": lm,
            "mcnemar_p": mcnemar_exact(ml, lm),
        }

    overall = contrast(pairs, 0)
    mdd, share = minimum_detectable_difference(
        n, int((pairs["difference"] != 0).sum()), alpha=alpha, power=power
    )
    summary = pd.DataFrame(
        [
            {
                "metric": metric,
                **overall,
                "flip_rate": 100.0 * overall["flips"] / n,
                "mdd": mdd,
                "mdd_discordant_share": share,
            }
        ]
    )
    categories = pd.DataFrame(
        [{"group": str(k), **contrast(g, i + 1)} for i, (k, g) in enumerate(pairs.groupby(by, sort=True))]
        if by is not None
        else [],
        columns=["group", *overall],
    )
    categories["p_bh"] = adjust_p_values(categories["mcnemar_p"], method="bh") if len(categories) else []
    strata = []
    for name, g in pairs.groupby("stratum", sort=False):
        k = int(g["flipped"].sum())
        lo, hi = proportion_confint(k, len(g), alpha=1 - confidence, method="wilson")
        strata.append(
            {
                "stratum": name,
                "abs_delta_min": float(g["delta_a"].abs().min()),
                "abs_delta_max": float(g["delta_a"].abs().max()),
                "n_pairs": len(g),
                "flips": k,
                "flip_rate": 100.0 * k / len(g),
                "ci_low": max(0.0, 100.0 * lo),
                "ci_high": min(100.0, 100.0 * hi),
            }
        )
    strata_frame = pd.DataFrame(strata).sort_values("abs_delta_min", ignore_index=True)
    outcomes = pd.crosstab(
        pd.Categorical(pairs["outcome_a"], list(OUTCOMES.values())),
        pd.Categorical(pairs["outcome_b"], list(OUTCOMES.values())),
        rownames=[labels[0]],
        colnames=[labels[1]],
        dropna=False,
    )
    settings = {
        "n_resamples": n_resamples,
        "confidence": confidence,
        "seed": seed,
        "n_strata": n_strata,
        "alpha": alpha,
        "power": power,
        "tie_decimals": decimals,
        "by": by,
    }
    utility = {label: t.attrs["utility"] for label, t in zip(labels, (a, b)) if t.attrs.get("utility")}
    lms = {
        label: t.attrs["stereoset_lms"] for label, t in zip(labels, (a, b)) if t.attrs.get("stereoset_lms")
    }
    return Comparison(
        pairs, summary, categories, strata_frame, outcomes, (labels[0], labels[1]), settings, utility, lms
    )
