"""The PLL study (notebooks 02-04): :class:`PLLStudy` runs each step with one :class:`StudyParams`.

``pll = PLLStudy(study_params("offline"))`` or, in a notebook, ``PLLStudy.from_parameters(globals())``;
the steps themselves (``score_study``, ``metric_variants``, ...) are in :mod:`trustkit.study.steps`.
"""

from trustkit.study.pll import PLLStudy, StudyParams, study_params
from trustkit.study.steps import (
    DEFAULT_METRICS,
    FALLBACK_BACKEND,
    StudyModel,
    metric_variants,
    paraphrase_for_study,
    paraphrase_outcomes,
    paraphraser_records,
    score_study,
)

__all__ = [
    "DEFAULT_METRICS",
    "FALLBACK_BACKEND",
    "PLLStudy",
    "StudyModel",
    "StudyParams",
    "metric_variants",
    "paraphrase_for_study",
    "paraphrase_outcomes",
    "paraphraser_records",
    "score_study",
    "study_params",
]
