"""The PLL study (notebooks 02-04): :class:`PLLStudy` runs each step with one :class:`StudyParams`.

``pll = PLLStudy(study_params("offline"))`` or, in a notebook, ``PLLStudy.from_parameters(globals())``;
the steps themselves (``load_study_models``, ``score_study``, ...) are in :mod:`trustkit.study.steps`.
"""

import importlib
import warnings

from trustkit.study.pll import PLLStudy, StudyParams, study_params
from trustkit.study.steps import (
    DEFAULT_METRICS,
    FALLBACK_BACKEND,
    StudyModel,
    load_study_models,
    metric_variants,
    paraphrase_for_study,
    paraphrase_outcomes,
    paraphraser_records,
    score_study,
)

# Helpers that moved to the module owning their job; the old names work, with a warning, for one release.
MOVED = {
    "sample_pairs": ("trustkit.data", "sample_pairs"),
    "parse_control": ("trustkit.models", "parse_control"),
    "SERIES_KEYS": ("trustkit.stats", "SERIES_KEYS"),
    "per_series": ("trustkit.stats", "per_series"),
    "bias_scores": ("trustkit.stats", "series_bias_scores"),
    "thresholds": ("trustkit.stats", "model_thresholds"),
    "paraphraser_from_spec": ("trustkit.paraphrase", "paraphraser_from_spec"),
}


def __getattr__(name):
    if name in MOVED:
        module, new = MOVED[name]
        warnings.warn(
            f"trustkit.study.{name} moved to {module}.{new}; the old name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(module), new)
    raise AttributeError(f"module 'trustkit.study' has no attribute {name!r}")


__all__ = [
    "DEFAULT_METRICS",
    "FALLBACK_BACKEND",
    "PLLStudy",
    "StudyModel",
    "StudyParams",
    "load_study_models",
    "metric_variants",
    "paraphrase_for_study",
    "paraphrase_outcomes",
    "paraphraser_records",
    "score_study",
    "study_params",
]
