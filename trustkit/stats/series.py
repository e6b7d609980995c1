"""Statistics per scored series: split a long study table by model, metric and dataset, apply, stack.

The statistics refuse tables that pool models, so a table with several series is split first.
"""

from __future__ import annotations

import pandas as pd

from trustkit.errors import InputError
from trustkit.stats.bias_score import bias_score_table
from trustkit.stats.threshold import threshold_from_paraphrase_noise

#: the columns that name one scored series of a study table
SERIES_KEYS = ("model", "is_control", "metric", "dataset")


def per_series(statistic, scored: pd.DataFrame, *, keys=SERIES_KEYS, **options) -> pd.DataFrame:
    """Apply a ``trustkit.stats`` function to each scored series (one model, metric and dataset).

    Parameters
    ----------
    statistic : a function taking a scored table and returning a DataFrame (or a number).
    scored : a long table from ``trustkit.study.score_study`` or ``metric_variants``.
    keys : columns that name one series (those present are used).
    options : passed to ``statistic``.

    Returns
    -------
    The results stacked, with the key columns in front (a number becomes a ``value`` column).

    Example
    -------
    >>> from trustkit.stats import flip_rate_table
    >>> per_series(flip_rate_table, scored, by=None)  # doctest: +SKIP
    """
    keys = [k for k in keys if k in scored.columns]
    if scored.empty:
        name = getattr(statistic, "__name__", "the statistic")
        raise InputError(
            f"per_series({name}): the scored table is empty, so there is no series to summarise "
            "(were any pairs scored, or any paraphrase kept?)"
        )
    frames = []
    for values, part in scored.groupby(keys, sort=False):
        result = statistic(part, **options)
        if not isinstance(result, pd.DataFrame):
            result = pd.DataFrame({"value": [result]})
        frames.append(result.assign(**dict(zip(keys, values, strict=True))))
    out = pd.concat(frames, ignore_index=True)
    return out[keys + [c for c in out.columns if c not in keys]]


def series_bias_scores(
    scored: pd.DataFrame,
    *,
    by: str | None = None,
    rows: str = "original",
    n_resamples: int = 1000,
    seed: int = 0,
    keys=SERIES_KEYS,
) -> pd.DataFrame:
    """Bias score (CrowS-Pairs % of pairs where sent_more wins) with bootstrap CI, per scored series.

    Parameters
    ----------
    scored : a long study table.
    by : a further breakdown (e.g. ``"bias_type"``); None for the overall score only.
    rows, n_resamples, seed : as for :func:`~trustkit.stats.bias_score_table`.
    keys : columns that name one series.

    Returns
    -------
    ``bias_score_table`` rows (``group, estimate, ci_low, ci_high, p, p_adjusted, n, ...``)
    with the key columns in front.

    Example
    -------
    >>> series_bias_scores(scored)[["model", "dataset", "estimate", "ci_low", "ci_high"]]  # doctest: +SKIP
    """
    return per_series(
        bias_score_table, scored, keys=keys, by=by, rows=rows, n_resamples=n_resamples, seed=seed
    )


def model_thresholds(
    scored: pd.DataFrame, *, estimator: str = "abs_change", quantile: float = 0.5, keys=SERIES_KEYS
) -> dict:
    """τ of each model from its own paraphrase noise: ``{model name: τ}``.

    Parameters
    ----------
    scored : a long table with originals and paraphrases (one dataset and metric per model).
    estimator, quantile : as for :func:`~trustkit.stats.threshold_from_paraphrase_noise`.

    Example
    -------
    >>> model_thresholds(scored)  # doctest: +SKIP
    {'smollm2-135m-instruct': 1.9, 'bert-base': 0.4}
    """
    table = per_series(
        threshold_from_paraphrase_noise, scored, keys=keys, estimator=estimator, quantile=quantile
    )
    if table["model"].duplicated().any():
        raise InputError(
            "several series per model (datasets or metrics): pass one dataset and metric at a time"
        )
    return dict(zip(table["model"], table["value"], strict=True))
