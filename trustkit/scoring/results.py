"""Per-item results of the scoring engine: one :class:`ItemScore` per sentence (or pair).

The score cache stores the same content as JSON under short keys (``s``, ``ids``, ``lp``,
``counted``, ``w``); :meth:`ItemScore.to_json` and :meth:`ItemScore.from_json` convert.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from trustkit.scoring.rows import Plan


@dataclass(frozen=True, slots=True)
class ItemScore:
    """The scores of one item: a sentence (one slot) or a pair (two slots, metric.py's order).

    Parameters
    ----------
    scores : list of float
        Per slot: the sentence score (sum, mean or attention-weighted mean, in nats).
    token_ids : list of list of int
        Per slot: the sentence's token ids (special tokens included).
    log_probs : list of list of (float or None)
        Per slot and position: the log-probability computed there, None where none was.
    counted : list of list of int
        Per slot: the positions that enter the score.
    weights : list of list of (float or None), or None
        Per slot and position: the attention weight (``aula`` only).
    precision : str or None
        ``"bf16"``/``"fp16"``/``"fp32"`` when the scorer runs a reduced precision (see
        ``trustkit.scoring.precision``); None for a plain fp32 scorer. Not stored in the cache,
        whose key says the precision.

    Example
    -------
    >>> v = ItemScore([-1.5], [[2, 7, 3]], [[None, -1.5, None]], [[1]])
    >>> ItemScore.from_json(v.to_json()) == v
    True
    """

    scores: list[float]
    token_ids: list[list[int]]
    log_probs: list[list[float | None]]
    counted: list[list[int]]
    weights: list[list[float | None]] | None = None
    precision: str | None = None

    def to_json(self) -> dict:
        """The cache's JSON form (short keys, kept from earlier releases so caches stay valid)."""
        value = {"s": self.scores, "ids": self.token_ids, "lp": self.log_probs, "counted": self.counted}
        if self.weights is not None:
            value["w"] = self.weights
        return value

    @classmethod
    def from_json(cls, value: dict) -> ItemScore:
        """Read the cache's JSON form back."""
        return cls(value["s"], value["ids"], value["lp"], value["counted"], value.get("w"))


def _with_none(values: np.ndarray) -> list[float | None]:
    return [None if math.isnan(x) else x for x in values.tolist()]


def finish_item(plan: Plan, log_probs: np.ndarray, weights: np.ndarray | None, start: int) -> ItemScore:
    """One item's :class:`ItemScore`, by the plan's own ``finish`` step if it has one.

    Plans of the peers' definitions (``trustkit.scoring.peer_plans``) have one; every other plan
    is reduced by :func:`reduce_item`.

    Example
    -------
    >>> plan = Plan.one_mask_per_row([[2, 7, 3]], [[1]], [[1]])
    >>> finish_item(plan, np.array([np.nan, -2.0, np.nan]), None, 0).scores
    [-2.0]
    """
    own = getattr(plan, "finish", None)
    return own(log_probs, weights, start) if own is not None else reduce_item(plan, log_probs, weights, start)


def reduce_item(plan: Plan, log_probs: np.ndarray, weights: np.ndarray | None, start: int) -> ItemScore:
    """Reduce one item's per-token results (flat arrays, NaN where not computed) to its scores.

    ``start`` is the offset of the item's first sentence in the flat arrays; its sentences follow
    one another there (see :class:`trustkit.scoring.rows.RowTable`).

    Example
    -------
    >>> plan = Plan.one_mask_per_row([[2, 7, 3]], [[1]], [[1]])
    >>> reduce_item(plan, np.array([np.nan, -2.0, np.nan]), None, 0).scores
    [-2.0]
    """
    scores, lps, ws = [], [], []
    for ids, counted in zip(plan.ids, plan.counted):
        lp = log_probs[start : start + len(ids)]
        vals = lp[counted]
        if plan.reduce == "weighted_mean":
            assert weights is not None, "a weighted mean needs the attention weights"
            w = weights[start : start + len(ids)]
            vals = vals * w[counted]
            ws.append(_with_none(w))
        if plan.reduce == "sum":
            scores.append(float(vals.sum()))
        else:
            scores.append(float(vals.sum() / len(vals)) if len(vals) else float("nan"))
        lps.append(_with_none(lp))
        start += len(ids)
    return ItemScore(scores, plan.ids, lps, plan.counted, ws if plan.reduce == "weighted_mean" else None)


def pair_precision(values) -> str:
    """A row's precision: ``"fp32"`` when every score in it is fp32's, else the reduced one's name.

    >>> pair_precision([ItemScore([0.0], [], [], [], precision="fp32")] * 2)
    'fp32'
    """
    labels = {v.precision for v in values}
    return "fp32" if labels <= {"fp32"} else next(iter(sorted(labels - {"fp32"})))
