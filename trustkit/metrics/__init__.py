"""Bias metrics computed from scored tables: CrowS-Pairs aggregates, StereoSet SS/LMS/ICAT, metric cards.

The scores come from trustkit.scoring; these functions only count, so they work on any scorer's output.
"""

from trustkit.metrics.crows import crows_pairs_score, crows_summary
from trustkit.metrics.stereoset import (
    score_stereoset_candidates,
    score_stereoset_original,
    stereoset_comparison,
    stereoset_scores,
)
from trustkit.tables import check_scored, original_rows, pair_outcome, paraphrase_rows

__all__ = [
    "check_scored",
    "crows_pairs_score",
    "crows_summary",
    "original_rows",
    "pair_outcome",
    "paraphrase_rows",
    "score_stereoset_candidates",
    "score_stereoset_original",
    "stereoset_comparison",
    "stereoset_scores",
]
