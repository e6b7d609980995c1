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

from trustkit.errors import InputError
from trustkit.report.estimates import report_numbers
from trustkit.report.figures import category_figure, report_figures
from trustkit.report.html import render_html
from trustkit.report.problems import known_problems
from trustkit.report.provenance import report_provenance
from trustkit.report.schema import SCHEMA_VERSION, validate_report
from trustkit.summary import Summary

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
            raise InputError("this report has no scorer attached, so no per-token log-probabilities")
        originals = self.scored[self.scored["para_index"] == 0]
        return self.scorer.score_tokens(originals, self.metric)

    def category_figure(self):
        """The per-bias-type figure (plain and thresholded scores with CIs) as a matplotlib Figure."""
        return category_figure(self.document, self.label)

    @property
    def label(self) -> str:
        """The model's name in figures ("(random control)" appended for a control)."""
        return _label(self.document["provenance"])

    def summary(self) -> Summary:
        """The headline numbers (bias score, CI, p, thresholded score, undetermined, ICC) as a Summary."""
        b, t, s = (
            self.document["bias_score"],
            self.document["thresholded"] or {},
            self.document["sensitivity"] or {},
        )
        return Summary(
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
            title=self.document["title"],
        )

    def write(self, out: str | Path, force: bool = False) -> tuple[Path, Path]:
        """Write ``OUT.html`` and its twin ``OUT.json`` (each atomically); refuse existing files without ``force``."""
        from trustkit.fileio import atomic_write_text, check_output_path

        out = Path(out)
        for path in (out, json_path(out)):
            check_output_path(path, force=force)
        atomic_write_text(
            json_path(out), json.dumps(self.document, indent=1, ensure_ascii=False, allow_nan=False)
        )
        atomic_write_text(out, self.html)
        return out, json_path(out)


def _label(provenance: dict) -> str:
    model = provenance["model"]
    return Path(model["model_id"]).name + (" (random control)" if model["random_control"] else "")


def _paraphrased_wordings(pairs, paraphraser, n, seed, min_similarity, cache, progress, log):
    """Originals (para_index 0, every pair) followed by the kept pair-consistent paraphrases."""
    from trustkit.paraphrase import (
        FilterSettings,
        SimilarityScorer,
        paraphrase_pairs,
        paraphraser_from_spec,
        to_pair_table,
    )

    backend = paraphraser_from_spec(paraphraser) if isinstance(paraphraser, str) else paraphraser
    result = paraphrase_pairs(
        pairs,
        backend,
        n_paraphrases=n,
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
    kept = to_pair_table(result.table)
    kept = kept[kept["para_index"] > 0]
    extra = [c for c in kept.columns if c not in pairs.columns and c != "para_index"]
    originals = pairs.assign(para_index=0)
    wordings = pd.concat([originals, kept.drop(columns=extra)], ignore_index=True)
    return wordings.sort_values(["pair_id", "para_index"], kind="stable").reset_index(drop=True), result


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
    A random-weights control (so the numbers mean nothing) on a pair file of two pairs:

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "my_pairs.csv"
    >>> import pandas as pd
    >>> pd.DataFrame({"sent_more": ["Poor people are lazy.", "Men are strong."],
    ...               "sent_less": ["Rich people are lazy.", "Women are strong."],
    ...               "stereo_antistereo": ["stereo", "stereo"], "bias_type": ["socioeconomic", "gender"]}
    ...              ).to_csv(path, index=False)
    >>> from trustkit.models import random_control
    >>> report = build_report(random_control("bert", "tiny"), path, paraphrases=0, random_control=True,
    ...                       n_resamples=200, cache=False, progress=False, log=None)
    >>> report.summary()["pairs"]
    2
    >>> html, _ = report.write(path.with_name("report.html"))
    >>> html.name, html.with_suffix(".json").is_file()
    ('report.html', True)

    For a real model: ``build_report("smollm2-135m-instruct", "crows_pairs", limit=100)``.
    """
    from trustkit.data import load_pairs
    from trustkit.study import DEFAULT_METRICS, progress_label

    log = log or (lambda *_: None)
    if limit is not None and int(limit) < 1:
        raise InputError(f"limit must be a positive number of pairs, got {limit}")
    if int(paraphrases) < 0:
        raise InputError(f"paraphrases must be 0 or more, got {paraphrases}")
    timing, start = {}, time.perf_counter()
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
    from trustkit.scoring import load_scorer

    scorer = load_scorer(
        model,
        device=device,
        random_control=random_control,
        batch_tokens=batch_tokens,
        cache=cache,
        progress=progress,
    )
    metric = metric or DEFAULT_METRICS[scorer.kind]
    timing["load"] = time.perf_counter() - start
    result = None
    wordings = pairs.assign(para_index=0)
    if paraphrases:
        t0 = time.perf_counter()
        wordings, result = _paraphrased_wordings(
            pairs, paraphraser, int(paraphrases), seed, min_similarity, scorer.cache, progress, log
        )
        timing["paraphrase"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    name = str(getattr(scorer, "provenance", {}).get("model_id") or "model")
    with progress_label(scorer, f"{Path(name).name} · {dataset}"):
        scored = scorer.score_pairs(wordings, metric)
    timing["score"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    numbers = report_numbers(
        scored,
        n_resamples=n_resamples,
        seed=seed,
        tau_estimator=tau_estimator,
        tau_quantile=tau_quantile,
        icc_bootstrap=icc_bootstrap,
        n_examples=n_examples,
    )
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
    timing["total"] = time.perf_counter() - start
    document = {
        "schema_version": SCHEMA_VERSION,
        "title": f"Bias report card: {label} on {dataset}",
        **numbers,
        "known_problems": problems,
        "paraphrasing": result.summary() if result else None,
        "timing": {k: round(v, 2) for k, v in timing.items()},
        "provenance": provenance,
    }
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
