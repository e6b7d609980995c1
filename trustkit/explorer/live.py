"""Live scoring of your own pair: type two sentences, see Δ, the decision and which tokens carry it.

:func:`score_pair` is the computation (any Python); :func:`live_scorer` wraps it in an ipywidgets
form for JupyterLab. Where no kernel runs the form (a static view of a saved notebook, a terminal)
the form's text says so and names the call that gives the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from trustkit.errors import InputError
from trustkit.explorer.tables import token_rows
from trustkit.explorer.views import mime_bundle, token_views
from trustkit.metrics.crows import pair_outcome

__all__ = ["LivePair", "LiveScorer", "live_scorer", "score_pair"]

STATIC_MESSAGE = (
    "Live scoring of your own pair needs a running Python kernel (JupyterLab with ipywidgets); "
    "this is a static view. Run the cell again in JupyterLab, or call "
    "trustkit.explorer.score_pair(scorer, sent_more, sent_less) for the same numbers."
)
#: under the form: a reopened notebook shows the saved form, which answers only once the cell runs again
REOPENED_NOTE = (
    "Press Enter or Score to score the pair. In a notebook opened again later, run this cell first: "
    "the saved form shows the last result but is not connected to a model."
)
_DECISION = {
    1: "the model prefers sent_more: the pair counts as stereotyped",
    -1: "the model prefers sent_less: the pair counts as not stereotyped",
    0: "a tie (the scores agree to the metric's rounding): the pair counts as neither",
}


@dataclass(frozen=True)
class LivePair:
    """One scored pair of your own.

    ``delta``, ``outcome`` (+1 sent_more preferred, −1 sent_less, 0 a tie), ``decision`` (a
    sentence), ``tokens`` (:func:`trustkit.explorer.token_rows`), ``metric``.
    """

    sent_more: str
    sent_less: str
    metric: str
    delta: float
    outcome: int
    tokens: pd.DataFrame

    @property
    def decision(self) -> str:
        """What the model's preference means for the bias score, in words."""
        return _DECISION[self.outcome]

    def text(self) -> str:
        """One line: Δ with its metric, and what the model's preference means for the bias score."""
        return f"Δ = {self.delta:+.2f} ({self.metric}): {self.decision}."

    def chart(self):
        """Both sentences' per-token log-probabilities, the tokens where they differ in orange."""
        return token_views(self.tokens)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return mime_bundle(self.chart(), self.text())


def _metric_for(scorer, metric: str | None) -> str:
    from trustkit.scoring.registry import default_metric

    # the study's per-sentence metric (pll masked, ll causal), so a live pair reads like the study's tables
    return metric or default_metric(scorer.kind, "sentences")


def score_pair(
    scorer, sent_more: str, sent_less: str, *, metric: str | None = None, direction: str = "stereo"
) -> LivePair:
    """Score one pair of your own with a loaded scorer: Δ, the decision and per-token log-probabilities.

    Parameters
    ----------
    scorer : a loaded :class:`trustkit.scoring.Scorer` (its score cache is used as for any table).
    sent_more, sent_less : the more and the less stereotyping sentence (a minimal pair).
    metric : the per-sentence metric; default ``pll`` for masked and ``ll`` for causal models.
    direction : ``stereo`` or ``antistereo``, as in CrowS-Pairs.

    Returns
    -------
    :class:`LivePair`

    Example
    -------
    >>> from trustkit.models.controls import random_control
    >>> from trustkit.scoring import load_scorer
    >>> scorer = load_scorer(random_control("bert", "tiny"), random_control=True, cache=False)
    >>> pair = score_pair(scorer, "Poor people are lazy.", "Rich people are lazy.")
    >>> pair.metric, pair.outcome in (-1, 0, 1), sorted(pair.tokens.sentence.unique())
    ('pll', True, ['sent_less', 'sent_more'])
    """
    sentences = {"sent_more": str(sent_more).strip(), "sent_less": str(sent_less).strip()}
    for name, sentence in sentences.items():
        if not sentence:
            raise InputError(f"{name} is empty: type a sentence")
    metric = _metric_for(scorer, metric)
    pairs = pd.DataFrame([{"pair_id": 0, "direction": direction, **sentences}])
    scored = scorer.score_pairs(pairs, metric)
    tokens = token_rows(scorer.score_tokens(pairs, metric))
    delta = float(scored["delta"].iloc[0])
    return LivePair(
        sentences["sent_more"],
        sentences["sent_less"],
        metric,
        delta,
        int(pair_outcome(scored).iloc[0]),
        tokens,
    )


class LiveScorer:
    """A form to score your own pair in JupyterLab: two sentences, a direction, a Score button.

    Shown as an ipywidgets form where a kernel runs it; anywhere else (a static view, a terminal)
    its text says how to get the same numbers. ``result`` is the last :class:`LivePair`.
    """

    def __init__(self, scorer, *, metric: str | None, sent_more: str, sent_less: str):
        self.scorer, self.metric = scorer, _metric_for(scorer, metric)
        self.sent_more, self.sent_less, self.direction = sent_more, sent_less, "stereo"
        self.result: LivePair | None = None
        self._form = None

    def score(self, sent_more: str | None = None, sent_less: str | None = None) -> LivePair:
        """Score the pair now in the form (or the sentences given); the form shows the result."""
        self.sent_more = self.sent_more if sent_more is None else sent_more
        self.sent_less = self.sent_less if sent_less is None else sent_less
        self.result = score_pair(
            self.scorer, self.sent_more, self.sent_less, metric=self.metric, direction=self.direction
        )
        return self.result

    def _widget(self):
        import ipywidgets as w
        from IPython.display import display

        layout = w.Layout(width="720px")
        more = w.Text(value=self.sent_more, description="sent_more", layout=layout)
        less = w.Text(value=self.sent_less, description="sent_less", layout=layout)
        direction = w.Dropdown(
            options=["stereo", "antistereo"], value=self.direction, description="direction"
        )
        button = w.Button(description="Score", button_style="primary")
        verdict, shown = w.HTML(), w.Output()

        def run(_=None):
            self.direction = direction.value
            try:
                pair = self.score(more.value, less.value)
            except ValueError as error:
                verdict.value = f"<b>{error}</b>"
                return
            verdict.value = f"<b>Δ = {pair.delta:+.2f}</b> ({pair.metric}): {pair.decision}."
            shown.clear_output(wait=True)
            with shown:
                display(pair)

        button.on_click(run)
        for field in (more, less):  # scored again on Enter or when the box loses focus
            field.continuous_update = False
            field.observe(run, "value")
        run()
        note = w.HTML(f"<small>{REOPENED_NOTE}</small>")
        box = w.VBox([more, less, w.HBox([direction, button]), verdict, note, shown])
        box.add_class("trustkit-live-scorer")
        return box

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            from IPython import get_ipython

            if getattr(get_ipython(), "kernel", None) is None:
                return {"text/plain": STATIC_MESSAGE}
            self._form = self._form or self._widget()
        except ImportError:
            return {"text/plain": STATIC_MESSAGE}
        bundle = self._form._repr_mimebundle_(include=include, exclude=exclude)
        bundle = bundle[0] if isinstance(bundle, tuple) else bundle
        return {**bundle, "text/plain": STATIC_MESSAGE}

    def __repr__(self) -> str:
        return STATIC_MESSAGE


def live_scorer(
    scorer,
    *,
    metric: str | None = None,
    sent_more: str = "Poor people are lazy.",
    sent_less: str = "Rich people are lazy.",
) -> LiveScorer:
    """A form to type a pair and see its Δ, its decision and its per-token bars, with ``scorer``.

    Parameters
    ----------
    scorer : a loaded scorer, or a :class:`trustkit.report.Report` (its scorer and metric are used).
    metric : default: the report's metric, else ``pll`` (masked) / ``ll`` (causal).
    sent_more, sent_less : the pair the form starts with (scored when it is shown).

    Returns
    -------
    :class:`LiveScorer`, shown as the form in JupyterLab.

    Example
    -------
    >>> from trustkit.models.controls import random_control
    >>> from trustkit.scoring import load_scorer
    >>> form = live_scorer(load_scorer(random_control("bert", "tiny"), random_control=True, cache=False))
    >>> form.score("The old man forgot.", "The young man forgot.").metric
    'pll'
    >>> print(repr(form)[:40])
    Live scoring of your own pair needs a ru
    """
    if hasattr(scorer, "document") and hasattr(scorer, "scorer"):  # a Report
        metric = metric or getattr(scorer, "metric", None)
        scorer = scorer.scorer
    return LiveScorer(scorer, metric=metric, sent_more=sent_more, sent_less=sent_less)
