"""Statistics of bias scores as tidy tables: exact and bootstrap CIs, tests, sensitivity, thresholds.

Every function takes a scored pair table and returns a DataFrame (estimate, ci_low, ci_high, p, n, ...).
"""

from trustkit.stats.bias_score import bias_score_table, pair_bias_values
from trustkit.stats.bootstrap import bootstrap_ci, bootstrap_distribution
from trustkit.stats.compare import Comparison, compare_scored
from trustkit.stats.compat import COMPAT_MODES, compat_summary, get_compat
from trustkit.stats.intervals import percent_interval, proportion_interval
from trustkit.stats.mcnemar import mcnemar_exact, minimum_detectable_difference
from trustkit.stats.sensitivity import flip_rate_table, paraphrase_sensitivity, variance_decomposition
from trustkit.stats.series import SERIES_KEYS, model_thresholds, per_series, series_bias_scores
from trustkit.stats.tests import adjust_p_values, binomial_test_against_50
from trustkit.stats.threshold import (
    TAU_ESTIMATORS,
    pair_sign_test,
    paraphrase_noise,
    threshold_curve,
    threshold_from_paraphrase_noise,
    thresholded_bias_score,
)
from trustkit.stats.winobias import winobias_scores

__all__ = [
    "COMPAT_MODES",
    "SERIES_KEYS",
    "TAU_ESTIMATORS",
    "Comparison",
    "adjust_p_values",
    "bias_score_table",
    "binomial_test_against_50",
    "bootstrap_ci",
    "bootstrap_distribution",
    "compare_scored",
    "compat_summary",
    "flip_rate_table",
    "get_compat",
    "mcnemar_exact",
    "minimum_detectable_difference",
    "model_thresholds",
    "pair_bias_values",
    "pair_sign_test",
    "paraphrase_noise",
    "paraphrase_sensitivity",
    "per_series",
    "percent_interval",
    "proportion_interval",
    "series_bias_scores",
    "threshold_curve",
    "threshold_from_paraphrase_noise",
    "thresholded_bias_score",
    "variance_decomposition",
    "winobias_scores",
]
