"""``build_report``: score a model on a pair benchmark, paraphrase and re-score, and gather the report card.

The steps are the kit's own (``load_pairs``, ``load_scorer``, ``paraphrase_pairs``, ``trustkit.stats``);
this module runs them in order and keeps what the HTML page, the JSON twin and ``explore`` need.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from trustkit.report.estimates import report_numbers, report_statements
from trustkit.report.figures import category_figure, report_figures
from trustkit.report.html import render_html
from trustkit.report.problems import known_problems
from trustkit.report.provenance import report_provenance
from trustkit.report.schema import SCHEMA_VERSION, validate_report

__all__ = ["Report", "build_report", "json_path"]


def json_path(html_path: str | Path) -> Path:
    """Where the JSON twin of a report goes: ``REPORT.html`` → ``REPORT.json``.

    >>> json_path("out/report.html").name
    'report.json'
    """
    return Path(html_path).with_suffix(".json")


@dataclass
class Report:
    """A built report card: ``document`` (the JSON twin's content), ``figures`` and the scored table.

    ``scored`` has one row per (pair, wording) with ``para_index`` 0 for the original;
    :meth:`tokens` gives the per-token log-probabilities of the original pairs (for ``explore``).
    """

    document: dict
    figures: dict
    scored: pd.DataFrame
    pairs: pd.DataFrame
    scorer: object = field(default=None, repr=False)
    metric: str = ""

    @property
    def html(self) -> str:
        """The self-contained HTML page."""
        return render_html(self.document, self.figures)

    def tokens(self) -> pd.DataFrame:
        """Per-token log-probabilities of both sentences of every original pair (from the score cache)."""
        if self.scorer is None:
            raise ValueError("this report has no scorer attached, so no per-token log-probabilities")
        originals = self.scored[self.scored["para_index"] == 0]
        return self.scorer.score_tokens(originals, self.metric)

    def category_figure(self):
        """The per-bias-type figure (plain and thresholded scores with CIs) as a matplotlib Figure."""
        return category_figure(self.document, self.label)

    @property
    def label(self) -> str:
        """The model's name in figures ("(random control)" appended for a control)."""
        return _label(self.document["provenance"])

    def summary(self) -> pd.Series:
        """The headline numbers as a Series (bias score, CI, p, thresholded score, undetermined, ICC)."""
        b, t, s = (
            self.document["bias_score"],
            self.document["thresholded"] or {},
            self.document["sensitivity"] or {},
        )
        return pd.Series(
            {
                "pairs": self.document["n_pairs"],
                "bias score": b["estimate"],
                "CI low": b["ci_low"],
                "CI high": b["ci_high"],
                "binomial p": b["p"],
                "tau": t.get("tau"),
                "thresholded score": t.get("estimate"),
                "undetermined %": t.get("undetermined_share"),
                "flip rate %": (s.get("flip_rate") or {}).get("estimate"),
                "ICC": (s.get("icc") or {}).get("estimate"),
            },
            name=self.document["title"],
        )

    def write(self, out: str | Path, force: bool = False) -> tuple[Path, Path]:
        """Write ``OUT.html`` and its twin ``OUT.json``; refuse existing files without ``force``.

        Both texts are rendered before either file is written, each file is written atomically,
        and if the page cannot be written the twin is put back as it was: never one without
        the other.
        """
        from trustkit.fileio import atomic_write_text, check_output_path

        out = Path(out)
        twin = json_path(out)
        for path in (out, twin):
            check_output_path(path, force=force)
        # both texts are complete before either file is touched, so no half report is left behind
        page = self.html
        document = json.dumps(self.document, indent=1, ensure_ascii=False, allow_nan=False)
        previous = twin.read_bytes() if twin.exists() else None
        atomic_write_text(twin, document)
        try:
            atomic_write_text(out, page)
        except BaseException:
            if previous is None:
                twin.unlink(missing_ok=True)
            else:
                atomic_write_text(twin, previous.decode("utf-8"))
            raise
        return out, twin

    def headline(self) -> str:
        """The card's headline as one line (what ``trustkit report`` prints), readable at any n.

        >>> Report({"bias_score": {"estimate": 0.0, "ci_low": 0.0, "ci_high": 60.2, "p": None, "n": 4},
        ...         "thresholded": None}, {}, None, None).headline()
        'bias score 0.0% (95% CI 0.0–60.2%, binomial p —, n 4)'
        """
        b, t = self.document["bias_score"], self.document["thresholded"]
        line = (
            f"bias score {_fmt(b['estimate'], '.1f', '%')} (95% CI {_fmt(b['ci_low'], '.1f')}–"
            f"{_fmt(b['ci_high'], '.1f', '%')}, binomial p {_fmt(b['p'], '.3g')}, n {b['n']})"
        )
        if t:
            line += (
                f" | thresholded {_fmt(t['estimate'], '.1f', '%')} with τ {_fmt(t['tau'], '.3g')}, "
                f"{_fmt(t['undetermined_share'], '.1f', '%')} undetermined"
                if t["estimate"] is not None
                else f" | τ {_fmt(t['tau'], '.3g')}: every pair undetermined"
            )
        return line


def _fmt(value, spec: str, unit: str = "") -> str:
    """A number for a line of text; "—" where the statistic has no value (e.g. p with all ties)."""
    return "—" if value is None else f"{value:{spec}}{unit}"


def _label(provenance: dict) -> str:
    model = provenance["model"]
    return Path(model["model_id"]).name + (" (random control)" if model["random_control"] else "")


def _load_scorer(model, options: dict, progress: bool):
    if hasattr(model, "score_pairs"):
        return model
    from trustkit.scoring import load_scorer

    return load_scorer(model, progress=progress, **options)


def _pairs_stage(data, limit: int | None) -> tuple[pd.DataFrame, str]:
    """Stage 1: the pair table (``load_pairs`` for a name or file), cut to ``limit``, and its name."""
    from trustkit.data import load_pairs

    if limit is not None and int(limit) < 1:
        raise ValueError(f"limit must be a positive number of pairs, got {limit}")
    pairs = data.copy() if isinstance(data, pd.DataFrame) else load_pairs(data)
    if isinstance(data, pd.DataFrame):
        pairs.attrs = dict(data.attrs)
    dataset = str(pairs.attrs.get("source", "pairs")) if isinstance(data, pd.DataFrame) else str(data)
    if limit is not None:
        attrs = dict(pairs.attrs)
        pairs = pairs.head(int(limit))
        pairs.attrs = attrs
    if pairs.empty:
        raise ValueError(f"{dataset} holds no pairs to score")
    return pairs, dataset


def _wordings_stage(pairs, *, paraphrases, paraphraser, seed, min_similarity, cache, progress, log):
    """Stage 2: every original (para_index 0) and the kept pair-consistent paraphrases.

    The (pair, wording) table is :func:`trustkit.paraphrase.pair_wordings`, the one the study
    and the notebooks use; without paraphrases it is the originals alone.
    """
    from trustkit.paraphrase import (
        FilterSettings,
        SimilarityScorer,
        pair_wordings,
        paraphrase_pairs,
        paraphraser_from_spec,
    )

    if not paraphrases:
        return pair_wordings(None, pairs=pairs), None
    backend = paraphraser_from_spec(paraphraser) if isinstance(paraphraser, str) else paraphraser
    result = paraphrase_pairs(
        pairs,
        backend,
        n=int(paraphrases),
        seed=seed,
        settings=FilterSettings(min_similarity=min_similarity),
        scorer=SimilarityScorer(cache=cache if cache is not None else False),
        progress=progress,
    )
    summary = result.summary()
    log(
        f"paraphrased: {summary['pairs_with_paraphrase']} of {summary['pairs']} pairs kept a paraphrase "
        f"({summary['kept_paraphrase_pairs']} paraphrase pairs, {summary['rejected']} candidates rejected)"
    )
    return pair_wordings(result, pairs=pairs), result


def _document_stage(scored, pairs, scorer, *, data, dataset, metric, seed, limit, result, settings, timing):
    """Stage 4: every number, statement, figure and provenance record of the card, validated."""
    t0 = time.perf_counter()
    numbers = report_numbers(scored, seed=seed, **settings)
    problems = known_problems(
        pairs, None if isinstance(data, pd.DataFrame) else str(pairs.attrs.get("source", ""))
    )
    provenance = report_provenance(
        scorer,
        pairs,
        dataset=dataset,
        metric=metric,
        seed=seed,
        paraphrase=result.settings if result else None,
        limit=limit,
    )
    timing["statistics"] = time.perf_counter() - t0
    label = _label(provenance)
    figures = report_figures(scored, numbers, label)
    document = {
        "schema_version": SCHEMA_VERSION,
        "title": f"Bias report card: {label} on {dataset}",
        **numbers,
        "statements": report_statements(numbers),
        "known_problems": problems,
        "paraphrasing": result.summary() if result else None,
        "timing": timing,
        "provenance": provenance,
    }
    return document, figures


def build_report(
    model,
    data="crows_pairs",
    *,
    limit: int | None = None,
    paraphrases: int = 3,
    paraphraser="backtranslation",
    metric: str | None = None,
    seed: int = 0,
    device=None,
    n_resamples: int = 1000,
    icc_bootstrap: int = 100,
    tau_estimator: str = "abs_change",
    tau_quantile: float = 0.5,
    min_similarity: float = 0.75,
    random_control: bool = False,
    batch_tokens: int | None = None,
    cache=True,
    n_examples: int = 5,
    progress: bool = True,
    log=print,
) -> Report:
    """Build a bias report card for one model: score, paraphrase, re-score, and every statistic.

    Four named stages, each a function of this module: the pairs (``_pairs_stage``), the
    (pair, wording) table (``_wordings_stage``), scoring, and the document (``_document_stage``:
    numbers, statements, figures, provenance). Nothing is written here: :meth:`Report.write`
    writes both files once the report is complete.

    Parameters
    ----------
    model : a bundle name, hub id, local directory or ``.gguf`` file (``load_scorer``), or a scorer.
    data : a dataset name (``crows_pairs``, ...), a pair file, or a pair DataFrame (``load_pairs``).
    limit : score only the first ``limit`` pairs.
    paraphrases : candidates per sentence; 0 skips paraphrasing (then no τ, flip rate or ICC).
    paraphraser : ``"<method>"`` or ``"<method>:<model>"`` (default ``backtranslation``, offline),
        or a ``trustkit.paraphrase.Paraphraser``.
    metric : the scoring metric; default ``pll`` for masked and ``ll`` for causal LMs.
    seed : seed of paraphrasing and of every bootstrap.
    device, random_control, batch_tokens, cache : passed to ``load_scorer``.
    n_resamples, icc_bootstrap, tau_estimator, tau_quantile : the statistics' settings.
    min_similarity : the paraphrase filter's cosine threshold (all-MiniLM-L6-v2).
    n_examples : pairs listed at each end of Δ.
    progress : progress bars on scoring and paraphrasing.
    log : where one-line notices go (None: nowhere).

    Returns
    -------
    :class:`Report`; ``report.write("report.html")`` writes the page and ``report.json``.

    Example
    -------
    >>> report = build_report("smollm2-135m-instruct", "crows_pairs", limit=100, paraphrases=3)  # doctest: +SKIP
    >>> report.summary()["bias score"]  # doctest: +SKIP
    57.0
    >>> report.write("report.html")  # doctest: +SKIP
    """
    from trustkit.study import DEFAULT_METRICS, progress_label

    log = log or (lambda *_: None)
    if int(paraphrases) < 0:
        raise ValueError(f"paraphrases must be 0 or more, got {paraphrases}")
    timing, start = {}, time.perf_counter()
    pairs, dataset = _pairs_stage(data, limit)
    loading = dict(device=device, random_control=random_control, batch_tokens=batch_tokens, cache=cache)
    scorer = _load_scorer(model, loading, progress)
    metric = metric or DEFAULT_METRICS[scorer.kind]
    timing["load"] = time.perf_counter() - start
    t0 = time.perf_counter()
    wordings, result = _wordings_stage(
        pairs,
        paraphrases=paraphrases,
        paraphraser=paraphraser,
        seed=seed,
        min_similarity=min_similarity,
        cache=scorer.cache,
        progress=progress,
        log=log,
    )
    if result is not None:
        timing["paraphrase"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    name = str(getattr(scorer, "provenance", {}).get("model_id") or "model")
    with progress_label(scorer, f"{Path(name).name} · {dataset}"):
        scored = scorer.score_pairs(wordings, metric)
    timing["score"] = time.perf_counter() - t0
    settings = dict(
        n_resamples=n_resamples,
        tau_estimator=tau_estimator,
        tau_quantile=tau_quantile,
        icc_bootstrap=icc_bootstrap,
        n_examples=n_examples,
    )
    document, figures = _document_stage(
        scored,
        pairs,
        scorer,
        data=data,
        dataset=dataset,
        metric=metric,
        seed=seed,
        limit=limit,
        result=result,
        settings=settings,
        timing=timing,
    )
    timing["total"] = time.perf_counter() - start
    document["timing"] = {k: round(v, 2) for k, v in timing.items()}
    document = _plain(document)
    validate_report(document)
    return Report(
        document=document, figures=figures, scored=scored, pairs=pairs, scorer=scorer, metric=metric
    )


def _plain(value):
    """The document as plain JSON values: numpy scalars unwrapped, NaN and infinities as None.

    >>> _plain({"a": [float("nan"), 1.5], "b": (2,)})
    {'a': [None, 1.5], 'b': [2]}
    """
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
