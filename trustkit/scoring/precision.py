"""Reduced-precision scoring with an fp32 guard: decisions and ties equal fp32's by construction.

Items are scored in bf16/fp16 (weights cast once, ``trustkit.scoring.reduced``), a calibration
sample is scored both ways to measure the reduced precision's error, and every item whose
comparison (pair decision, tie, StereoSet order) could change within that error times a safety
factor, or whose reduced score is not finite (an fp16 overflow), is scored again in fp32.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from trustkit.errors import InputError
from trustkit.scoring.reduced import non_finite
from trustkit.scoring.registry import get_metric
from trustkit.scoring.results import ItemScore

__all__ = [
    "GUARD_FACTOR",
    "RATE_FLOOR",
    "ErrorBound",
    "Precision",
    "PrecisionGuardWarning",
    "parse_precision",
]

#: the measured error rate is multiplied by this before it decides which items are safe
GUARD_FACTOR = 4.0
#: the smallest error rate the guard assumes (nats per token, nats, or relative; see ErrorBound)
RATE_FLOOR = 1e-4
#: calibration sample: 2% of the compared items, at least 16, at most 256; an audit sample as large
CALIBRATION_SHARE, CALIBRATION_MIN, CALIBRATION_MAX = 0.02, 16, 256

_NAMES = {torch.bfloat16: "bf16", torch.float16: "fp16"}
_REDUCED = {
    "bf16": torch.bfloat16,
    "bfloat16": torch.bfloat16,
    "fp16": torch.float16,
    "float16": torch.float16,
}
_FP32 = ("fp32", "float32", "float")


class PrecisionGuardWarning(UserWarning):
    """A reduced-precision error exceeded the guard's bound; the run fell back to fp32 everywhere."""


@dataclass(frozen=True)
class Precision:
    """What a scorer computes in: ``dtype`` (None: fp32), guard on or off, autocast or cast weights.

    ``autocast``: the reduced pass autocasts over the fp32 weights instead of running on a copy
    of them cast once (``trustkit.scoring.reduced``).

    Example
    -------
    >>> parse_precision("bf16", "cpu").name, parse_precision("fp16-raw-autocast", "cpu").name
    ('bf16', 'fp16-raw-autocast')
    """

    dtype: torch.dtype | None = None
    guard: bool = True
    autocast: bool = False

    @property
    def label(self) -> str:
        """The precision of values computed in the main pass: ``"fp32"``, ``"bf16"`` or ``"fp16"``."""
        return "fp32" if self.dtype is None else _NAMES[self.dtype]

    @property
    def name(self) -> str:
        """The setting as ``--dtype`` spells it (``"bf16"`` guarded, ``"bf16-raw"`` unguarded)."""
        if self.dtype is None:
            return "fp32"
        return self.label + ("" if self.guard else "-raw") + ("-autocast" if self.autocast else "")

    @property
    def guarded(self) -> bool:
        """Whether reduced-precision values are checked against fp32 (never for plain fp32)."""
        return self.dtype is not None and self.guard


def parse_precision(spec, device) -> Precision:
    """The :class:`Precision` a ``dtype=`` argument asks for on ``device``.

    None: fp32 on CPU (and anything but CUDA), guarded bf16 on CUDA. ``"fp32"``; ``"bf16"`` or
    ``"fp16"`` (a torch dtype too): that precision with the fp32 guard; ``"bf16-raw"`` or
    ``"fp16-raw"``: reduced precision unguarded (decisions may differ from fp32's). The reduced
    pass runs on a copy of the weights cast once; a ``-autocast`` suffix (``"bf16-autocast"``,
    ``"bf16-raw-autocast"``) autocasts over the fp32 weights instead (no copy in memory).

    Example
    -------
    >>> parse_precision(None, "cpu").name, parse_precision(None, "cuda").name
    ('fp32', 'bf16')
    >>> parse_precision("int3", "cpu")
    Traceback (most recent call last):
    ...
    trustkit.errors.InputError: unknown dtype 'int3'; use one of fp32, bf16, fp16, bf16-raw, fp16-raw (-autocast)
    """
    if isinstance(spec, Precision):
        return spec
    if spec is None:
        return Precision(torch.bfloat16 if torch.device(device).type == "cuda" else None)
    if isinstance(spec, torch.dtype):
        return Precision(None if spec == torch.float32 else spec)
    text = str(spec).lower().removeprefix("torch.")
    autocast = text.endswith("-autocast")
    raw = text.removesuffix("-autocast").endswith("-raw")
    base = text.removesuffix("-autocast").removesuffix("-raw")
    if base in _FP32 and not raw and not autocast:
        return Precision(None)
    if base not in _REDUCED:
        raise InputError(
            f"unknown dtype {spec!r}; use one of fp32, bf16, fp16, bf16-raw, fp16-raw (-autocast)"
        )
    return Precision(_REDUCED[base], guard=not raw, autocast=autocast)


def error_family(metric: str, normalise: str = "sum") -> str:
    """How a metric's reduced-precision error scales: ``"sum"``, ``"mean"`` or ``"prob"``.

    ``sum``: a sum of per-token log-probabilities, error grows with the tokens counted;
    ``mean``: a per-token average (AUL, AULA, a normalised causal LL), error does not;
    ``prob``: a probability (geomean_prob, stereoset_blank), error relative to the value.

    >>> error_family("pll"), error_family("aula"), error_family("ll", "mean"), error_family("stereoset_blank")
    ('sum', 'mean', 'mean', 'prob')
    """
    if metric in ("geomean_prob", "stereoset_blank"):
        return "prob"
    if metric in ("aul", "aula") or normalise != "sum":
        return "mean"
    return "sum"


@dataclass(frozen=True)
class ErrorBound:
    """The guard's bound on |reduced − fp32| for one sentence score.

    ``bound = factor × rate × g``, where ``rate`` is the largest ``|reduced − fp32| / g`` over the
    calibration sample (at least ``floor``) and ``g`` is the number of tokens counted (``sum``),
    1 (``mean``) or the score's magnitude (``prob``).

    Example
    -------
    >>> b = ErrorBound("sum", rate=0.002, n_calibration=16)
    >>> round(b.bound(-20.0, 10), 6)
    0.08
    """

    family: str
    rate: float
    n_calibration: int
    factor: float = GUARD_FACTOR
    floor: float = RATE_FLOOR

    @staticmethod
    def scale(family: str, score: float, n_counted: int) -> float:
        """The ``g`` of one sentence score (see the class docstring)."""
        if family == "sum":
            return float(n_counted)
        return abs(score) if family == "prob" else 1.0

    def bound(self, score: float, n_counted: int) -> float:
        """The bound for a score of this value over ``n_counted`` tokens (NaN scores: infinite)."""
        if not math.isfinite(score):
            return math.inf
        return self.factor * max(self.rate, self.floor) * self.scale(self.family, score, n_counted)

    def record(self) -> dict:
        """The bound as provenance."""
        return {
            "family": self.family,
            "rate": self.rate,
            "n_calibration": self.n_calibration,
            "factor": self.factor,
            "floor": self.floor,
        }


def calibrate(family: str, fp32: Sequence[ItemScore], reduced: Sequence[ItemScore]) -> ErrorBound:
    """Measure the error rate of the reduced precision on items scored both ways."""
    rates = [
        abs(r - f) / g
        for a, b in zip(fp32, reduced)
        for f, r, counted in zip(a.scores, b.scores, a.counted)
        # a non-finite reduced score is an overflow, re-scored in fp32 whatever the bound
        if math.isfinite(f) and math.isfinite(r) and (g := ErrorBound.scale(family, f, len(counted))) > 0
    ]
    return ErrorBound(family, max(rates, default=0.0), len(fp32), GUARD_FACTOR, RATE_FLOOR)


def calibration_sample(items: list, candidates: list[int], halves: int = 1) -> list[int]:
    """A deterministic sample of ``candidates`` spread over text length, in length order.

    ``halves`` samples of the calibration size, interleaved (shortest and longest included), so
    ``sample[0::2]`` and ``sample[1::2]`` both span the lengths.

    >>> calibration_sample(["a" * k for k in range(40)], list(range(40)))[:3]
    [0, 3, 5]
    """
    if not candidates:
        return []
    share = math.ceil(CALIBRATION_SHARE * len(candidates))
    n = min(len(candidates), halves * max(CALIBRATION_MIN, min(CALIBRATION_MAX, share)))
    by_length = sorted(candidates, key=lambda i: (len(str(items[i])), i))
    picks = np.unique(np.round(np.linspace(0, len(by_length) - 1, n)).astype(int))
    return [by_length[p] for p in picks]


def unsafe_items(
    groups: list[tuple[int, ...]], values: dict[int, ItemScore], bounds: dict[int, list[float]], margin: float
) -> set[int]:
    """Items of every group in which two scores are closer than their bounds plus ``margin``.

    Two scores ``x, y`` with bounds ``e, f`` compare the same way in fp32 (order, and tie under
    ``margin``-rounding) when ``|x − y| > e + f + margin``: the fp32 difference is then beyond
    ``margin``, and rounding each score to a grid of step ``margin`` moves their difference by
    less than ``margin``. A raw-float comparison needs ``margin = 0``.

    Example
    -------
    >>> v = {0: ItemScore([-1.0], [[]], [[]], [[]]), 1: ItemScore([-1.05], [[]], [[]], [[]])}
    >>> sorted(unsafe_items([(0, 1)], v, {0: [0.02], 1: [0.02]}, 0.001))
    []
    >>> sorted(unsafe_items([(0, 1)], v, {0: [0.03], 1: [0.02]}, 0.001))
    [0, 1]
    """
    out: set[int] = set()
    for group in groups:
        refs = sorted({(i, s) for i in group for s in range(len(values[i].scores))})
        near = False
        for a in range(len(refs)):
            (i, s) = refs[a]
            x, e = values[i].scores[s], bounds[i][s]
            for j, t in refs[a + 1 :]:
                if not abs(x - values[j].scores[t]) > e + bounds[j][t] + margin:  # NaN: not safe
                    near = True
                    break
            if near:
                break
        if near:
            out.update(group)
    return out


def guarded_scores(
    score_at: Callable[[list, torch.dtype | None], list[ItemScore]],
    items: list,
    metric: str,
    precision: Precision,
    *,
    compare: Sequence[Sequence[int]] | None = None,
    normalise: str = "sum",
) -> tuple[list[ItemScore], dict]:
    """Score ``items`` in reduced precision; what a comparison could decide otherwise, in fp32.

    ``score_at(items, dtype)`` scores items in ``dtype`` (None: fp32). ``compare`` lists groups
    of item indices whose scores are compared with one another (their slots too); None means each
    item on its own (a pair item compares its two sentences). An item in no comparison is scored
    in fp32: nothing tells the guard what must stay exact about it.

    Returns the values (``precision`` set on each) in input order, and a report for provenance.
    """
    unique = list(dict.fromkeys(items))
    index = {it: n for n, it in enumerate(unique)}
    raw_groups = [(i,) for i in range(len(items))] if compare is None else compare
    groups = [tuple(dict.fromkeys(index[items[i]] for i in g)) for g in raw_groups]
    slots = 2 if get_metric(metric).unit == "pair" else 1
    groups = [g for g in groups if len(g) * slots >= 2]  # a group of one sentence compares nothing
    grouped = sorted({i for g in groups for i in g})
    sample = calibration_sample(unique, grouped, 2)
    calib, audit = sample[0::2], sample[1::2]  # the bound is fitted on one half, checked on the other
    fp32_todo = sorted(set(sample) | (set(range(len(unique))) - set(grouped)))
    reduced = dict(zip(grouped, score_at([unique[i] for i in grouped], precision.dtype)))
    exact = dict(zip(fp32_todo, score_at([unique[i] for i in fp32_todo], None)))
    family = error_family(metric, normalise)
    bound = calibrate(family, [exact[i] for i in calib], [reduced[i] for i in calib])
    current = {**reduced, **exact}

    def bounds_of(i: int) -> list[float]:
        if i in exact:
            return [0.0] * len(exact[i].scores)
        v = reduced[i]
        return [bound.bound(s, len(c)) for s, c in zip(v.scores, v.counted)]

    bounds = {i: bounds_of(i) for i in grouped}
    audit_bounds = {
        i: [bound.bound(x, len(c)) for x, c in zip(reduced[i].scores, reduced[i].counted)] for i in audit
    }
    decimals = get_metric(metric).tie_decimals
    margin = 0.0 if decimals is None else 10.0**-decimals
    overflow = {grouped[n] for n in non_finite([reduced[i] for i in grouped])}
    again = sorted((unsafe_items(groups, current, bounds, margin) | overflow) - set(exact))
    exact.update(zip(again, score_at([unique[i] for i in again], None)))
    checked = {**{i: bounds[i] for i in again}, **audit_bounds}  # known both ways, not fitted on
    worst = max(
        (
            abs(r - f) / b if b > 0 else (0.0 if r == f else math.inf)
            for i, item_bounds in checked.items()
            for r, f, b in zip(reduced[i].scores, exact[i].scores, item_bounds)
            if math.isfinite(f) and math.isfinite(r) and math.isfinite(b)
        ),
        default=0.0,
    )
    fallback = worst > 1.0
    if fallback:
        rest = [i for i in grouped if i not in exact]
        exact.update(zip(rest, score_at([unique[i] for i in rest], None)))
        warnings.warn(
            f"{precision.label} moved a {metric} score by {worst:.2f} times the guard's bound "
            f"(factor {bound.factor} × measured rate {bound.rate:.3g}); every item was scored "
            "again in fp32, so the results are fp32's",
            PrecisionGuardWarning,
            stacklevel=4,
        )
    final = {
        i: _labelled(exact[i], "fp32") if i in exact else _labelled(reduced[i], precision.label)
        for i in range(len(unique))
    }
    report = {
        "dtype": precision.name,
        "guard": True,
        "bound": bound.record(),
        "tie_margin": margin,
        "items": len(unique),
        "compared": len(grouped),
        "calibration": len(calib),
        "audit": len(audit),
        "rescored": len(again),
        "overflow": len(overflow),
        "fp32": sum(1 for i in final if final[i].precision == "fp32"),
        "worst_ratio": worst,
        "fallback": fallback,
    }
    return [final[index[it]] for it in items], report


def _labelled(value: ItemScore, label: str) -> ItemScore:
    return ItemScore(value.scores, value.token_ids, value.log_probs, value.counted, value.weights, label)
