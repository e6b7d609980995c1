"""French CrowS-Pairs (Névéol et al. 2022) end to end: loading, French tokenisation, the CLI, the profile."""

import json

import pytest
import reference_scorer as ref
import tolerances

from trustkit import profiles
from trustkit.cli import main
from trustkit.data import load_pairs
from trustkit.scoring import CausalLMScorer, MaskedLMScorer

TOL = tolerances.ENGINE_VS_REFERENCE


@pytest.fixture(scope="module")
def french():
    with pytest.warns(UserWarning):
        return load_pairs("crows_pairs_revised_fr", errors="drop")


def test_the_four_unscorable_rows_are_dropped_and_named(french):
    assert len(french) == 1677 - 4
    assert [(d["source_row"], d["reason"]) for d in french.attrs["dropped"]] == [
        ("59", "sent_more and sent_less are identical"),
        ("129", "empty sent_less"),
        ("379", "sent_more and sent_less are identical"),
        ("388", "sent_more and sent_less are identical"),
    ]


def _french_sample(french, n=8):
    """Pairs with accents, apostrophes and doubled spaces: the French tokenisation edge cases."""
    text = french.sent_more + french.sent_less
    hard = french[text.str.contains("[éèàçôî]") & text.str.contains("'|’") | text.str.contains("  ")]
    return hard.head(n).reset_index(drop=True)


def test_causal_scores_of_french_sentences_equal_the_reference(french):
    model, tokenizer = ref.tiny_causal_lm("llama")
    sample = _french_sample(french)
    assert len(sample) == 8
    scorer = CausalLMScorer(model, tokenizer, cache=False, progress=False)
    scored = scorer.score_pairs(sample, "ll")
    for row in scored.itertuples():
        assert row.score_more == pytest.approx(ref.causal_ll(model, tokenizer, row.sent_more), abs=TOL)
        assert row.score_less == pytest.approx(ref.causal_ll(model, tokenizer, row.sent_less), abs=TOL)


def test_crows_on_french_equals_metric_py_and_strips_accents_as_bert_uncased_does(french):
    model, tokenizer = ref.tiny_masked_lm("bert")
    sample = _french_sample(french, 4)
    scorer = MaskedLMScorer(model, tokenizer, cache=False, progress=False)
    scored = scorer.score_pairs(sample, "crows")
    for row in scored.itertuples():
        first, second = (
            (row.sent_more, row.sent_less) if row.direction == "stereo" else (row.sent_less, row.sent_more)
        )
        s1, s2 = ref.crows_metric_py(model, tokenizer, first, second, uncased=True)
        more, less = (s1, s2) if row.direction == "stereo" else (s2, s1)
        assert row.score_more == pytest.approx(more, abs=TOL) and row.score_less == pytest.approx(
            less, abs=TOL
        )
    # BERT uncased's normaliser removes accents: a French word and its unaccented form are one token
    assert tokenizer.tokenize("très fatigué") == tokenizer.tokenize("tres fatigue")


@pytest.mark.slow
def test_smollm2_tokenises_every_french_sentence_losslessly(french):
    from trustkit.models import load_pretrained

    tokenizer = load_pretrained("smollm2-135m-instruct").tokenizer
    for sentence in list(french.sent_more) + list(french.sent_less):
        ids = tokenizer(sentence, add_special_tokens=False)["input_ids"]
        assert tokenizer.decode(ids) == sentence, sentence


def test_cli_scores_french_and_reports_the_unscorable_rows(tmp_path, capsys):
    model, tokenizer = ref.tiny_causal_lm("gpt2")
    folder = tmp_path / "tiny"
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    out = tmp_path / "fr.csv"
    code = main(
        [
            "score",
            "--model",
            str(folder),
            "--random-control",
            "--data",
            "crows_pairs_revised_fr",
            "--metric",
            "ll",
            "--limit",
            "5",
            "--no-cache",
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "4 unscorable row(s) of crows_pairs_FR_languagearc_contribution+210.csv not scored" in printed
    assert "line 130 (row 129): empty sent_less" in printed
    sidecar = json.loads((tmp_path / "fr.csv.json").read_text())
    assert len(sidecar["dropped"]) == 4 and sidecar["data"] == "crows_pairs_revised_fr"


def test_profiles_score_french_in_notebook_02():
    for profile in ("smoke", "offline", "paper"):
        assert "crows_pairs_revised_fr" in profiles.profile_parameters(profile, "02_scoring")["datasets"]
