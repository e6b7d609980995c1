"""Deprecated home of the pair audits: they live in :mod:`trustkit.data.pair_audit` now.

Kept for one release; importing it warns. ``words`` here is the audits' rule of
:func:`trustkit.text.words` (apostrophes joined, lower-cased).
"""

from __future__ import annotations

import functools
import warnings

from trustkit.data.pair_audit import (
    REVISION_STATUSES,
    audit_summary,
    category_counts,
    compare_versions,
    load_versions,
    pair_differences,
    revision_counts,
)
from trustkit.text import words as _words

warnings.warn(
    "trustkit.pair_audit moved to trustkit.data.pair_audit; the old path goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)

words = functools.partial(_words, apostrophes="joined", lower=True)

__all__ = [
    "REVISION_STATUSES",
    "audit_summary",
    "category_counts",
    "compare_versions",
    "load_versions",
    "pair_differences",
    "revision_counts",
    "words",
]
