"""Scoring engine: exact, batched (pseudo-)log-likelihood scores of sentences and pairs.

Masked LMs: PLL, PLL-word-l2r, AUL, AULA, CrowS-Pairs; causal LMs: LL and shared-token LL.
"""

from trustkit.scoring.batching import pack_batches, run_rows, run_table
from trustkit.scoring.cache import ScoreCache
from trustkit.scoring.causal import CausalLMScorer
from trustkit.scoring.crows import crows_template, metric_order, shared_spans
from trustkit.scoring.load import load_scorer
from trustkit.scoring.masked import MaskedLMScorer
from trustkit.scoring.memory import RowDoesNotFitError
from trustkit.scoring.registry import METRIC_TABLE, Metric, default_metric, get_metric, metric_names
from trustkit.scoring.results import ItemScore
from trustkit.scoring.rows import Plan, Row, RowTable
from trustkit.scoring.scorer import Scorer

#: Every metric name, in the registry's order (``trustkit.scoring.registry``).
METRICS = metric_names()

__all__ = [
    "METRICS",
    "METRIC_TABLE",
    "CausalLMScorer",
    "ItemScore",
    "MaskedLMScorer",
    "Metric",
    "Plan",
    "Row",
    "RowDoesNotFitError",
    "RowTable",
    "ScoreCache",
    "Scorer",
    "crows_template",
    "default_metric",
    "get_metric",
    "load_scorer",
    "metric_names",
    "metric_order",
    "pack_batches",
    "run_rows",
    "run_table",
    "shared_spans",
]
