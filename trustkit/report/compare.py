"""Two optional parts of a report card: its utility score and a "compared with" section.

``add_utility`` scores held-out text with the report's own scorer (``trustkit.metrics.utility``);
``add_comparison`` compares the report's pairs with a second scored run (``trustkit.stats.compare_scored``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from trustkit.errors import InputError

__all__ = ["add_comparison", "add_stereoset_lms", "add_utility"]


def add_utility(report, n_texts: int = 100, *, seed: int = 0) -> dict:
    """Put the report model's utility score (perplexity on held-out text) into its document.

    Example
    -------
    >>> add_utility(report, 20)["kind"]  # doctest: +SKIP
    'perplexity'
    """
    from trustkit.metrics.utility import heldout_texts, perplexity

    if report.scorer is None:
        raise InputError("this report has no scorer attached, so no utility score")
    report.document["utility"] = perplexity(report.scorer, heldout_texts(n_texts, seed=seed))
    return report.document["utility"]


def add_stereoset_lms(report, n_examples: int | None = None, *, seed: int = 0) -> dict:
    """Put the report model's StereoSet LMS (``trustkit.metrics.utility.stereoset_lms``) into its document.

    Example
    -------
    >>> add_stereoset_lms(report, 300)["lms"]  # doctest: +SKIP
    """
    from trustkit.metrics.utility import stereoset_lms

    if report.scorer is None:
        raise InputError("this report has no scorer attached, so no StereoSet LMS")
    report.document["stereoset_lms"] = stereoset_lms(report.scorer, n_examples=n_examples, seed=seed)
    return report.document["stereoset_lms"]


def add_comparison(
    report, other, *, label: str | None = None, n_resamples: int = 1000, seed: int = 0
) -> dict:
    """Compare the report's original pairs with ``other``, a second scored run of the same pairs.

    Parameters
    ----------
    report : a :class:`trustkit.report.Report`.
    other : a scored table, or the path of one written by ``trustkit score`` (its sidecar names
        its metric, model and precision).
    label : the other run's name (default: its model id and precision, or the file name).
    n_resamples, seed : of the paired bootstrap.

    Returns
    -------
    The section, also stored as ``report.document["compared_with"]``: the JSON form of
    :func:`trustkit.stats.compare_scored` plus ``other`` (path, model, precision).

    Example
    -------
    >>> add_comparison(report, "int8.csv")["flips"]  # doctest: +SKIP
    """
    from trustkit.stats import compare_scored

    meta: dict = {}
    if not isinstance(other, pd.DataFrame):
        from trustkit.fileio import read_table_with_sidecar

        path = Path(other)
        other = read_table_with_sidecar(path)
        model = other.attrs["sidecar"].get("model") or {}
        meta = {"path": path.name, "model": model.get("model_id"), "precision": model.get("precision")}
        label = label or (
            f"{Path(str(meta['model'])).name} {meta['precision'] or ''}".strip()
            if meta["model"]
            else path.name
        )
    mine = report.scored[report.scored["para_index"] == 0].copy()
    mine.attrs["metric"] = report.metric or report.document["provenance"].get("metric")
    for utility in ("utility", "stereoset_lms"):  # the card's own utility scores, when it has them
        mine.attrs[utility] = report.document.get(utility)
    prov = report.document["provenance"]["model"]
    own = f"{Path(str(prov.get('model_id'))).name} {prov.get('precision', 'fp32')}"
    if label == own:
        label = f"{label} (other run)"
    result = compare_scored(mine, other, labels=(own, label or "other"), n_resamples=n_resamples, seed=seed)
    section = {**result.to_dict(), "other": meta}
    report.document["compared_with"] = section
    return section
