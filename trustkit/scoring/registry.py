"""The executable metric registry: every metric trustkit scores, with the plan builder that scores it.

It lives in ``trustkit.scoring`` because the scorers dispatch through it (``Metric.plan`` builds
the rows, its flags choose the fast path, the attention mode and ``metric=None``'s default), and
layers import downward only (data < models < scoring < metrics < ...): anything the scorers read
must sit at their level or below. Each metric is defined, with its card, beside its plan builder
in one module of ``trustkit.scoring.measures``; ``trustkit.metrics`` (aggregates, the card
renderer ``trustkit.metrics.cards``) and the CLI read this table from above.

Example
-------
>>> [m.name for m in metrics(kind="causal")]
['ll', 'll_shared', 'geomean_prob']
>>> get_metric("aula").ties, default_metric("causal", "pairs")
('raw', 'll')
"""

from __future__ import annotations

from trustkit.errors import UnknownNameError
from trustkit.scoring.measures import MODULES
from trustkit.scoring.measures.spec import CALLS, Metric

__all__ = ["METRIC_TABLE", "Metric", "default_metric", "get_metric", "metric_names", "metrics"]

METRIC_TABLE: tuple[Metric, ...] = tuple(m for module in MODULES for m in module.METRICS)

_BY_NAME = {m.name: m for m in METRIC_TABLE}
if len(_BY_NAME) != len(METRIC_TABLE):  # pragma: no cover - a definition error, caught by any import
    raise RuntimeError("two registered metrics share a name")


def get_metric(name: str) -> Metric:
    """The registered metric called ``name``; an unknown name gets a "did you mean".

    >>> get_metric("pll").citation.split(" (")[0]
    'Salazar, Liang, Nguyen & Kirchhoff'
    """
    try:
        return _BY_NAME[name]
    except (KeyError, TypeError):
        raise UnknownNameError("metric", name, _BY_NAME) from None


def metrics(kind: str | None = None, unit: str | None = None) -> list[Metric]:
    """The registered metrics, optionally of one model ``kind`` and one ``unit``, in table order.

    >>> [m.name for m in metrics(kind="masked", unit="pair")]
    ['crows']
    """
    return [m for m in METRIC_TABLE if (kind is None or m.kind == kind) and (unit is None or m.unit == unit)]


def metric_names(kind: str | None = None, unit: str | None = None) -> tuple[str, ...]:
    """Names of :func:`metrics` as a tuple.

    >>> metric_names("masked", "sentence")
    ('pll', 'pll_word_l2r', 'aul', 'aula')
    """
    return tuple(m.name for m in metrics(kind, unit))


def default_metric(kind: str, call: str) -> str:
    """The metric ``metric=None`` means for a ``kind`` model in ``call`` (``"sentences"`` or ``"pairs"``).

    >>> default_metric("masked", "sentences"), default_metric("masked", "pairs"), default_metric("causal", "sentences")
    ('pll', 'crows', 'll')
    """
    if call not in CALLS:
        raise ValueError(f"call must be one of {CALLS}, got {call!r}")
    found = [m.name for m in metrics(kind) if call in m.default_for]
    if len(found) != 1:
        raise ValueError(f"the registry has {len(found)} default metrics for {kind} models in score_{call}")
    return found[0]
