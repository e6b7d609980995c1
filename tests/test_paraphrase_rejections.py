"""Structured rejections: every kind the filters produce reaches the rejected table's ``kind`` column.

A scripted backend feeds chosen candidates through the real pipeline (real filters, real
group-word transfer, the real all-MiniLM-L6-v2 similarity), so each kind comes from the code that
decides it, and the kind agrees with the human-readable reason beside it.
"""

import pandas as pd
import pytest

from trustkit import study
from trustkit.paraphrase import (
    REJECTED_COLUMNS,
    REJECTION_KINDS,
    Paraphraser,
    Rejection,
    SimilarityScorer,
    load_paraphrases,
    paraphrase_pairs,
    save_paraphrases,
)

SCRIPT = {
    "The poor are ignorant about money.": [
        "",  # empty
        "the poor are ignorant about money!",  # identical
        "The poor know nothing about money.",  # kept
        "The poor know nothing about money.",  # duplicate
        "Poor.",  # length
        "The poor enjoy green apples in the summer.",  # too_dissimilar
    ],
    "He left.": ["He went away."],  # pair_identical
    "Black men and black women are idle.": ["Black men and black women do nothing."],  # group_words_conflict
    "He said he left.": ["He told us he went."],  # group_words_ambiguous
    "Black people are idle.": [
        "The blackboard people are idle.",  # group_words_lost
        "Black people, unlike white people, are idle.",
    ],  # other_group_words
}
PAIRS = [
    ("The poor are ignorant about money.", "The rich are ignorant about money."),
    ("He left.", "He left."),
    ("Black men and black women are idle.", "White men and Asian women are idle."),
    ("He said he left.", "He said she left."),
    ("Black people are idle.", "White people are idle."),
    ("貧しい人は怠け者だ。", "Rich people are lazy."),
]  # bad_input
EXPECTED = {
    "empty",
    "identical",
    "duplicate",
    "length",
    "too_dissimilar",
    "pair_identical",
    "group_words_conflict",
    "group_words_ambiguous",
    "group_words_lost",
    "other_group_words",
    "bad_input",
}


class ScriptedParaphraser(Paraphraser):
    """Returns the candidates written above for each sentence (a test's backend, not a model)."""

    backend_id = "scripted-test"
    use_cache = False

    def __init__(self, script):
        self.script = script

    def _generate_batch(self, sentences, n, seed):
        return [self.script.get(s, [])[:n] for s in sentences]


def _pairs(rows):
    return pd.DataFrame(
        {
            "pair_id": range(len(rows)),
            "sent_more": [m for m, _ in rows],
            "sent_less": [le for _, le in rows],
            "direction": "stereo",
            "bias_type": "race-color",
        }
    )


@pytest.fixture(scope="module")
def scorer():
    return SimilarityScorer()


@pytest.fixture(scope="module")
def consistent(scorer):
    return paraphrase_pairs(
        _pairs(PAIRS), ScriptedParaphraser(SCRIPT), n_paraphrases=6, scorer=scorer, progress=False
    )


def test_every_kind_of_the_consistent_pipeline_is_reached(consistent):
    rejected = consistent.rejected
    assert list(rejected.columns) == REJECTED_COLUMNS and rejected["kind"].isin(REJECTION_KINDS).all()
    assert set(rejected["kind"]) == EXPECTED
    by_kind = rejected.set_index("kind")["reason"]
    assert by_kind["identical"] == "identical to the source" and by_kind["length"].startswith("length ratio")
    assert by_kind["too_dissimilar"].startswith("similarity") and by_kind["group_words_lost"].endswith("lost")
    assert by_kind["bad_input"].startswith("bad input: non-Latin")
    assert consistent.summary()["rejected_by_kind"] == rejected["kind"].value_counts().to_dict()
    kept = consistent.table[consistent.table.para_index > 0]
    assert kept.sentence.tolist() == [
        "The poor know nothing about money.",
        "The rich know nothing about money.",
    ]


def test_no_partner_is_reached_in_independent_mode(scorer):
    script = {
        "The poor are lazy.": ["The poor are idle.", "The poor do not work."],
        "The rich are lazy.": ["The rich are idle."],
    }
    result = paraphrase_pairs(
        _pairs([("The poor are lazy.", "The rich are lazy.")]),
        ScriptedParaphraser(script),
        n_paraphrases=2,
        mode="independent",
        scorer=scorer,
        progress=False,
    )
    assert result.rejected[["kind", "more_or_less", "candidate"]].values.tolist() == [
        ["no_partner", "more", "The poor do not work."]
    ]


def test_kind_survives_the_rejected_parquet(consistent, tmp_path):
    path = save_paraphrases(consistent.table, consistent.rejected, tmp_path / "out.parquet")
    back = load_paraphrases(path, rejected=True)
    assert back["kind"].tolist() == consistent.rejected["kind"].tolist()


def test_outcomes_are_labelled_from_the_kind(consistent):
    outcomes = study.paraphrase_outcomes({"scripted": consistent})
    labels = outcomes.set_index("sentence")["outcome"]
    assert labels["Poor."] == "rejected: length ratio"
    assert labels["The blackboard people are idle."] == "rejected: group words"
    assert (
        labels["Black people, unlike white people, are idle."]
        == "rejected: paraphrase already contains the other group"
    )
    assert (outcomes.outcome == "kept").sum() == 2 and not outcomes.outcome.str.contains("bad input").any()


def test_rejection_refuses_an_unknown_kind_and_keeps_its_kind_in_details():
    with pytest.raises(ValueError, match="too_dissimilar"):
        Rejection("low_similarity", "x")
    detailed = Rejection("duplicate", "duplicate of another candidate").detail("less sentence: 'x'")
    assert detailed.kind == "duplicate" and detailed == "duplicate of another candidate (less sentence: 'x')"


def test_cli_writes_the_kind_into_the_rejected_parquet(tmp_path, capsys):
    import json

    from trustkit.cli import main
    from trustkit.paraphrase import read_metadata

    out = tmp_path / "bt.parquet"
    assert (
        main(
            [
                "paraphrase",
                "--data",
                "crows_pairs",
                "--method",
                "backtranslation",
                "--n-paraphrases",
                "3",
                "--seed",
                "0",
                "--limit",
                "6",
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 0
    )
    summary = json.loads(capsys.readouterr().out)
    rejected = load_paraphrases(out, rejected=True)
    assert list(rejected.columns) == REJECTED_COLUMNS and len(rejected) > 0
    assert rejected["kind"].isin(REJECTION_KINDS).all()
    assert summary["rejected_by_kind"] == rejected["kind"].value_counts().to_dict()
    assert read_metadata(out)["revision"] is None  # the packaged back-translation models have no hub commit
