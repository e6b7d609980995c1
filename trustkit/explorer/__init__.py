"""Linked, interactive exploration of a scored table in JupyterLab: ``trustkit.explore(scored)``.

Altair / Vega-Lite v5 is the one library used: JupyterLab renders its mime type natively, offline,
with no server extension and no kernel round trip, so the views also work in a saved notebook.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from trustkit.errors import InputError
from trustkit.explorer.live import LivePair, LiveScorer, live_scorer, score_pair
from trustkit.explorer.page import page_html, safe_to_save, write_page
from trustkit.explorer.tables import pair_rows, read_scored, token_rows, wording_rows
from trustkit.explorer.views import TABLE_ROWS, VEGALITE_MIME, linked_views, mime_bundle

__all__ = [
    "TABLE_ROWS",
    "Explorer",
    "LivePair",
    "LiveScorer",
    "explore",
    "live_scorer",
    "page_html",
    "pair_rows",
    "read_scored",
    "score_pair",
    "token_rows",
    "wording_rows",
]


class Explorer:
    """The explorer's chart and tables; shown in JupyterLab as a Vega-Lite v5 chart.

    Attributes: ``chart`` (Altair), ``pairs``, ``wordings``, ``tokens`` (DataFrames, tokens may be None).
    """

    def __init__(self, chart, pairs: pd.DataFrame, wordings: pd.DataFrame, tokens: pd.DataFrame | None):
        self.chart, self.pairs, self.wordings, self.tokens = safe_to_save(chart), pairs, wordings, tokens

    def spec(self) -> dict:
        """The Vega-Lite specification with its data inline (no row limit: every pair is there)."""
        return mime_bundle(self.chart, "")[0][VEGALITE_MIME]

    def save(self, path) -> None:
        """Write the explorer as one HTML page (``chart.save(path)`` writes the same page).

        Pair text is escaped for the page's ``<script>`` block, so a sentence holding markup stays
        text; vega, vega-lite and vega-embed are embedded when vl-convert-python is installed (the
        ``lab`` extra), otherwise the page says that it needs the network
        (:func:`trustkit.explorer.page.page_html`).
        """
        write_page(self.chart, path)

    def _repr_mimebundle_(self, include=None, exclude=None):
        text = (
            f"trustkit explorer: {len(self.pairs)} pairs, {len(self.wordings)} wordings"
            f"{'' if self.tokens is None else f', {len(self.tokens)} tokens'} (open in JupyterLab to interact)"
        )
        return mime_bundle(self.chart, text)

    def __repr__(self) -> str:
        return self._repr_mimebundle_()[0]["text/plain"]


def explore(
    scored,
    tokens: pd.DataFrame | None = None,
    scorer=None,
    model: str | None = None,
    title: str | None = None,
) -> Explorer:
    """Linked views over a scored table: brush Δ, filter the pairs, click one to see its wordings and tokens.

    * a histogram of Δ per pair; drag across it to brush a range of Δ;
    * filters (bias type, direction, |Δ| at least, flipped under paraphrase) as widgets under the chart;
    * a table of the pairs the brush and filters keep (largest |Δ| first); click a row to select it;
    * for the selected pair: Δ of each wording (original and paraphrases) with the sentences, and the
      per-token log-probabilities of both original sentences, the tokens where they differ in orange.

    Parameters
    ----------
    scored : a scored table of one model (``Scorer.score_pairs``, ``trustkit.study.score_study``,
        with or without paraphrases), a :class:`trustkit.report.Report`, or the path of a table
        written by ``trustkit score`` (its sentences are joined back from the dataset its sidecar names).
    tokens : ``Scorer.score_tokens`` of the original pairs; computed with ``scorer`` when omitted.
    scorer : the scorer that made ``scored`` (per-token log-probabilities come from its score cache).
    model : which model, when ``scored`` holds several (a ``model`` column).
    title : the chart's title.

    Returns
    -------
    :class:`Explorer`, displayed as the chart in JupyterLab.

    Example
    -------
    >>> from trustkit.examples import two_pair_file
    >>> path = two_pair_file()  # a CSV pair file of two pairs
    >>> from trustkit import load_pairs, load_scorer
    >>> from trustkit.models import random_control
    >>> scorer = load_scorer(random_control("bert", "tiny"), random_control=True, cache=False, progress=False)
    >>> scored = scorer.score_pairs(load_pairs(path), "pll")
    >>> explorer = explore(scored, scorer=scorer)  # in JupyterLab, the last line of a cell shows it
    >>> len(explorer.pairs), sorted(set(explorer.tokens.sentence))
    (2, ['sent_less', 'sent_more'])
    """
    if hasattr(scored, "document") and hasattr(scored, "scored"):  # a Report
        report = scored
        scored, scorer = report.scored, scorer or report.scorer
        title = title or report.document["title"].replace("Bias report card", "Explore")
    elif isinstance(scored, (str, Path)):
        title = title or f"Explore {Path(scored).name}"
        scored = read_scored(scored)
    if not isinstance(scored, pd.DataFrame) or scored.empty:
        raise InputError(
            "explore needs a non-empty scored table (score_pairs output), a Report or a table path"
        )
    pairs, wordings = pair_rows(scored, model), wording_rows(scored, model)
    if tokens is None and scorer is not None and "sent_more" in scored.columns:
        metric = scored.attrs.get("metric") or (
            scored["metric"].iloc[0] if "metric" in scored.columns else None
        )
        if metric is None:
            raise InputError(
                "the table does not say its metric (attrs or a metric column): pass tokens=... instead"
            )
        originals = scored[scored["para_index"] == 0] if "para_index" in scored.columns else scored
        if "model" in originals.columns and model is not None:
            originals = originals[originals["model"] == model]
        tokens = scorer.score_tokens(originals.drop(columns=["para_index"], errors="ignore"), metric)
    token_table = token_rows(tokens) if tokens is not None else None
    chart = linked_views(pairs, wordings, token_table, title or "Explore the scored pairs")
    return Explorer(chart, pairs, wordings, token_table)
