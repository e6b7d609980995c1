"""A bias report card per model: one self-contained HTML page and its JSON twin.

``build_report(model, "crows_pairs", limit=100, n_paraphrases=3).write("report.html")`` (CLI:
``trustkit report``) gives the bias score with its CI and binomial test, the thresholded score and the
undetermined share, per bias type, Δ's distribution, flip rate and ICC, example pairs, the dataset's
known problems and the full provenance.
"""

from trustkit.report.build import Report, build_report, json_path
from trustkit.report.estimates import report_numbers, with_paraphrases
from trustkit.report.problems import known_problems
from trustkit.report.provenance import report_provenance
from trustkit.report.schema import REPORT_SCHEMA, SCHEMA_VERSION, validate_report

__all__ = [
    "REPORT_SCHEMA",
    "SCHEMA_VERSION",
    "Report",
    "build_report",
    "json_path",
    "known_problems",
    "report_numbers",
    "report_provenance",
    "validate_report",
    "with_paraphrases",
]
