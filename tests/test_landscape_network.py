"""Co-occurrence network of the landscape study: doc-term matrix, hand-computed NPMI, pruning."""

import math

import numpy as np
import pandas as pd
import pytest

from trustkit.landscape.corpus import prepare_corpus
from trustkit.landscape.network import cooccurrence_network, doc_term_matrix, npmi, npmi_table


@pytest.fixture()
def tiny():
    # Four papers: {a, b}, {a, b}, {a, c}, {c}, with a repeated word that must count once.
    docs = ["apple banana apple", "apple banana", "apple cherry", "cherry"]
    corpus = prepare_corpus(pd.DataFrame({"title": [""] * 4, "abstract": docs}), phrase_threshold=2.0)
    return doc_term_matrix(corpus, min_df=1, max_df=1.0)


def test_doc_term_matrix_is_binary_with_document_frequencies(tiny):
    assert tiny.X.max() == 1
    df = dict(zip(tiny.terms, tiny.df))
    assert df == {"apple": 3, "banana": 2, "cherry": 2}


def test_npmi_matches_hand_computation(tiny):
    table = npmi_table(tiny, min_cooccurrence=1).set_index(["source", "target"])
    # apple & banana: p(ab) = 2/4, p(a) = 3/4, p(b) = 2/4
    expected_ab = math.log(0.5 / (0.75 * 0.5)) / -math.log(0.5)
    # apple & cherry: p(ac) = 1/4, p(a) = 3/4, p(c) = 2/4
    expected_ac = math.log(0.25 / (0.75 * 0.5)) / -math.log(0.25)
    assert table.loc[("apple", "banana"), "npmi"] == pytest.approx(expected_ab)  # 0.415
    assert table.loc[("apple", "cherry"), "npmi"] == pytest.approx(expected_ac)  # -0.292
    assert table.loc[("apple", "banana"), "count"] == 2
    assert ("banana", "cherry") not in table.index  # never together: no row


def test_npmi_bounds():
    assert npmi(5, 5, 5, 20) == pytest.approx(1.0)  # always together
    assert npmi(4, 8, 10, 20) == pytest.approx(0.0)  # independent: p(ab) = p(a) p(b)
    assert npmi(10, 10, 10, 10) == 1.0  # every paper


def test_network_prunes_by_weight_and_drops_isolated_words(tiny):
    G = cooccurrence_network(tiny, min_cooccurrence=1, min_npmi=0.0)
    assert set(G.edges) == {("apple", "banana")}
    assert "cherry" not in G
    assert G["apple"]["banana"]["weight"] == pytest.approx(0.41504, abs=1e-4)
    assert G.nodes["apple"]["df"] == 3 and G.graph["n_docs"] == 4


def test_network_prunes_by_cooccurrence_count(tiny):
    with pytest.raises(ValueError, match="lower min_cooccurrence"):
        cooccurrence_network(tiny, min_cooccurrence=3, min_npmi=-1.0)


def test_vocabulary_pruning_error_is_clear(tiny):
    corpus = prepare_corpus(pd.DataFrame({"title": [""], "abstract": ["one two"]}))
    with pytest.raises(ValueError, match="lower min_df"):
        doc_term_matrix(corpus, min_df=5)


def test_cooccurrence_counts_equal_a_brute_force_count():
    rng = np.random.default_rng(1)
    words = ["w" + chr(97 + i) * 2 for i in range(8)]
    docs = [" ".join(rng.choice(words, 5)) for _ in range(60)]
    corpus = prepare_corpus(pd.DataFrame({"title": [""] * 60, "abstract": docs}), phrase_threshold=2.0)
    dtm = doc_term_matrix(corpus, min_df=1, max_df=1.0)
    table = npmi_table(dtm, min_cooccurrence=1)
    sets = [set(d.split()) for d in docs]
    for _, row in table.iterrows():
        assert row["count"] == sum(row["source"] in s and row["target"] in s for s in sets)
