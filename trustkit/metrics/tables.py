"""Deprecated location of the scored-table schema: use :mod:`trustkit.tables` (removed in 0.3)."""

import warnings

from trustkit.tables import (  # noqa: F401  (the old public names)
    SCORED_COLUMNS,
    check_scored,
    groups,
    original_rows,
    paraphrase_rows,
    require_columns,
    rounded,
)

warnings.warn(
    "trustkit.metrics.tables moved to trustkit.tables; the old module goes in 0.3",
    DeprecationWarning,
    stacklevel=2,
)
