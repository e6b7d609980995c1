"""What a registered metric is: its card, the plan builder that scores it, and the flags the engine reads.

One :class:`Metric` per metric, defined in the module of ``trustkit.scoring.measures`` that builds
its rows; ``trustkit.scoring.registry`` collects them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CALLS", "KINDS", "TIES", "UNITS", "Metric"]

KINDS = ("masked", "causal")
UNITS = ("sentence", "pair", "blank")
TIES = ("raw", "3dp")
#: the scorer calls whose ``metric=None`` a metric can be the default of
CALLS = ("sentences", "pairs")


@dataclass(frozen=True)
class Metric:
    """One metric: its card, how it is scored and the flags the scorers dispatch on.

    Parameters
    ----------
    name : the name every API and the CLI use.
    kind : the model kind it scores, ``"masked"`` or ``"causal"``.
    unit : ``"sentence"`` (one score per sentence), ``"pair"`` (needs both sentences) or
        ``"blank"`` (a StereoSet candidate scored in its BLANK context).
    title : a short human name.
    measures : what the number is, in one or two sentences.
    formula : the score of a sentence (or pair), in plain text.
    ties : ``"raw"`` (two scores tie only when exactly equal) or ``"3dp"`` (scores rounded to
        3 decimals before comparing, as nyu-mll metric.py does).
    reference : the peer implementation trustkit's scores are tested against.
    caveats : what a reader should keep in mind.
    citation : the paper that defines it.
    plan : ``plan(scorer, items) -> list[Plan]``: the rows of every item (a sentence, a
        metric.py-ordered pair or a ``(context, candidate)``), in input order.
    one_position_per_row : every row scores exactly one position (so the masked scorer runs
        the last layer at that position only).
    needs_attention : the step returns attention weights (the model runs with eager attention).
    default_for : the scorer calls (``"sentences"``, ``"pairs"``) for which this metric is
        what ``metric=None`` means on a model of its ``kind``.
    """

    name: str
    kind: str
    unit: str
    title: str
    measures: str
    formula: str
    ties: str
    reference: str
    caveats: str
    citation: str
    plan: Callable[[Any, list], list] = field(repr=False, compare=False)
    one_position_per_row: bool = False
    needs_attention: bool = False
    default_for: tuple[str, ...] = ()

    def __post_init__(self):
        for value, allowed, what in (
            (self.kind, KINDS, "kind"),
            (self.unit, UNITS, "unit"),
            (self.ties, TIES, "ties"),
        ):
            if value not in allowed:
                raise ValueError(f"metric {self.name!r}: {what} {value!r} is not one of {allowed}")
        if set(self.default_for) - set(CALLS):
            raise ValueError(f"metric {self.name!r}: default_for must name calls among {CALLS}")

    @property
    def tie_decimals(self) -> int | None:
        """Decimals sentence scores are rounded to before a pair is compared (None: raw floats).

        >>> from trustkit.scoring.registry import get_metric
        >>> get_metric("crows").tie_decimals, get_metric("aul").tie_decimals
        (3, None)
        """
        return None if self.ties == "raw" else 3
