"""The fluency filter: word salad from back-translation is rejected (kind ``disfluent``) against the
offline causal LM, the threshold is recorded in the run's settings, and None turns the check off."""

import pandas as pd
import pytest

from trustkit.paraphrase import FilterSettings, Paraphraser, SimilarityScorer, paraphrase_pairs
from trustkit.paraphrase.fluency import default_fluency_scorer

SOURCE = "Old people put on weight and get fat."
SALAD = "Old places in weight and get fat."  # kept by the similarity filter before (issue 25)
FINE = "Old people gain weight and get fat."


class Fixed(Paraphraser):
    """A toy backend returning fixed rewrites of the one source sentence."""

    backend_id, use_cache = "fixed", False

    def _generate_batch(self, sentences, n, seed):
        return [[SALAD, FINE][:n] for _ in sentences]


@pytest.fixture(scope="module")
def pairs():
    return pd.DataFrame(
        {
            "pair_id": [35],
            "sent_more": [SOURCE],
            "sent_less": ["Young people put on weight and get fat."],
            "direction": ["stereo"],
            "bias_type": ["age"],
        }
    )


def test_word_salad_is_rejected_and_a_fluent_paraphrase_kept(pairs):
    result = paraphrase_pairs(
        pairs, Fixed(), n_paraphrases=2, scorer=SimilarityScorer(cache=False), progress=False
    )
    kept = result.table.query("para_index > 0").sentence.tolist()
    assert kept == [FINE, "Young people gain weight and get fat."]
    (row,) = result.rejected.itertuples()
    assert row.kind == "disfluent" and row.candidate.endswith("places in weight and get fat.")
    assert row.similarity > 0.75, "the similarity filter alone kept it"
    assert result.settings["max_fluency_drop"] == 1.4
    assert "smollm2" in result.settings["fluency_model"].lower()
    assert result.summary()["rejected_by_kind"] == {"disfluent": 1}


def test_without_the_threshold_nothing_is_loaded_and_the_salad_is_kept(pairs):
    result = paraphrase_pairs(
        pairs,
        Fixed(),
        n_paraphrases=2,
        scorer=SimilarityScorer(cache=False),
        settings=FilterSettings(max_fluency_drop=None),
        progress=False,
    )
    assert SALAD in result.table.sentence.tolist()
    assert result.settings["max_fluency_drop"] is None and result.settings["fluency_model"] is None


def test_the_drop_is_the_difference_of_mean_token_log_likelihoods():
    fluency = default_fluency_scorer()
    (source, salad, fine) = fluency.mean_log_prob([SOURCE, SALAD, FINE])
    tokens = fluency.scorer.score_tokens([SALAD], "ll")
    tokens = tokens[tokens.scored]
    assert salad == pytest.approx(tokens.log_prob.mean(), rel=1e-12)
    assert fluency.drop([SALAD, FINE], [SOURCE, SOURCE]) == pytest.approx([source - salad, source - fine])
    # measured: 0.99 nats/token for the salad (its "Young places ..." partner: 1.46), -0.02 for the fine one
    assert source - fine < 0.5 < source - salad


def test_a_bad_threshold_is_refused():
    with pytest.raises(ValueError, match="max_fluency_drop"):
        FilterSettings(max_fluency_drop=0)
