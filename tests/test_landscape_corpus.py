"""Text preparation of the landscape study: selection, tokens, light normaliser, NPMI phrases."""

import numpy as np
import pandas as pd
import pytest

from trustkit.landscape.corpus import STOP_WORDS, light_normaliser, prepare_corpus, select_papers


def _papers(abstracts, titles=None):
    titles = titles or [""] * len(abstracts)
    return pd.DataFrame({"title": titles, "abstract": abstracts})


def test_tokens_are_lowercased_stop_words_and_punctuation_dropped():
    corpus = prepare_corpus(
        _papers(["We study Gender BIAS, in the Word-Embeddings of 2019!"]), phrase_threshold=2.0
    )
    assert corpus.doc_tokens(0) == ["study", "gender", "bias", "word", "embeddings"]
    assert "the" in STOP_WORDS and "propose" in STOP_WORDS


def test_light_normaliser_merges_plurals_only_when_the_singular_occurs():
    forms = {
        "models": 3,
        "model": 5,
        "biases": 2,
        "bias": 4,
        "senses": 1,
        "sense": 1,
        "studies": 2,
        "study": 1,
        "classes": 1,
        "class": 1,
        "news": 3,
        "new": 9,
        "corpus": 2,
        "analysis": 2,
        "transformers": 1,
    }
    merged = light_normaliser(forms)
    assert merged == {
        "models": "model",
        "biases": "bias",
        "senses": "sense",
        "studies": "study",
        "classes": "class",
    }


def test_plural_and_singular_become_one_term():
    corpus = prepare_corpus(_papers(["Stereotypes in models.", "A stereotype model."]), phrase_threshold=2.0)
    assert corpus.doc_tokens(0) == corpus.doc_tokens(1) == ["stereotype", "model"]
    assert set(corpus.normalised["form"]) == {"stereotypes", "models"}


def test_frequent_bigram_with_high_npmi_becomes_a_phrase():
    rng = np.random.default_rng(0)
    filler = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    texts = [
        f"{rng.choice(filler)} differential privacy {rng.choice(filler)}. "
        f"{rng.choice(filler)} {rng.choice(filler)}"
        for _ in range(40)
    ]
    corpus = prepare_corpus(_papers(texts), phrase_min_count=20, phrase_threshold=0.5)
    assert "differential_privacy" in set(corpus.phrases["phrase"])
    tokens = corpus.doc_tokens(0)
    assert "differential_privacy" in tokens and "privacy" not in tokens
    assert not any("_" in p and p != "differential_privacy" for p in corpus.phrases["phrase"])


def test_overlapping_phrases_keep_the_more_frequent_bigram():
    texts = (
        ["neural machine translation"] * 30 + ["machine translation quality"] * 30 + ["neural machine"] * 5
    )
    corpus = prepare_corpus(_papers(texts), phrase_min_count=5, phrase_threshold=0.0)
    assert corpus.doc_tokens(0) == ["neural", "machine_translation"]
    assert corpus.doc_tokens(61) == ["neural_machine"]


def test_select_papers_keeps_english_with_abstracts_in_years():
    papers = pd.DataFrame(
        {
            "anthology_id": list("abcdef"),
            "year": [2015, 2016, 2020, 2024, 2025, 2020],
            "language": ["", "", "fra", "eng", "", ""],
            "title": ["t"] * 6,
            "abstract": ["x", "x", "x", "x", "x", "  "],
            "venue": ["v"] * 6,
        }
    )
    kept = select_papers(papers, years=(2016, 2024))
    assert kept["anthology_id"].tolist() == ["b", "d"]


def test_select_papers_sample_keeps_protected_venues():
    papers = pd.DataFrame(
        {
            "anthology_id": [f"p{i}" for i in range(100)],
            "year": 2022,
            "language": "",
            "title": "t",
            "abstract": "x",
            "venue": ["2022.trustnlp-1"] * 5 + ["other"] * 95,
        }
    )
    kept = select_papers(papers, years=(2022, 2022), max_papers=20, keep_venues=("2022.trustnlp-1",))
    assert len(kept) == 20 and (kept["venue"] == "2022.trustnlp-1").sum() == 5


def test_select_papers_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match="lacks columns"):
        select_papers(pd.DataFrame({"title": ["x"]}))
    papers = pd.DataFrame({"year": [2020], "language": [""], "title": ["t"], "abstract": ["a"]})
    with pytest.raises(ValueError, match="no English paper"):
        select_papers(papers, years=(2016, 2017))
