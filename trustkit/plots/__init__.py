"""trustkit's figures in one house style.

They show the data's revisions, Δ distributions, original vs paraphrase, thresholding and scores.
Each function returns a matplotlib Figure; :func:`trustkit.provenance.save_figure` saves it with
its provenance.
"""

from trustkit.plots.data import plot_revision_counts
from trustkit.plots.distributions import plot_delta_distributions, plot_original_vs_paraphrase
from trustkit.plots.scores import plot_category_scores, plot_metric_variants, plot_threshold_curve
from trustkit.plots.style import (
    LINE_COLOURS,
    MIN_PAIRS,
    PALETTE,
    house_style,
    model_label,
    model_labels,
)
from trustkit.plots.tables import category_table, tidy_table

__all__ = [
    "LINE_COLOURS",
    "MIN_PAIRS",
    "PALETTE",
    "category_table",
    "house_style",
    "model_label",
    "model_labels",
    "plot_category_scores",
    "plot_delta_distributions",
    "plot_metric_variants",
    "plot_original_vs_paraphrase",
    "plot_revision_counts",
    "plot_threshold_curve",
    "tidy_table",
]
