"""Deprecated home of the hub check: it moved to :mod:`trustkit.models.preflight`, beside model loading.

``import trustkit.preflight`` keeps working for one release (with a DeprecationWarning) and gives
the same module object, so attributes and monkeypatches reach the real one.
"""

import sys
import warnings

from trustkit.models import preflight as _preflight

warnings.warn(
    "trustkit.preflight moved to trustkit.models.preflight; the old name goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _preflight
