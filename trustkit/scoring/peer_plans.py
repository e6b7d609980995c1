"""Plans with a last step: rows over other texts than the scored sentence, or a length normalisation.

The peers' own definitions (``geomean_prob``, ``stereoset_blank`` in ``trustkit.scoring.measures``)
build :class:`PeerPlan` objects with :func:`multi_sequence_plan`; :func:`normalised` attaches
the causal policy's length normalisation to any plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from trustkit.scoring.results import ItemScore, reduce_item
from trustkit.scoring.rows import Plan, flat_ints, offsets

__all__ = ["PeerPlan", "multi_sequence_plan", "normalised"]


@dataclass
class PeerPlan(Plan):
    """A :class:`Plan` with a last step: divide each sentence's score, or gather and map its values.

    ``divisors`` divide each slot's reduced score (the policy's length normalisation).
    ``entries`` (multi-sequence plans, whose rows run other texts than the scored sentence):
    per output slot, the ``(sequence, position)`` of each value, in token order; the slot's
    score is then the mean of those values, mapped by ``transform``: ``"exp"`` (of the mean:
    a geometric-mean probability) or ``"mean_prob"`` (mean of their probabilities). ``report_ids``
    are the slot's token ids in the result.
    """

    divisors: list[float] | None = None
    transform: str | None = None
    entries: list[list[tuple[int, int]]] | None = None
    report_ids: list[list[int]] | None = None

    def finish(self, log_probs: np.ndarray, weights: np.ndarray | None, start: int) -> ItemScore:
        """The item's :class:`ItemScore` from the run's flat per-token arrays (see ``finish_item``)."""
        if self.entries is None:
            value = reduce_item(self, log_probs, weights, start)
            if self.divisors is None:
                return value
            # an empty sentence part divides 0 by 0: keep the 0 (a tie)
            scores = [s / d if d else s for s, d in zip(value.scores, self.divisors)]
            return ItemScore(scores, value.token_ids, value.log_probs, value.counted, value.weights)
        offsets = start + np.concatenate([[0], np.cumsum([len(x) for x in self.ids])[:-1]]).astype(np.int64)
        scores, lps = [], []
        for slot in self.entries:
            vals = [float(log_probs[offsets[q] + p]) for q, p in slot]
            lps.append(vals)
            mean = sum(vals) / len(vals)
            scores.append(
                math.exp(mean) if self.transform == "exp" else sum(math.exp(v) for v in vals) / len(vals)
            )
        ids = self.report_ids if self.report_ids is not None else self.ids
        log_probs_out: list[list[float | None]] = [list(v) for v in lps]
        return ItemScore(scores, ids, log_probs_out, [list(range(len(v))) for v in lps])


def multi_sequence_plan(
    seqs: list[list[int]],
    rows: list[tuple[int, int, list[int], list[int]]],
    entries,
    report_ids,
    transform: str,
) -> PeerPlan:
    """A plan whose rows each run one of ``seqs``.

    Each row is ``(sequence, masked position or -1, scored positions, targets)``; each scored
    value lands at its own position of that sequence.
    """
    mask = [[m] if m >= 0 else [] for _, m, _, _ in rows]
    return PeerPlan(
        seqs,
        [[] for _ in seqs],
        "sum",
        np.array([r[0] for r in rows], dtype=np.int64),
        offsets([len(m) for m in mask]),
        flat_ints(mask),
        offsets([len(r[2]) for r in rows]),
        flat_ints([r[2] for r in rows]),
        flat_ints([r[3] for r in rows]),
        flat_ints([r[2] for r in rows]),
        transform=transform,
        entries=entries,
        report_ids=report_ids,
    )


def normalised(plan: Plan, policy, sentences: list[str]) -> Plan:
    """``plan`` with the policy's length normalisation attached (unchanged for ``"sum"``)."""
    if policy.normalise == "sum":
        return plan
    divisors = [policy.divisor(s, len(c)) for s, c in zip(sentences, plan.counted)]
    return PeerPlan(**{f.name: getattr(plan, f.name) for f in fields(Plan)}, divisors=divisors)
