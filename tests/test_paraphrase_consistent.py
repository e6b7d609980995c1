"""Pair-consistent rewriting on real CrowS-Pairs rows: kept pairs differ only in the group words."""

import difflib
import warnings

import pytest

from trustkit.data import load_pairs
from trustkit.paraphrase import (
    BackTranslationParaphraser,
    SimilarityScorer,
    differing_spans,
    is_minimal_pair_like,
    paraphrase_pairs,
    to_pair_table,
    transfer_group_words,
)
from trustkit.paraphrase.consistent import words


@pytest.fixture(scope="module")
def crows():
    return load_pairs("crows_pairs")


@pytest.fixture(scope="module")
def backtranslation():
    return BackTranslationParaphraser(use_cache=False)


@pytest.fixture(scope="module")
def scorer():
    return SimilarityScorer()


def _group_tokens(sent_more, sent_less):
    """Tokens in the non-equal parts of a word diff (lower-cased), computed without trustkit's spans."""
    a, b = [w.lower() for w in words(sent_more)], [w.lower() for w in words(sent_less)]
    more, less = set(), set()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            more.update(a[i1:i2])
            less.update(b[j1:j2])
    return more, less


def test_spans_of_real_pairs(crows):
    row = crows.iloc[0]  # "... most black kids ..." vs "... most white kids ..."
    spans = differing_spans(row.sent_more, row.sent_less)
    assert [(s.more, s.less) for s in spans] == [(("black",), ("white",))]
    # an insertion is anchored on the next shared word
    spans = differing_spans("The man cried.", "The old man cried.")
    assert [(s.more, s.less) for s in spans] == [(("man",), ("old", "man"))]


def test_transfer_keeps_capitalisation_and_whole_words():
    more, less = "Black people are lazy.", "White people are lazy."
    assert transfer_group_words("Many black people are idle.", more, less) == (
        "Many white people are idle.",
        "",
    )
    assert transfer_group_words("Black folks are idle.", more, less) == ("White folks are idle.", "")
    # "blackboard" is not the word "black"
    para, reason = transfer_group_words("The blackboard people are idle.", more, less)
    assert para is None and "lost" in reason
    # the paraphrase already speaks of the other group: refused
    para, reason = transfer_group_words("Black people, unlike white people, are idle.", more, less)
    assert para is None and "other group" in reason
    # names keep their case; possessives work
    assert (
        transfer_group_words("Jamal's son was sad.", "Jamal's son cried.", "Tom's son cried.")[0]
        == "Tom's son was sad."
    )


def test_transfer_rejects_ambiguous_group_words():
    # "he" occurs in a shared part too, so which occurrence is the group word is unclear.
    para, reason = transfer_group_words("He said he left.", "He said he left.", "He said she left.")
    assert para is None and "outside" in reason


def test_every_kept_consistent_pair_differs_only_in_group_words(crows, backtranslation, scorer):
    pairs = crows.iloc[:30]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = paraphrase_pairs(
            pairs, backtranslation, n_paraphrases=2, seed=0, mode="consistent", scorer=scorer, progress=False
        )
    wide = to_pair_table(result.table)
    kept = wide[wide.para_index > 0]
    assert len(kept) >= 15, "back-translation should keep paraphrases for many real pairs"
    originals = pairs.set_index("pair_id")
    for row in kept.itertuples():
        source = originals.loc[row.pair_id]
        assert (row.sent_more, row.sent_less) != (source.sent_more, source.sent_less)
        assert is_minimal_pair_like(row.sent_more, row.sent_less, source.sent_more, source.sent_less)
        # independent check: every differing token of the new pair is a group token of the original pair
        new_more, new_less = _group_tokens(row.sent_more, row.sent_less)
        old_more, old_less = _group_tokens(source.sent_more, source.sent_less)
        assert new_more and new_more <= old_more and new_less <= old_less, (row.sent_more, row.sent_less)
    assert (result.table.minimal_pair).all()
    # lost group words are reported, not dropped silently
    assert result.rejected.reason.str.contains("lost").any()


def test_independent_mode_reports_broken_minimal_pairs(crows, backtranslation, scorer):
    pairs = crows.iloc[:16]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = paraphrase_pairs(
            pairs, backtranslation, n_paraphrases=2, seed=0, mode="independent", scorer=scorer, progress=False
        )
    para = to_pair_table(result.table).query("para_index > 0")
    assert len(para) > 0 and set(para["mode"]) == {"independent"}
    for row in para.itertuples():
        source = pairs.set_index("pair_id").loc[row.pair_id]
        assert row.minimal_pair == is_minimal_pair_like(
            row.sent_more, row.sent_less, source.sent_more, source.sent_less
        )
