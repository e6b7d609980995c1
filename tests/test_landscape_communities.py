"""Communities of the landscape study: planted topics recovered by Louvain, stability, top words,
trustworthy communities and the privacy-vs-fairness test (both outcomes)."""

import pandas as pd
import pytest
from sklearn.metrics import adjusted_mutual_info_score

from trustkit.landscape.communities import (
    community_stability,
    concept_stability,
    louvain_membership,
    louvain_runs,
    privacy_fairness_separation,
    top_words,
    trustworthy_communities,
)
from trustkit.landscape.corpus import prepare_corpus
from trustkit.landscape.network import cooccurrence_network, doc_term_matrix
from trustkit.landscape.synthetic import NOISE_WORDS, PLANTED_TOPICS, planted_papers


def _network(papers):
    corpus = prepare_corpus(papers, phrase_threshold=2.0)
    dtm = doc_term_matrix(corpus, min_df=5, max_df=0.5)
    return cooccurrence_network(dtm, min_cooccurrence=5, min_npmi=0.2)


@pytest.fixture(scope="module")
def planted():
    return _network(planted_papers(n_per_topic=100, seed=0))


TOPIC_OF = {w: t for t, ws in PLANTED_TOPICS.items() for w in ws}


def _planted_truth(words):
    return [TOPIC_OF[w] for w in words]


def test_every_planted_word_is_a_node_and_noise_mostly_is_not(planted):
    assert set(TOPIC_OF) <= set(planted.nodes)
    # Noise words are used evenly by all topics; a chance excess may link one or two of them.
    assert len(set(NOISE_WORDS) & set(planted.nodes)) <= 3


def test_louvain_recovers_planted_topics(planted):
    m = louvain_membership(planted, resolution=1.0, seed=0)
    m = m[m.index.isin(list(TOPIC_OF))]
    assert adjusted_mutual_info_score(_planted_truth(m.index), m.to_numpy()) >= 0.9
    assert m.nunique() == len(PLANTED_TOPICS)


def test_communities_are_stable_across_seeds(planted):
    runs = louvain_runs(planted, seeds=range(4))
    stability = community_stability(runs)
    assert len(stability) == 6  # 4 choose 2
    assert stability["ami"].min() >= 0.9


def test_top_words_come_from_their_planted_topic(planted):
    m = louvain_membership(planted, seed=0)
    tops = top_words(planted, m, n=5)
    assert (tops.groupby("community").size() == 5).all()
    for _, group in tops.groupby("community"):
        planted_words = [w for w in group["word"] if w in TOPIC_OF]
        if planted_words:  # a community of chance-linked noise words has no planted topic
            assert group["word"].isin(list(TOPIC_OF)).all()
            assert len(set(_planted_truth(planted_words))) == 1
    assert (tops.groupby("community")["strength"].apply(lambda s: s.is_monotonic_decreasing)).all()


def test_trustworthy_communities_and_separation_on_planted_topics(planted):
    runs = louvain_runs(planted, seeds=range(3))
    found = trustworthy_communities(runs[0]).set_index("concept")
    m = runs[0]
    assert found.loc["privacy", "community"] == m["privacy"]
    assert found.loc["fairness", "community"] == m["fairness"]
    assert found.loc["robustness", "community"] == -1  # no robustness word planted
    assert "robustness" in found.loc["robustness", "terms_missing"]
    sep = privacy_fairness_separation(runs)
    assert sep["separated"].tolist() == [True, True, True]


def test_separation_test_can_fail():
    # Privacy and fairness words planted as ONE topic: they must not be reported as separate.
    topics = dict(PLANTED_TOPICS)
    topics["privacy"] = topics.pop("privacy")[:6] + topics.pop("fairness")[:6]
    G = _network(planted_papers(n_per_topic=100, topics=topics, seed=1))
    sep = privacy_fairness_separation(louvain_runs(G, seeds=range(2)))
    assert sep["separated"].tolist() == [False, False]


def test_separation_is_undefined_without_terms():
    runs = pd.DataFrame({0: {"privacy": 0, "parsing": 1}})
    assert pd.isna(privacy_fairness_separation(runs)["separated"].iloc[0])


def test_concept_stability_compares_word_sets_with_the_reported_run(planted):
    runs = louvain_runs(planted, seeds=range(3))
    table = concept_stability(runs)
    privacy = table[table["concept"] == "privacy"]
    assert privacy["jaccard"].tolist() == [1.0, 1.0, 1.0]  # planted topics: the same every time
    assert privacy["n_words"].iloc[0] == 12
    assert table.loc[table["concept"] == "robustness", "community"].eq(-1).all()
