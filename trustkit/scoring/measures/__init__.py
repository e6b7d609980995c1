"""One module per metric family: the plan builder that scores it and its :class:`Metric` card.

``trustkit.scoring.registry`` collects :data:`MODULES` in this order (the order of the docs and
the CLI). Adding a metric means one module here plus its line in :data:`MODULES`.
"""

from trustkit.scoring.measures import aul, crows, geomean_prob, ll, pll, stereoset_blank

#: the modules whose ``METRICS`` make the registry, in table order
MODULES = (pll, aul, crows, ll, geomean_prob, stereoset_blank)

__all__ = ["MODULES"]
