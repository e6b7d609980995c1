"""Metric cards as Markdown: what each registered metric measures, its formula, ties, reference, caveats.

The cards' content lives beside each metric's plan builder (``trustkit.scoring.measures``) and is
collected by ``trustkit.scoring.registry``; this module renders it for ``trustkit metrics`` and
``docs/metrics.md`` (checked against :func:`metric_cards_markdown` by the tests).
"""

from __future__ import annotations

from trustkit.scoring.registry import METRIC_TABLE, get_metric

__all__ = ["metric_card", "metric_cards_markdown"]


def metric_card(name: str) -> str:
    """The card of one metric as Markdown: what it measures, formula, ties, reference, caveats.

    >>> print(metric_card("aul").splitlines()[0])
    ### `aul`: all unmasked likelihood (masked LMs, per sentence)
    """
    m = get_metric(name)
    kind = {"masked": "masked LMs", "causal": "causal LMs"}[m.kind]
    unit = {"sentence": "per sentence", "pair": "per pair", "blank": "per candidate in its context"}[m.unit]
    ties = (
        "raw floats: a tie only when the two scores are exactly equal"
        if m.ties == "raw"
        else "sentence scores rounded to 3 decimals before comparing, as nyu-mll/crows-pairs metric.py does"
    )
    return "\n".join(
        [
            f"### `{m.name}`: {m.title} ({kind}, {unit})",
            "",
            f"- **Measures**: {m.measures}",
            f"- **Formula**: {m.formula}",
            f"- **Ties**: {ties}",
            f"- **Reference implementation**: {m.reference}",
            f"- **Caveats**: {m.caveats}",
            f"- **Citation**: {m.citation}",
        ]
    )


def metric_cards_markdown() -> str:
    """Every metric card, as ``docs/metrics.md`` holds them (the tests check that file is current).

    >>> metric_cards_markdown().count("### `")
    9
    """
    head = (
        "# Metric cards\n\nGenerated from `trustkit/scoring/measures/` "
        "(`trustkit metrics --markdown > docs/metrics.md`); do not edit by hand.\n"
    )
    return head + "\n" + "\n\n".join(metric_card(m.name) for m in METRIC_TABLE) + "\n"
