"""The landscape study's settings: :class:`LandscapeParams`, one set per profile.

The sets are read from :mod:`trustkit.profiles`; this module also normalises whatever a caller
passes as parameters.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from trustkit.errors import InputError
from trustkit.landscape import communities as comm
from trustkit.landscape import relevance


@dataclass
class LandscapeParams:
    """Every setting of the study (defaults = the full-corpus ``offline`` run).

    Attributes
    ----------
    years
        first and last publication year (2025 is incomplete in the data).
    max_papers
        random sample size (None = all); TrustNLP volumes are always kept.
    sample_seed
        seed of that sample.
    phrase_min_count, phrase_threshold
        bigram detector (count, NPMI), see ``prepare_corpus``.
    min_df, max_df
        vocabulary pruning (papers per word), see ``doc_term_matrix``.
    min_cooccurrence, min_npmi
        edge pruning, see ``cooccurrence_network``.
    resolution, seed
        Louvain resolution and the seed of the reported partition.
    stability_seeds
        number of Louvain seeds (0..n-1) for AMI stability and the claim test.
    top_n
        top words per community.
    min_community_size
        communities with fewer words are kept in the network but are not
        drawn and cannot be a paper's dominant community.
    n_resamples
        bootstrap resamples of the AUC CI.
    trustnlp_venues
        positive venues of the validation.
    holdout_trustnlp
        build the network without the TrustNLP papers, so the papers that
        validate the relevance score do not shape the map they are scored on.
    seed_terms
        trustworthy concept -> seed terms.
    make_figures
        draw the four figures.
    """

    years: tuple[int, int] = (2016, 2024)
    max_papers: int | None = None
    sample_seed: int = 0
    phrase_min_count: int = 20
    phrase_threshold: float = 0.35
    min_df: int = 20
    max_df: float = 0.5
    min_cooccurrence: int = 10
    min_npmi: float = 0.2
    resolution: float = 1.0
    seed: int = 0
    stability_seeds: int = 10
    top_n: int = 10
    min_community_size: int = 20
    n_resamples: int = 2000
    trustnlp_venues: tuple[str, ...] = relevance.TRUSTNLP_VENUES
    holdout_trustnlp: bool = True
    seed_terms: dict = field(default_factory=lambda: dict(comm.SEED_TERMS))
    make_figures: bool = True


def profile_settings(profile: str) -> dict:
    """The landscape settings of a run profile, taken from notebook 05's entry in ``trustkit.profiles``.

    One place holds the profiles (smoke: seconds, lab: well under a minute, offline/paper: the
    full corpus); the notebook-only entries (output folder, profile name) are left out.

    >>> profile_settings("smoke")["max_papers"]
    2500
    """
    from trustkit.profiles import profile_parameters  # refuses an unknown profile

    known = {f.name for f in dataclasses.fields(LandscapeParams)}
    return {k: v for k, v in profile_parameters(profile, "05_landscape").items() if k in known}


def landscape_params(profile: str = "offline", **overrides) -> LandscapeParams:
    """The parameters of a profile, with any field overridden.

    >>> landscape_params("smoke", seed=3).max_papers
    2500
    """
    return _as_params({**profile_settings(profile), **overrides})


def _as_params(params) -> LandscapeParams:
    if params is None:
        return LandscapeParams()
    if isinstance(params, LandscapeParams):
        return params
    if isinstance(params, str):
        return landscape_params(params)
    known = {f.name for f in dataclasses.fields(LandscapeParams)}
    unknown = set(params) - known
    if unknown:
        raise InputError(f"unknown landscape parameters {sorted(unknown)}; known: {sorted(known)}")
    params = dict(params)
    if "years" in params:
        params["years"] = tuple(params["years"])
    if "trustnlp_venues" in params:
        params["trustnlp_venues"] = tuple(params["trustnlp_venues"])
    return LandscapeParams(**params)
