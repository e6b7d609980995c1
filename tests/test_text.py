"""The one word tokeniser: both of its callers give exactly what their own tokenisers gave, on the real data.

The pair audits and the paraphrase code had a ``words()`` each; the two rules differ on about a
fifth of the real sentences (apostrophes), so ``trustkit.text.words`` keeps both as an option.
The digests below were recorded with the two old tokenisers, before they were merged.
"""

import hashlib
import json
import re
import warnings

import pytest

from trustkit import text
from trustkit.data import load_pairs, load_stereoset
from trustkit.data.pair_audit import pair_differences
from trustkit.paraphrase import differing_spans, diversity, length_ratio

VERSIONS = ["crows_pairs", "crows_pairs_revised", "crows_pairs_pikuliak"]
# The two rules as they were written before the merge: the obvious reference.
OLD_AUDIT = re.compile(r"\w+(?:'\w+)?|[^\w\s]")
OLD_PARAPHRASE = re.compile(r"\w+|[^\w\s]")
AUDIT_DIGEST = "3a0fa42c764823f01410f161b8f2b2c6338ef6e9c567f833f76f5e9ed0134f8e"
PARAPHRASE_DIGEST = "0ed214541ca200cafa4976d2b10cae232769d2f764a9e6fc90bedff287fbbf08"


@pytest.fixture(scope="module")
def crows():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {name: load_pairs(name, errors="drop") for name in VERSIONS}


@pytest.fixture(scope="module")
def sentence_pairs(crows):
    stereoset = load_stereoset()
    pairs = [pair for p in crows.values() for pair in zip(p.sent_more, p.sent_less, strict=True)]
    return (
        pairs
        + list(zip(stereoset.sent_stereotype, stereoset.sent_antistereotype, strict=True))
        + list(zip(stereoset.sent_stereotype, stereoset.sent_unrelated, strict=True))
    )


def test_both_rules_match_the_old_tokenisers_on_every_real_sentence(sentence_pairs):
    sentences = {s for pair in sentence_pairs for s in pair}
    assert len(sentences) > 8000
    for s in sentences:
        assert text.words(s, apostrophes="joined", lower=True) == OLD_AUDIT.findall(s.lower()), s
        assert text.words(s) == OLD_PARAPHRASE.findall(s.replace("\u2019", "'")), s
    # the rules really differ, so one rule for both callers would change one of them
    differ = sum(text.words(s, "joined", lower=True) != text.words(s, lower=True) for s in sentences)
    assert differ > 1000


def test_pair_audit_results_unchanged_on_every_crows_version(crows):
    digest = hashlib.sha256()
    columns = [
        "words_more",
        "words_less",
        "n_spans",
        "n_changed",
        "identical",
        "single_span",
        "punctuation_differs",
    ]
    for name in VERSIONS:
        digest.update(pair_differences(crows[name])[columns].to_json(orient="values").encode())
    assert digest.hexdigest() == AUDIT_DIGEST


def test_paraphrase_measures_unchanged_on_real_sentence_pairs(sentence_pairs):
    digest = hashlib.sha256()
    for a, b in sentence_pairs:
        spans = [(s.more, s.less, s.sentence_start) for s in differing_spans(a, b)]
        digest.update(json.dumps([diversity(a, b), length_ratio(a, b), spans]).encode())
    assert len(sentence_pairs) == 8863 and digest.hexdigest() == PARAPHRASE_DIGEST


def test_unknown_apostrophe_rule_is_refused():
    with pytest.raises(ValueError, match="joined"):
        text.words("a", apostrophes="merged")
