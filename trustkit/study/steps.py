"""The PLL study's steps: load the models, score, paraphrase with a fallback, label the outcomes.

:class:`trustkit.study.PLLStudy` calls these with its parameters; the work itself is done by
trustkit.scoring (scores), trustkit.paraphrase (paraphrases) and trustkit.stats (estimates).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from trustkit.data import sample_pairs
from trustkit.errors import InputError
from trustkit.paraphrase import REJECTION_KINDS, paraphrase_pairs, paraphraser_from_spec
from trustkit.scoring.registry import default_metric

#: the per-sentence score of each model kind unless a notebook asks for another
DEFAULT_METRICS = {kind: default_metric(kind, "sentences") for kind in ("masked", "causal")}


@dataclass
class StudyModel:
    """A scorer with the name the study's tables and figures give it.

    ``is_control`` is read from the scorer's provenance (a model loaded with
    ``random_control=True``), so a random-weights control is labelled in every figure.

    Example
    -------
    >>> from trustkit.models import random_control
    >>> from trustkit.scoring import load_scorer
    >>> control = StudyModel("bert-tiny", load_scorer(random_control("bert", "tiny"), random_control=True))
    >>> control.kind, control.is_control
    ('masked', True)
    """

    name: str
    scorer: object
    is_control: bool = field(init=False)
    kind: str = field(init=False)

    def __post_init__(self):
        self.kind = self.scorer.kind
        self.is_control = bool(getattr(self.scorer, "provenance", {}).get("random_control", False))

    @property
    def provenance(self) -> dict:
        """The loaded model's provenance (model id, files and sha256), marked when it is a control."""
        return {**getattr(self.scorer, "provenance", {}), "name": self.name, "is_control": self.is_control}


def score_study(
    study_models: list[StudyModel],
    pairs_by_dataset: dict[str, pd.DataFrame],
    metrics: dict[str, str] | None = None,
    control_pairs: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Score every dataset with every model; one long table with model, metric and dataset columns.

    Parameters
    ----------
    study_models : :class:`StudyModel` objects (scorers from ``trustkit.scoring.load_scorer``).
    pairs_by_dataset : ``{dataset name: pair table}``; a paraphrase table (``para_index`` column)
        works the same way.
    metrics : metric per model kind, default ``DEFAULT_METRICS`` (masked ``pll``, causal ``ll``).
    control_pairs : score the control on only this many pairs per dataset (a random subset,
        the same for every run with this seed): masked PLL costs one forward pass per token.
    seed : the subset's seed.

    Returns
    -------
    The scorers' ``score_pairs`` tables stacked, with ``model``, ``is_control``, ``kind``,
    ``metric``, ``dataset`` and ``para_index`` (0 when the input has none).

    Example
    -------
    >>> from trustkit.examples import two_pairs
    >>> pairs = two_pairs()
    >>> from trustkit.models import random_control
    >>> from trustkit.scoring import load_scorer
    >>> control = load_scorer(random_control("bert", "tiny"), random_control=True, progress=False)
    >>> scored = score_study([StudyModel("bert-tiny", control)], {"my_pairs": pairs})
    >>> scored[["model", "metric", "dataset", "para_index"]].drop_duplicates().values.tolist()
    [['bert-tiny', 'pll', 'my_pairs', 0]]
    """
    if not study_models:
        raise InputError("no model to score: give at least one model or a control")
    metrics = {**DEFAULT_METRICS, **(metrics or {})}
    frames = []
    for model in study_models:
        metric = metrics[model.kind]
        for dataset, pairs in pairs_by_dataset.items():
            subset = pairs
            if model.is_control and control_pairs is not None:
                ids = sample_pairs(pairs.drop_duplicates("pair_id"), control_pairs, seed)["pair_id"]
                subset = pairs[pairs["pair_id"].isin(ids)]
            with model.scorer.labelled(f"{model.name} · {dataset}"):
                scored = model.scorer.score_pairs(subset, metric)
            frames.append(
                scored.assign(
                    model=model.name,
                    is_control=model.is_control,
                    kind=model.kind,
                    metric=metric,
                    dataset=dataset,
                )
            )
    out = pd.concat(frames, ignore_index=True)
    if "para_index" not in out.columns:
        out["para_index"] = 0
    return out


def metric_variants(model: StudyModel, pairs: pd.DataFrame, metrics=None) -> pd.DataFrame:
    """Score the same pairs with every metric variant the model supports.

    Parameters
    ----------
    model : a :class:`StudyModel`.
    pairs : a pair table.
    metrics : the variants; default every sentence and pair metric of the model's scorer
        (masked: ``pll, pll_word_l2r, aul, aula, crows``; causal: ``ll, ll_shared``).

    Returns
    -------
    The ``score_pairs`` tables stacked with ``model``, ``is_control``, ``kind`` and ``metric``.

    Example
    -------
    >>> from trustkit.examples import two_pairs
    >>> pairs = two_pairs()
    >>> from trustkit.models import random_control
    >>> from trustkit.scoring import load_scorer
    >>> control = StudyModel("bert-tiny", load_scorer(random_control("bert", "tiny"), random_control=True))
    >>> sorted(metric_variants(control, pairs)["metric"].unique())
    ['aul', 'aula', 'crows', 'pll', 'pll_word_l2r']
    """
    scorer = model.scorer
    metrics = list(metrics or (scorer.sentence_metrics + scorer.pair_metrics))
    with scorer.labelled(f"{model.name} · {pairs.attrs.get('source', 'pairs')}"):
        frames = [
            scorer.score_pairs(pairs, m).assign(
                model=model.name, is_control=model.is_control, kind=model.kind, metric=m
            )
            for m in metrics
        ]
    out = pd.concat(frames, ignore_index=True)
    if "para_index" not in out.columns:
        out["para_index"] = 0
    return out


FALLBACK_BACKEND = "backtranslation"


def paraphrase_for_study(
    pairs: pd.DataFrame,
    backend: str,
    *,
    n_paraphrases: int,
    seed: int = 0,
    settings=None,
    fallback: str | None = FALLBACK_BACKEND,
    log=print,
    mode: str = "consistent",
    scorer=None,
    progress: bool = True,
):
    """Paraphrase pairs with ``backend``; when it keeps no paraphrase at all, say so and use ``fallback``.

    The sensitivity and thresholding steps need paraphrases: a backend that keeps none (e.g. a
    random-weights replica, or a model that only echoes its input) would leave them nothing. The
    result's ``settings["backend"]`` names the backend actually used, and figures record it.

    Parameters
    ----------
    pairs : a pair table.
    backend : ``"<method>"`` or ``"<method>:<model>"`` (``trustkit.paraphrase.paraphraser_from_spec``).
    n, seed, settings, mode, scorer, progress : as for ``trustkit.paraphrase.paraphrase_pairs``.
    fallback : the backend tried when ``backend`` keeps nothing; None to return the empty result.
    log : where the notice goes.

    Returns
    -------
    A ``ParaphraseResult``; ``settings["requested_backend"]`` is ``backend``.

    Example
    -------
    >>> parrot = "seq2seq:prithivida/parrot_paraphraser_on_T5"
    >>> result = paraphrase_for_study(pairs, parrot, n_paraphrases=5)  # doctest: +SKIP
    """
    options = {
        "n_paraphrases": n_paraphrases,
        "seed": seed,
        "mode": mode,
        "settings": settings,
        "scorer": scorer,
        "progress": progress,
    }
    result = paraphrase_pairs(pairs, paraphraser_from_spec(backend), **options)
    if (result.table["para_index"] > 0).any() or not fallback or fallback == backend:
        result.settings["requested_backend"] = backend
        return result
    log(
        f"{backend} kept no paraphrase of the {len(pairs)} pairs (every candidate was rejected: "
        f"{result.summary().get('rejected', 0)} rejections); the steps below use {fallback} instead."
    )
    result = paraphrase_pairs(pairs, paraphraser_from_spec(fallback), **options)
    result.settings["requested_backend"] = backend
    return result


def paraphraser_records(results: dict) -> list[dict]:
    """Provenance of each paraphrase backend for ``save_figure``: spec, backend id, hub revision.

    The revision is the backend's own (``Paraphraser.revision``, kept in the result's settings).

    >>> from types import SimpleNamespace
    >>> paraphraser_records({"seq2seq:org/t5": SimpleNamespace(settings={"backend": "seq2seq:org/t5@c0ffee",
    ...                                                                  "revision": "c0ffee"})})
    [{'model_id': 'seq2seq:org/t5', 'role': 'paraphraser', 'backend': 'seq2seq:org/t5@c0ffee', 'revision': 'c0ffee'}]
    """
    return [
        {
            "model_id": spec,
            "role": "paraphraser",
            "backend": result.settings.get("backend", ""),
            "revision": result.settings.get("revision"),
        }
        for spec, result in results.items()
    ]


def paraphrase_outcomes(results: dict) -> pd.DataFrame:
    """Every candidate of each backend with its fate: ``kept`` or the reason it was rejected.

    Parameters
    ----------
    results : ``{backend name: ParaphraseResult}`` from ``trustkit.paraphrase.paraphrase_pairs``.

    Returns
    -------
    One row per candidate sentence: ``backend, pair_id, more_or_less, outcome, similarity,
    sentence`` (kept paraphrases; a rejected candidate's outcome is ``"rejected: "`` and the
    label of its ``kind``, ``trustkit.paraphrase.REJECTION_KINDS``, e.g. ``similarity``,
    ``group words``). Bad input rows and unpartnered paraphrases are left out.

    Example
    -------
    >>> paraphrase_outcomes({"backtranslation": result}).outcome.value_counts()  # doctest: +SKIP
    """
    frames = []
    for backend, result in results.items():
        kept = result.table[result.table["para_index"] > 0]
        frames.append(
            pd.DataFrame(
                {
                    "backend": backend,
                    "pair_id": kept["pair_id"],
                    "more_or_less": kept["more_or_less"],
                    "outcome": "kept",
                    "similarity": kept["similarity"],
                    "sentence": kept["sentence"],
                }
            )
        )
        rejected = result.rejected[result.rejected["para_candidate"] >= 0]
        reasons = rejected["kind"].map(REJECTION_KINDS)
        frames.append(
            pd.DataFrame(
                {
                    "backend": backend,
                    "pair_id": rejected["pair_id"],
                    "more_or_less": rejected["more_or_less"],
                    "outcome": "rejected: " + reasons,
                    "similarity": rejected["similarity"],
                    "sentence": rejected["candidate"],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
