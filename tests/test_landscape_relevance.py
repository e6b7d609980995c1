"""Paper relevance of the landscape study: fingerprints, relevance ranking of planted papers,
bootstrap ROC AUC, TrustNLP validation and per-year share."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from trustkit.landscape.communities import louvain_membership
from trustkit.landscape.corpus import prepare_corpus
from trustkit.landscape.network import cooccurrence_network, doc_term_matrix
from trustkit.landscape.relevance import (
    dominant_community,
    paper_relevance,
    roc_auc_bootstrap,
    trustnlp_validation,
    trustworthy_share_by_year,
    word_fingerprints,
)
from trustkit.landscape.synthetic import planted_papers


@pytest.fixture(scope="module")
def study():
    papers = planted_papers(n_per_topic=80, seed=2)
    corpus = prepare_corpus(papers, phrase_threshold=2.0)
    dtm = doc_term_matrix(corpus, min_df=5, max_df=0.5)
    G = cooccurrence_network(dtm, min_cooccurrence=5, min_npmi=0.2)
    m = louvain_membership(G, seed=0)
    rel = paper_relevance(dtm, word_fingerprints(G, m))
    return corpus.papers, m, rel


def test_fingerprint_hand_example_and_rows_sum_to_one():
    G = nx.Graph()
    G.add_weighted_edges_from([("a", "b", 0.5), ("b", "c", 0.25), ("c", "d", 1.0)])
    m = pd.Series({"a": 0, "b": 0, "c": 1, "d": 1})
    fp = word_fingerprints(G, m)
    # b: itself (1) + a (0.5) in community 0, c (0.25) in community 1
    assert fp.loc["b"].tolist() == pytest.approx([1.5 / 1.75, 0.25 / 1.75])
    assert fp.loc["d"].tolist() == pytest.approx([0.0, 1.0])
    assert np.allclose(fp.sum(axis=1), 1.0)


def test_relevance_ranks_planted_topic_papers_first(study):
    papers, m, rel = study
    privacy = rel[m["privacy"]]
    is_privacy = papers["topic"] == "privacy"
    assert roc_auc_score(is_privacy, privacy) > 0.99
    assert privacy[is_privacy].min() > 0.5 > privacy[~is_privacy].max()
    assert np.allclose(rel.drop(columns="n_words").sum(axis=1), 1.0)
    assert (dominant_community(rel)[is_privacy] == m["privacy"]).all()


def test_roc_auc_bootstrap_matches_sklearn_and_brackets_the_estimate():
    rng = np.random.default_rng(0)
    labels = rng.random(400) < 0.2
    scores = np.round(rng.normal(labels * 0.8, 1.0), 1)  # rounding makes ties
    res = roc_auc_bootstrap(scores, labels, n_resamples=300, seed=1)
    assert res["estimate"] == pytest.approx(roc_auc_score(labels, scores))
    assert res["ci_low"] < res["estimate"] < res["ci_high"]
    assert 0.6 < res["estimate"] < 0.85
    assert res["n_pos"] == labels.sum() and res["n_neg"] == (~labels).sum()
    with pytest.raises(ValueError, match="positives and negatives"):
        roc_auc_bootstrap([0.1, 0.2], [False, False])


def test_trustnlp_validation_separates_planted_positives(study):
    papers, m, rel = study
    table = trustnlp_validation(
        papers, rel, {"privacy": [m["privacy"]], "parsing": [m["parsing"]]}, n_resamples=200
    )
    privacy, parsing = table.set_index("score").loc[["privacy", "parsing"], "estimate"]
    is_pos = papers["venue"] == "2022.trustnlp-1"
    assert privacy == pytest.approx(roc_auc_score(is_pos, rel[m["privacy"]]))
    # positives are 10 of the 80 privacy papers: they beat the 240 others and tie on average with
    # the 70 other privacy papers, so AUC is about (240 + 70 / 2) / 310 = 0.89
    assert 0.85 < privacy < 0.95
    assert parsing < 0.5
    assert table["positive_venues"].iloc[0] == "2022.trustnlp-1"
    with pytest.raises(ValueError, match="no paper from venues"):
        trustnlp_validation(papers, rel, {"privacy": [m["privacy"]]}, venues=("2030.none-1",))


def test_share_by_year_counts_dominant_communities(study):
    papers, m, rel = study
    share = trustworthy_share_by_year(papers, rel, {"privacy": [m["privacy"]]})
    assert sorted(share["year"]) == [2021, 2022, 2023]
    total = (share["share"] * share["n_papers"]).sum()
    assert total == pytest.approx((papers["topic"] == "privacy").sum())
