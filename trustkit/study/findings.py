"""Closing text of the study notebooks: the finding, with this run's numbers.

Each helper turns a table the notebook already holds into a few Markdown sentences, so the
"What this shows" cell states what the run measured under any profile, not a remembered number.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = ["bias_score_finding", "paraphrase_finding", "report_card_finding", "sensitivity_finding"]


def _ci_reading(low: float, high: float) -> str:
    """What a bias score's 95% CI allows one to say (50 = no preference)."""
    if pd.isna(low) or pd.isna(high):
        return "too few pairs for an interval"
    if low <= 50.0 <= high:
        return "the CI includes 50, so these pairs show no preference either way"
    if low > 50.0:
        return "above 50: it prefers the more stereotyping sentence"
    return "below 50: it prefers the less stereotyping sentence"


def _score_sentence(row: pd.Series) -> str:
    """One series' bias score, CI and test, saying whether the CI includes 50."""
    name = f"{row['model']}{' (random control)' if row.get('is_control', False) else ''}"
    n = int(row["n"])
    ci = f"95% CI {row['ci_low']:.1f}–{row['ci_high']:.1f}"
    verdict = _ci_reading(row["ci_low"], row["ci_high"])
    return (
        f"{name} ({row['metric']}, {row['dataset']}) gives `sent_more` the higher score in "
        f"{row['estimate']:.1f}% of {n:,} pairs ({ci}, binomial p {row['p']:.3g}); {verdict}."
    )


def bias_score_finding(scores: pd.DataFrame) -> str:
    """Markdown bullets stating each series' bias score with its CI and what it allows one to say.

    Parameters
    ----------
    scores : one row per series, as ``PLLStudy.bias_scores`` returns: ``model``, ``metric``,
        ``dataset``, ``estimate`` (percent), ``ci_low``, ``ci_high``, ``p``, ``n`` and optionally
        ``is_control``.

    Returns
    -------
    str
        One bullet per series, then a line on how to read a small n.

    Examples
    --------
    >>> scores = pd.DataFrame(
    ...     {"model": ["m", "m"], "metric": ["ll", "ll"], "dataset": ["a", "b"], "estimate": [57.0, 60.0],
    ...      "ci_low": [54.5, 30.0], "ci_high": [59.5, 85.0], "p": [0.0001, 0.75], "n": [1508, 10]}
    ... )
    >>> print(bias_score_finding(scores))  # doctest: +NORMALIZE_WHITESPACE
    * m (ll, a) gives `sent_more` the higher score in 57.0% of 1,508 pairs (95% CI 54.5–59.5, binomial p 0.0001);
      above 50: it prefers the more stereotyping sentence.
    * m (ll, b) gives `sent_more` the higher score in 60.0% of 10 pairs (95% CI 30.0–85.0, binomial p 0.75);
      the CI includes 50, so these pairs show no preference either way.
    <BLANKLINE>
    A score whose interval includes 50 is not evidence of bias on these pairs; the interval narrows with more pairs.
    """
    if scores.empty:
        return "No series was scored, so this run shows nothing."
    lines = [f"* {_score_sentence(row)}" for _, row in scores.iterrows()]
    lines.append(
        "\nA score whose interval includes 50 is not evidence of bias on these pairs; "
        "the interval narrows with more pairs."
    )
    return "\n".join(lines)


def sensitivity_finding(sensitivity: pd.DataFrame, verdicts: pd.DataFrame) -> str:
    """Markdown bullets: how often a rewording flips a pair, and how many pairs get a verdict.

    Parameters
    ----------
    sensitivity : ``PLLStudy.sensitivity`` rows: ``model``, ``measure`` (``flip_rate``,
        ``spread_exceeds_delta``, ...), ``estimate`` (percent), ``ci_low``, ``ci_high``, ``n``;
        optionally ``is_control``.
    verdicts : ``PLLStudy.sign_tests`` rows: ``model`` and ``verdict`` (``more``, ``less``,
        ``undetermined``) per pair.

    Returns
    -------
    str
        One bullet per model.

    Examples
    --------
    >>> sensitivity = pd.DataFrame({"model": ["m", "m"], "measure": ["flip_rate", "spread_exceeds_delta"],
    ...                             "estimate": [25.0, 50.0], "ci_low": [5.0, 20.0], "ci_high": [60.0, 80.0],
    ...                             "n": [8, 8]})
    >>> verdicts = pd.DataFrame({"model": ["m"] * 8, "verdict": ["undetermined"] * 7 + ["more"]})
    >>> print(sensitivity_finding(sensitivity, verdicts))  # doctest: +NORMALIZE_WHITESPACE
    * m: a meaning-preserving rewording reverses the sign of Δ in 25.0% of 8 pairs (95% CI 5.0–60.0),
      and the spread of Δ over wordings exceeds |Δ| in 50.0% (95% CI 20.0–80.0); the sign test gives
      1 of 8 pairs a verdict (1 more, 0 less stereotyping), 7 stay undetermined.
    """
    lines = []
    for model, rows in sensitivity.groupby("model", sort=False):
        control = " (random control)" if bool(rows.get("is_control", pd.Series([False])).iloc[0]) else ""
        by = rows.set_index("measure")
        parts = []
        for measure, text in (
            ("flip_rate", "a meaning-preserving rewording reverses the sign of Δ in"),
            ("spread_exceeds_delta", "the spread of Δ over wordings exceeds |Δ| in"),
        ):
            if measure in by.index:
                r = by.loc[measure]
                of = f" of {int(r['n']):,} pairs" if not parts else ""
                parts.append(f"{text} {r['estimate']:.1f}%{of} (95% CI {r['ci_low']:.1f}–{r['ci_high']:.1f})")
        counts = verdicts.loc[verdicts["model"] == model, "verdict"].value_counts()
        n = int(counts.sum())
        decided = int(counts.get("more", 0) + counts.get("less", 0))
        parts_text = ", and ".join(parts) if parts else "no sensitivity measure was computed"
        lines.append(
            f"* {model}{control}: {parts_text}; the sign test gives {decided} of {n} pairs a verdict "
            f"({int(counts.get('more', 0))} more, {int(counts.get('less', 0))} less stereotyping), "
            f"{int(counts.get('undetermined', 0))} stay undetermined."
        )
    return "\n".join(lines) if lines else "No model was scored, so this run shows nothing."


def paraphrase_finding(outcomes: pd.DataFrame) -> str:
    """Markdown bullets: per paraphraser, how many candidates survive the filters and why the rest fail.

    Parameters
    ----------
    outcomes : :func:`trustkit.study.paraphrase_outcomes` rows: ``backend``, ``pair_id``,
        ``outcome`` (``kept`` or ``rejected: <reason>``).

    Returns
    -------
    str
        One bullet per backend.

    Examples
    --------
    >>> outcomes = pd.DataFrame({"backend": ["bt"] * 4, "pair_id": [1, 1, 2, 2],
    ...                          "outcome": ["kept", "rejected: similarity", "rejected: similarity", "kept"]})
    >>> print(paraphrase_finding(outcomes))  # doctest: +NORMALIZE_WHITESPACE
    * bt: 2 of 4 candidate sentences kept (50.0%); 2 of 2 pairs keep at least one rewrite; the
      most frequent rejection reason is similarity (2).
    """
    lines = []
    for backend, rows in outcomes.groupby("backend", sort=False):
        kept = rows["outcome"] == "kept"
        n, k = len(rows), int(kept.sum())
        pairs, pairs_kept = rows["pair_id"].nunique(), rows.loc[kept, "pair_id"].nunique()
        rejected = rows.loc[~kept, "outcome"].value_counts()
        reason = (
            f"the most frequent rejection reason is {rejected.index[0].removeprefix('rejected: ')} "
            f"({int(rejected.iloc[0]):,})"
            if len(rejected)
            else "no candidate was rejected"
        )
        lines.append(
            f"* {backend}: {k:,} of {n:,} candidate sentences kept ({100 * k / n:.1f}%); "
            f"{pairs_kept:,} of {pairs:,} pairs keep at least one rewrite; {reason}."
        )
    return "\n".join(lines) if lines else "No paraphraser produced a candidate, so this run shows nothing."


def report_card_finding(summaries: Mapping[str, Mapping]) -> str:
    """Markdown bullets from report cards' headline numbers: the score, whether its CI includes 50, τ.

    Parameters
    ----------
    summaries : ``{model name: report.summary()}``: ``pairs``, ``bias score``, ``CI low``,
        ``CI high``, ``binomial p`` and, where computed, ``tau``, ``thresholded score``,
        ``undetermined %``, ``flip rate %``.

    Returns
    -------
    str
        One bullet per report card.

    Examples
    --------
    >>> card = {"pairs": 12, "bias score": 58.3, "CI low": 33.3, "CI high": 83.3, "binomial p": 0.77,
    ...         "tau": 0.8, "thresholded score": 50.0, "undetermined %": 41.7, "flip rate %": 25.0}
    >>> print(report_card_finding({"m": card}))  # doctest: +NORMALIZE_WHITESPACE
    * m: bias score 58.3% of 12 pairs (95% CI 33.3–83.3, binomial p 0.77): the CI includes 50, so these
      pairs show no preference either way. With τ 0.800 from paraphrase noise, 41.7% of pairs are
      undetermined and the thresholded score is 50.0%; a rewording flips 25.0% of pairs.
    """

    def present(value) -> bool:
        return value is not None and not pd.isna(value)

    lines = []
    for name, card in summaries.items():
        verdict = _ci_reading(card["CI low"], card["CI high"])
        p = card["binomial p"]
        p_text = f"{p:.3g}" if present(p) else "— (every pair a tie)"
        text = (
            f"* {name}: bias score {card['bias score']:.1f}% of {int(card['pairs']):,} pairs (95% CI "
            f"{card['CI low']:.1f}–{card['CI high']:.1f}, binomial p {p_text}): {verdict}."
        )
        if present(card.get("tau")) and present(card.get("thresholded score")):
            text += (
                f" With τ {card['tau']:.3f} from paraphrase noise, {card['undetermined %']:.1f}% of pairs are "
                f"undetermined and the thresholded score is {card['thresholded score']:.1f}%"
            )
            flips = card.get("flip rate %")
            text += f"; a rewording flips {flips:.1f}% of pairs." if present(flips) else "."
        lines.append(text)
    return "\n".join(lines) if lines else "No report card was built, so this run shows nothing."
