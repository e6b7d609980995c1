"""The PLL study as one object: its settings and its steps.

:class:`StudyParams` holds every setting (from a profile); :class:`PLLStudy` runs each step of
notebooks 02-04 as one call with those settings.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from trustkit.data import load_pairs, sample_pairs
from trustkit.errors import InputError
from trustkit.models import parse_control
from trustkit.paraphrase import MODES, FilterSettings, ParaphraseResult, pair_wordings
from trustkit.profiles import profile_parameters
from trustkit.stats import (
    flip_rate_table,
    model_thresholds,
    pair_sign_test,
    per_series,
    series_bias_scores,
    thresholded_bias_score,
    variance_decomposition,
)
from trustkit.study.steps import (
    DEFAULT_METRICS,
    FALLBACK_BACKEND,
    StudyModel,
    metric_variants,
    paraphrase_for_study,
    score_study,
)

# Notebook parameters that name one item where the study holds a tuple.
_SINGULAR = {"dataset": "datasets", "backend": "backends"}
_TUPLES = ("models", "datasets", "backends")


@dataclass(frozen=True)
class StudyParams:
    """Every setting of the PLL study (defaults: notebook 04's ``lab`` profile).

    Attributes
    ----------
    models : names for ``trustkit.scoring.load_scorer`` (bundle names, hub ids, local paths).
    control : ``"<arch>-<size>"`` of a random-weights masked LM, or None / "" for none.
    datasets : pair datasets (``trustkit.data.load_pairs`` names or paths).
    n_pairs : pairs drawn at random per dataset; None for every pair.
    control_n_pairs : pairs per dataset the control scores; None for as many as the models.
    variants_n_pairs : pairs on which every metric variant is compared.
    metrics : per-sentence metric per model kind (default masked ``pll``, causal ``ll``).
    backends : paraphrasers, ``"<method>"`` or ``"<method>:<model>"``; the first is the study's.
    fallback_backend : used when a backend keeps no paraphrase; None for none.
    n_paraphrases, min_similarity, mode : candidates per sentence, the similarity filter's
        threshold, ``consistent`` or ``independent`` rewriting.
    n_resamples, icc_n_resamples : bootstrap resamples of the CIs and parametric-bootstrap refits of
        the mixed model.
    tau_estimator, quantile : how τ is read from paraphrase noise.
    alpha : level of the per-pair sign tests.
    seed : the one seed of every draw (pairs, control subset, paraphrases, bootstraps, weights).
    device, batch_tokens, progress : passed to the scorers.

    Example
    -------
    >>> StudyParams(datasets="crows_pairs", n_pairs=5).datasets
    ('crows_pairs',)
    """

    models: tuple[str, ...] = ("smollm2-135m-instruct",)
    control: str | None = "bert-base"
    datasets: tuple[str, ...] = ("crows_pairs",)
    n_pairs: int | None = 12
    control_n_pairs: int | None = 4
    variants_n_pairs: int | None = 6
    metrics: dict = field(default_factory=lambda: dict(DEFAULT_METRICS))
    backends: tuple[str, ...] = ("backtranslation",)
    fallback_backend: str | None = FALLBACK_BACKEND
    n_paraphrases: int = 3
    min_similarity: float = 0.75
    mode: str = "consistent"
    n_resamples: int = 1000
    icc_n_resamples: int = 20
    tau_estimator: str = "abs_change"
    quantile: float = 0.5
    alpha: float = 0.05
    seed: int = 0
    device: str | None = "cpu"
    batch_tokens: int | None = None
    progress: bool = True

    def __post_init__(self):
        for name in _TUPLES:
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))
        object.__setattr__(self, "metrics", {**DEFAULT_METRICS, **(self.metrics or {})})
        parse_control(self.control)  # a malformed control fails here, before any model loads
        if self.mode not in MODES:
            raise InputError(f"mode must be one of {MODES}, got {self.mode!r}")
        for name in ("n_pairs", "control_n_pairs", "variants_n_pairs"):
            value = getattr(self, name)
            if value is not None and int(value) < 1:
                raise InputError(f"{name} must be at least 1 or None (every pair), got {value}")

    @classmethod
    def from_parameters(cls, parameters: Mapping) -> StudyParams:
        """The study settings among a notebook's parameters (others, e.g. ``figures_dir``, are left out).

        ``dataset`` and ``backend`` (one item) are read as ``datasets`` and ``backends``.

        >>> StudyParams.from_parameters({"dataset": "crows_pairs", "seed": 3, "figures_dir": "out"}).seed
        3
        """
        known = {f.name for f in dataclasses.fields(cls)}
        # globals() also holds the notebook's imports: a module is never a setting, even if its
        # name is one (``from trustkit import metrics``).
        values = {
            _SINGULAR.get(k, k): v
            for k, v in parameters.items()
            if _SINGULAR.get(k, k) in known and not isinstance(v, types.ModuleType)
        }
        return cls(**values)

    @property
    def filter_settings(self) -> FilterSettings:
        """The paraphrase filters' thresholds."""
        return FilterSettings(min_similarity=self.min_similarity)


def study_params(
    profile: str = "lab", notebook: str = "04_sensitivity_thresholding", **overrides
) -> StudyParams:
    """The study settings of one notebook under one profile (``trustkit.profiles``), with any overridden.

    Parameters
    ----------
    profile : ``smoke``, ``lab``, ``offline`` or ``paper``.
    notebook : ``02_scoring``, ``03_paraphrase`` or ``04_sensitivity_thresholding``.
    overrides : :class:`StudyParams` fields (or the notebook's ``dataset`` / ``backend``).

    Example
    -------
    >>> study_params("smoke", "02_scoring", seed=3).control, study_params("smoke", seed=3).seed
    ('bert-tiny', 3)
    """
    known = {f.name for f in dataclasses.fields(StudyParams)} | set(_SINGULAR)
    unknown = set(overrides) - known
    if unknown:
        raise InputError(f"unknown study parameters {sorted(unknown)}; known: {sorted(known)}")
    return StudyParams.from_parameters({**profile_parameters(profile, notebook), **overrides})


class PLLStudy:
    """The PLL study's steps, each one call with the study's :class:`StudyParams`.

    Holds only its parameters; every step takes what it works on and returns a table.

    Example
    -------
    A random-weights control on a pair file of two pairs (a real study names its models and
    datasets, e.g. ``PLLStudy(study_params("lab"))``, and paraphrases: ``pll.paraphrase(pairs)``):

    >>> from trustkit.examples import two_pair_file
    >>> path = two_pair_file()  # a CSV pair file of two pairs
    >>> pll = PLLStudy(StudyParams(models=(), control="bert-tiny", datasets=str(path), progress=False))
    >>> pairs = pll.load_pairs()
    >>> from trustkit.models import random_control
    >>> from trustkit.scoring import load_scorer
    >>> control = load_scorer(random_control("bert", "tiny"), random_control=True, progress=False)
    >>> scored = pll.score([StudyModel("bert-tiny", control)], pairs)
    >>> scored[["model", "pair_id"]].values.tolist()
    [['bert-tiny', 0], ['bert-tiny', 1]]
    >>> pll.bias_scores(scored)[["model", "group", "n"]].values.tolist()[0]
    ['bert-tiny', 'overall', 2]
    """

    def __init__(self, params: StudyParams | None = None):
        self.params = params or StudyParams()

    @classmethod
    def from_parameters(cls, parameters: Mapping) -> PLLStudy:
        """A study from a notebook's parameters (``PLLStudy.from_parameters(globals())``)."""
        return cls(StudyParams.from_parameters(parameters))

    def __repr__(self) -> str:
        return f"PLLStudy({self.params!r})"

    def load_pairs(self, dataset: str | None = None) -> pd.DataFrame:
        """``n_pairs`` pairs of ``dataset`` (default the first of ``datasets``), drawn with ``seed``."""
        dataset = dataset or self.params.datasets[0]
        return sample_pairs(load_pairs(dataset, errors="drop"), self.params.n_pairs, self.params.seed)

    def pairs_by_dataset(self) -> dict[str, pd.DataFrame]:
        """:meth:`load_pairs` of every dataset: ``{dataset: pair table}``."""
        return {name: self.load_pairs(name) for name in self.params.datasets}

    def score(self, study_models: list[StudyModel], pairs) -> pd.DataFrame:
        """Score ``{dataset: pairs}`` (or one table, named after the first dataset) with every model."""
        if isinstance(pairs, pd.DataFrame):
            pairs = {self.params.datasets[0]: pairs}
        return score_study(
            study_models,
            pairs,
            metrics=self.params.metrics,
            control_pairs=self.params.control_n_pairs,
            seed=self.params.seed,
        )

    def variant_pairs(self, pairs: pd.DataFrame) -> pd.DataFrame:
        """The ``variants_n_pairs`` pairs on which the metric variants are compared."""
        return sample_pairs(pairs, self.params.variants_n_pairs, self.params.seed)

    def metric_variants(self, study_models: list[StudyModel], pairs: pd.DataFrame) -> pd.DataFrame:
        """Every metric variant of every model on the same pairs, stacked."""
        return pd.concat([metric_variants(m, pairs) for m in study_models], ignore_index=True)

    def bias_scores(self, scored: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
        """Bias score with bootstrap CI per series (``trustkit.stats.series_bias_scores``)."""
        return series_bias_scores(scored, by=by, n_resamples=self.params.n_resamples, seed=self.params.seed)

    def paraphrase(
        self, pairs: pd.DataFrame, backend: str | None = None, scorer=None, fallback: str | bool | None = True
    ) -> ParaphraseResult:
        """Paraphrase ``pairs`` with ``backend`` (default the first of ``backends``).

        ``fallback=True`` uses ``fallback_backend`` when the backend keeps nothing; None or
        False returns what the backend kept. ``scorer``: a shared ``SimilarityScorer``.
        """
        p = self.params
        fallback = p.fallback_backend if fallback is True else (fallback or None)
        return paraphrase_for_study(
            pairs,
            backend or p.backends[0],
            n_paraphrases=p.n_paraphrases,
            seed=p.seed,
            settings=p.filter_settings,
            fallback=fallback,
            mode=p.mode,
            scorer=scorer,
            progress=p.progress,
        )

    @staticmethod
    def wordings(result: ParaphraseResult) -> pd.DataFrame:
        """The (pair, wording) table to score: every original, then the kept paraphrases.

        The same table as the report's (:func:`trustkit.paraphrase.pair_wordings`): the bias
        score counts every original pair; τ, flip rates and the ICC the pairs that kept a
        paraphrase.
        """
        return pair_wordings(result)

    def sensitivity(self, scored: pd.DataFrame) -> pd.DataFrame:
        """Flip rates per series (``trustkit.stats.flip_rate_table``)."""
        return per_series(
            flip_rate_table, scored, by=None, n_resamples=self.params.n_resamples, seed=self.params.seed
        )

    def variance(self, scored: pd.DataFrame) -> pd.DataFrame:
        """Pair vs wording variance per series (``trustkit.stats.variance_decomposition``)."""
        return per_series(
            variance_decomposition, scored, n_resamples=self.params.icc_n_resamples, seed=self.params.seed
        )

    def thresholds(self, scored: pd.DataFrame) -> dict:
        """τ per model from its paraphrase noise (``trustkit.stats.model_thresholds``)."""
        return model_thresholds(scored, estimator=self.params.tau_estimator, quantile=self.params.quantile)

    def thresholded_scores(self, scored: pd.DataFrame, taus: dict) -> pd.DataFrame:
        """The plain CrowS-Pairs score beside the thresholded one (``|Δ| ≤ τ`` undetermined), per model."""
        p = self.params
        plain = self.bias_scores(scored).assign(tau=0.0, undetermined_share=0.0)
        thresholded = pd.concat(
            [
                per_series(
                    thresholded_bias_score,
                    scored[scored.model == m],
                    tau=t,
                    by=None,
                    n_resamples=p.n_resamples,
                    seed=p.seed,
                )
                for m, t in taus.items()
            ]
        )
        columns = [
            "model",
            "is_control",
            "tau",
            "estimate",
            "ci_low",
            "ci_high",
            "ci_method",
            "p",
            "n",
            "undetermined_share",
        ]
        return pd.concat(
            [plain[columns].assign(score="CrowS-Pairs"), thresholded[columns].assign(score="thresholded")]
        )

    def sign_tests(self, scored: pd.DataFrame) -> pd.DataFrame:
        """Per-pair sign tests of Δ against paraphrase noise (``trustkit.stats.pair_sign_test``)."""
        return per_series(pair_sign_test, scored, alpha=self.params.alpha)
