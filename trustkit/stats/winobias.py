"""WinoBias (Zhao et al. 2018) as a likelihood-pair bias score, reported like CrowS-Pairs.

Pairs come from ``trustkit.data.load_winobias_pairs`` (pro- vs anti-stereotyped twin sentences);
the score is the share of pairs whose pro-stereotyped sentence scores higher, with its CI.
"""

from __future__ import annotations

import pandas as pd

from trustkit.stats.bias_score import bias_score_table

__all__ = ["WINOBIAS_FACETS", "winobias_scores"]

#: the breakdowns reported besides the overall score
WINOBIAS_FACETS = ("type", "split", "pronoun_gender")


def winobias_scores(
    scored: pd.DataFrame,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    metric: str | None = None,
    facets=WINOBIAS_FACETS,
) -> pd.DataFrame:
    """Bias score of scored WinoBias pairs overall and per type, split and pronoun gender.

    Each row is :func:`trustkit.stats.bias_score_table` on that subset: ``estimate`` = 100 × share
    of pairs where the pro-stereotyped sentence scores higher (ties by the metric's rule count as
    not stereotyped; 50 = no preference), a bootstrap CI over pairs and an exact binomial p.
    ``pronoun_gender`` is the gender of the pro-stereotyped sentence's pronoun: "male" rows are
    male-stereotyped occupations (the model preferring "he" for them), "female" the converse.

    Parameters
    ----------
    scored : ``Scorer.score_pairs`` output on ``load_winobias_pairs()`` (any metric).
    n_resamples, seed : bootstrap settings.
    metric : the scoring metric, for the tie rule (default: from the table).
    facets : columns to break the score down by (those present are used).

    Returns
    -------
    DataFrame ``facet, group, estimate, ci_low, ci_high, p, n, n_ties`` (first row: facet "all").

    Example
    -------
    >>> t = pd.DataFrame({"pair_id": range(4), "bias_type": ["gender"] * 4, "direction": ["stereo"] * 4,
    ...     "type": [1, 1, 2, 2], "pronoun_gender": ["male", "female"] * 2, "delta": [1.0, 2.0, -1.0, 3.0]})
    >>> winobias_scores(t, n_resamples=50)[["facet", "group", "estimate"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['all', 'overall', 75.0], ['type', '1', 100.0], ['type', '2', 50.0],
     ['pronoun_gender', 'female', 100.0], ['pronoun_gender', 'male', 50.0]]
    """
    cols = ["estimate", "ci_low", "ci_high", "p", "n", "n_ties"]
    metric = metric or scored.attrs.get("metric")

    def row(part: pd.DataFrame, facet: str, group: str, k: int) -> dict:
        part = part.copy()
        part.attrs = dict(scored.attrs)
        out = bias_score_table(part, by=None, n_resamples=n_resamples, seed=seed + k, metric=metric).iloc[0]
        return {"facet": facet, "group": group, **{c: out[c] for c in cols}}

    records = [row(scored, "all", "overall", 0)]
    for facet in (f for f in facets if f in scored.columns):
        for k, (value, part) in enumerate(scored.groupby(facet, sort=True), start=1):
            records.append(row(part, facet, str(value), k))
    return pd.DataFrame.from_records(records)
