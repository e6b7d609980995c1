"""The research-landscape study (Derzsy, Majumdar & Malik 2021) on the ACL Anthology.

It builds a word co-occurrence network, finds its Louvain communities, and gives every paper a
relevance score.

One call runs it all::

    from trustkit.landscape import run_landscape
    result = run_landscape("lab")          # or a LandscapeParams / dict of its fields
    print(result.summary()); result.figures["network_map"]
"""

from trustkit.landscape.communities import (
    SEED_TERMS,
    community_stability,
    concept_stability,
    louvain_membership,
    louvain_runs,
    privacy_fairness_separation,
    top_words,
    trustworthy_communities,
)
from trustkit.landscape.corpus import (
    STOP_WORDS,
    Corpus,
    light_normaliser,
    prepare_corpus,
    select_papers,
)
from trustkit.landscape.network import (
    DocTermMatrix,
    cooccurrence_network,
    doc_term_matrix,
    npmi,
    npmi_table,
)
from trustkit.landscape.params import LandscapeParams, landscape_params, profile_settings
from trustkit.landscape.relevance import (
    TRUSTNLP_VENUES,
    paper_relevance,
    roc_auc_bootstrap,
    trustnlp_validation,
    trustworthy_share_by_year,
    word_fingerprints,
)
from trustkit.landscape.study import LandscapeResult, run_landscape

__all__ = [
    "SEED_TERMS",
    "STOP_WORDS",
    "TRUSTNLP_VENUES",
    "Corpus",
    "DocTermMatrix",
    "LandscapeParams",
    "LandscapeResult",
    "community_stability",
    "concept_stability",
    "cooccurrence_network",
    "doc_term_matrix",
    "landscape_params",
    "light_normaliser",
    "louvain_membership",
    "louvain_runs",
    "npmi",
    "npmi_table",
    "paper_relevance",
    "prepare_corpus",
    "privacy_fairness_separation",
    "profile_settings",
    "roc_auc_bootstrap",
    "run_landscape",
    "select_papers",
    "top_words",
    "trustnlp_validation",
    "trustworthy_communities",
    "trustworthy_share_by_year",
    "word_fingerprints",
]
