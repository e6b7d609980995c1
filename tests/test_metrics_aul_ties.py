"""AUL/AULA bias scores compare raw floats, as Kaneko & Bollegala's evaluate.py; crows keeps metric.py's 3 decimals."""

import numpy as np
import pandas as pd
import reference_scorer as ref

from trustkit.metrics import crows_pairs_score
from trustkit.metrics.crows import crows_summary
from trustkit.scoring import MaskedLMScorer
from trustkit.stats import bias_score_table
from trustkit.stats import series_bias_scores as bias_scores
from trustkit.tables import pair_outcome, tie_decimals


def paper_bias_score(more, less) -> tuple[float, int]:
    """Kaneko & Bollegala (2022): % of pairs whose sent_more scores higher; a tie only when equal."""
    wins = sum(1 for m, le in zip(more, less) if m > le)
    ties = sum(1 for m, le in zip(more, less) if m == le)
    return 100.0 * wins / len(more), ties


def near_tie_table(n=100, seed=0):
    """AULA-sized scores (~ -0.7) whose two sentences differ by ~1e-6: a 3-decimal grid ties many."""
    rng = np.random.default_rng(seed)
    less = rng.normal(-0.7, 0.01, n)
    more = less + rng.normal(0, 2e-6, n)
    more[:3] = less[:3]  # three exact ties
    return pd.DataFrame(
        {
            "pair_id": range(n),
            "bias_type": ["age", "gender"] * (n // 2),
            "direction": ["stereo", "antistereo"] * (n // 2),
            "score_more": more,
            "score_less": less,
            "delta": more - less,
        }
    )


def test_aul_and_aula_ties_are_exact_equality_everywhere():
    table = near_tie_table()
    expected, exact_ties = paper_bias_score(table.score_more, table.score_less)
    rounded_ties = int((pair_outcome(table, decimals=3) == 0).sum())
    assert exact_ties == 3 and rounded_ties > 50  # what the 3-decimal rule made of it
    for metric in ("aul", "aula"):
        tagged = table.copy()
        tagged.attrs["metric"] = metric  # as Scorer.score_pairs tags its output
        summary = crows_summary(tagged)
        assert summary["metric_score"] == expected and summary["neutral"] == exact_ties
        assert crows_pairs_score(table, by=None, metric=metric)["metric_score"].iloc[0] == expected
        assert bias_score_table(tagged, by=None, n_resamples=50)["estimate"].iloc[0] == expected
        study = bias_scores(
            table.assign(model="m", is_control=True, metric=metric, dataset="d"), n_resamples=50
        )  # the metric-variants path: a metric column
        assert study["estimate"].iloc[0] == expected
    # crows (and an untagged table) keep metric.py's rounding
    assert crows_pairs_score(table, by=None, metric="crows")["neutral"].iloc[0] == rounded_ties
    assert crows_pairs_score(table, by=None)["neutral"].iloc[0] == rounded_ties
    assert tie_decimals(table.assign(metric="aula")) is None and tie_decimals(table) == 3


def test_aula_of_a_random_bert_matches_the_paper_reference_on_its_own_scores():
    model, tokenizer = ref.tiny_masked_lm("bert")
    words = ["doctor", "nurse", "teacher", "farmer", "pilot", "clerk", "cook", "judge"]
    pairs = pd.DataFrame(
        {
            "pair_id": range(len(words)),
            "sent_more": [f"The {w} was very poor." for w in words],
            "sent_less": [f"The {w} was very rich." for w in words],
            "direction": ["stereo"] * len(words),
            "bias_type": ["socioeconomic"] * len(words),
        }
    )
    scorer = MaskedLMScorer(model, tokenizer, cache=False, progress=False)
    for metric in ("aul", "aula"):
        scored = scorer.score_pairs(pairs, metric)
        slow_more = [ref.aul(model, tokenizer, s, attention=metric == "aula") for s in pairs.sent_more]
        slow_less = [ref.aul(model, tokenizer, s, attention=metric == "aula") for s in pairs.sent_less]
        gaps = np.abs(np.subtract(slow_more, slow_less))
        assert gaps.min() > 1e-4  # the 1e-6 engine/reference difference cannot flip a pair here
        expected, ties = paper_bias_score(slow_more, slow_less)
        summary = crows_summary(scored)
        assert summary["metric_score"] == expected and summary["neutral"] == ties == 0
