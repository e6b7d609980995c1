"""``build_report``: score a model on a pair benchmark, paraphrase and re-score, and gather the report card.

The steps are the kit's own (``load_pairs``, ``load_scorer``, ``paraphrase_pairs``, ``trustkit.stats``);
this module runs them in order and keeps what the HTML page, the JSON twin and ``explore`` need.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import pandas as pd

from trustkit.errors import InputError
from trustkit.report.card import Report, _label, json_path
from trustkit.report.estimates import flagged_statements, report_numbers, report_statements
from trustkit.report.figures import report_figures
from trustkit.report.problems import known_problems
from trustkit.report.provenance import report_provenance
from trustkit.report.schema import SCHEMA_VERSION, validate_report

__all__ = ["Report", "build_report", "json_path"]


def _pairs_stage(data, limit: int | None) -> tuple[pd.DataFrame, str]:
    """Stage 1: the pair table (``load_pairs`` for a name or file), cut to ``limit``, and its name."""
    from trustkit.data import load_pairs

    if limit is not None and int(limit) < 1:
        raise InputError(f"limit must be a positive number of pairs, got {limit}")
    pairs = data.copy() if isinstance(data, pd.DataFrame) else load_pairs(data)
    if isinstance(data, pd.DataFrame):
        pairs.attrs = dict(data.attrs)
    dataset = str(pairs.attrs.get("source", "pairs")) if isinstance(data, pd.DataFrame) else str(data)
    if limit is not None:
        attrs = dict(pairs.attrs)
        pairs = pairs.head(int(limit))
        pairs.attrs = attrs
    if pairs.empty:
        raise InputError(f"{dataset} holds no pairs to score")
    return pairs, dataset


def _wordings_stage(pairs, *, n_paraphrases, paraphraser, seed, min_similarity, cache, progress, log):
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

    if not n_paraphrases:
        return pair_wordings(None, pairs=pairs), None
    backend = paraphraser_from_spec(paraphraser) if isinstance(paraphraser, str) else paraphraser
    result = paraphrase_pairs(
        pairs,
        backend,
        n_paraphrases=int(n_paraphrases),
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


def _flagged_section(scored, exclude_flagged: bool, settings: dict, seed: int) -> tuple[pd.DataFrame, dict]:
    """The scored table the numbers are computed on, and the ``flagged`` record of the document.

    With ``exclude_flagged`` the pairs that ``scored["flag"]`` marks are dropped (every wording of
    them) and the plain bias score over all pairs is kept for comparison.
    """
    flagged = scored.loc[(scored["para_index"] == 0) & (scored["flag"] != ""), "pair_id"].nunique()
    n_all = int(scored.loc[scored["para_index"] == 0, "pair_id"].nunique())
    record = {"n_flagged": int(flagged), "n_pairs_all": n_all, "excluded": bool(exclude_flagged)}
    if not exclude_flagged:
        return scored, record
    kept = scored[scored["flag"] == ""].copy()
    kept.attrs = dict(scored.attrs)
    if kept.empty:
        raise InputError(
            f"all {n_all} pairs are flagged by the known-problems audit: nothing is left to score "
            "with exclude_flagged (build the report without it)"
        )
    everything = report_numbers(
        scored[scored["para_index"] == 0], seed=seed, n_resamples=settings["n_resamples"], icc_n_resamples=0
    )["bias_score"]
    record["bias_score_all"] = {k: everything[k] for k in ("estimate", "ci_low", "ci_high", "n")}
    return kept, record


def _document_stage(scored, pairs, scorer, *, dataset, metric, seed, limit, result, settings, timing):
    """Stage 4: every number, statement, figure and provenance record of the card, validated."""
    from trustkit.data.pair_flags import flag_column, pair_problems

    t0 = time.perf_counter()
    found = pair_problems(pairs)
    scored = scored.copy()
    scored["flag"] = flag_column(scored["pair_id"], found)
    exclude = settings.pop("exclude_flagged")
    counted, flagged = _flagged_section(scored, exclude, settings, seed)
    numbers = report_numbers(counted, seed=seed, **settings)
    numbers["settings"]["exclude_flagged"] = exclude
    problems = known_problems(pairs, problems=found)
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
    figures = report_figures(counted, numbers, label)
    document = {
        "schema_version": SCHEMA_VERSION,
        "title": f"Bias report card: {label} on {dataset}",
        **numbers,
        "statements": flagged_statements(flagged, numbers) + report_statements(numbers),
        "known_problems": problems,
        "flagged": flagged,
        "paraphrasing": result.summary() if result else None,
        "timing": timing,
        "provenance": provenance,
    }
    return document, figures, scored


def build_report(
    model,
    data="crows_pairs",
    *,
    limit: int | None = None,
    n_paraphrases: int = 3,
    paraphraser="backtranslation",
    metric: str | None = None,
    seed: int = 0,
    device=None,
    n_resamples: int = 1000,
    icc_n_resamples: int = 100,
    tau_estimator: str = "abs_change",
    quantile: float = 0.5,
    min_similarity: float = 0.75,
    random_control: bool = False,
    batch_tokens: int | None = None,
    cache=True,
    n_examples: int = 5,
    exclude_flagged: bool = False,
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
    n_paraphrases : candidates per sentence; 0 skips paraphrasing (then no τ, flip rate or ICC).
    paraphraser : ``"<method>"`` or ``"<method>:<model>"`` (default ``backtranslation``, offline),
        or a ``trustkit.paraphrase.Paraphraser``.
    metric : the scoring metric; default ``pll`` for masked and ``ll`` for causal LMs.
    seed : seed of paraphrasing and of every bootstrap.
    device, random_control, batch_tokens, cache : passed to ``load_scorer``.
    n_resamples, icc_n_resamples, tau_estimator, quantile : the statistics' settings.
    min_similarity : the paraphrase filter's cosine threshold (all-MiniLM-L6-v2).
    n_examples : pairs listed at each end of Δ.
    exclude_flagged : compute every number without the pairs that the known-problems audit flags
        (:func:`trustkit.data.pair_flags.pair_problems`); the card says how many were excluded and
        the bias score over all pairs. Either way ``report.scored`` has a ``flag`` column with
        each pair's reasons ("" when none) and flagged pairs are marked wherever they are listed.
    progress : progress bars on scoring and paraphrasing.
    log : where one-line notices go (None: nowhere).

    Returns
    -------
    :class:`Report`; ``report.write("report.html")`` writes the page and ``report.json``.

    Example
    -------
    A random-weights control (so the numbers mean nothing) on a pair file of two pairs:

    >>> from trustkit.examples import two_pair_file
    >>> path = two_pair_file()  # a CSV pair file of two pairs
    >>> from trustkit.models import random_control
    >>> report = build_report(random_control("bert", "tiny"), path, n_paraphrases=0, random_control=True,
    ...                       n_resamples=200, cache=False, progress=False, log=None)
    >>> report.summary()["pairs"]
    2
    >>> html, _ = report.write(path.with_name("report.html"))
    >>> html.name, html.with_suffix(".json").is_file()
    ('report.html', True)

    For a real model: ``build_report("smollm2-135m-instruct", "crows_pairs", limit=100)``.
    """
    from trustkit.scoring.registry import default_metric

    log = log or (lambda *_: None)
    if int(n_paraphrases) < 0:
        raise InputError(f"n_paraphrases must be 0 or more, got {n_paraphrases}")
    timing, start = {}, time.perf_counter()
    pairs, dataset = _pairs_stage(data, limit)
    from trustkit.scoring import load_scorer

    scorer = load_scorer(
        model,
        device=device,
        random_control=random_control,
        batch_tokens=batch_tokens,
        cache=cache,
        progress=progress,
    )
    metric = metric or default_metric(scorer.kind, "sentences")
    timing["load"] = time.perf_counter() - start
    t0 = time.perf_counter()
    wordings, result = _wordings_stage(
        pairs,
        n_paraphrases=n_paraphrases,
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
    with scorer.labelled(f"{Path(name).name} · {dataset}"):
        scored = scorer.score_pairs(wordings, metric)
    timing["score"] = time.perf_counter() - t0
    settings = dict(
        n_resamples=n_resamples,
        tau_estimator=tau_estimator,
        quantile=quantile,
        icc_n_resamples=icc_n_resamples,
        n_examples=n_examples,
        exclude_flagged=bool(exclude_flagged),
    )
    document, figures, scored = _document_stage(
        scored,
        pairs,
        scorer,
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
