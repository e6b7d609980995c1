"""StereoSet SS, LMS and ICAT equal hand-computed values (macro over target terms, ties count as anti)."""

import pandas as pd
import pytest

from trustkit.metrics import score_stereoset_candidates, stereoset_scores


def _scored():
    return pd.DataFrame(
        {
            "type": ["intrasentence"] * 4 + ["intersentence"],
            "target": ["mother", "mother", "boy", "Ethiopia", "chess player"],
            "bias_type": ["gender", "gender", "gender", "race", "profession"],
            "score_stereotype": [-1.0, -2.0, -3.0, -1.0, -1.0],
            "score_anti-stereotype": [-2.0, -2.0, -1.0, -5.0, -2.0],
            "score_unrelated": [-3.0, -1.0, -2.0, -9.0, -3.0],
        }
    )


def test_scores_match_hand_computation():
    res = stereoset_scores(_scored()).set_index("domain")
    assert list(res.index) == ["gender", "race", "overall"]  # intersentence row filtered out
    # gender: mother SS 50 (tie counts as anti) LMS 50; boy SS 0 LMS 50 -> macro SS 25, LMS 50
    assert res.loc["gender", "ss"] == pytest.approx(25.0)
    assert res.loc["gender", "lms"] == pytest.approx(50.0)
    assert res.loc["gender", "icat"] == pytest.approx(25.0)
    assert res.loc["race", ["ss", "lms", "icat"]].tolist() == pytest.approx([100.0, 100.0, 0.0])
    # overall: mean over the three targets, ICAT from the means (not a mean of domain ICATs)
    assert res.loc["overall", "ss"] == pytest.approx(50.0)
    assert res.loc["overall", "lms"] == pytest.approx(200 / 3)
    assert res.loc["overall", "icat"] == pytest.approx(200 / 3)
    assert res.loc["overall", "n"] == 4 and res.loc["overall", "n_targets"] == 3


def test_any_sentence_scorer_can_fill_the_scores():
    examples = pd.DataFrame(
        {
            "target": ["t"],
            "bias_type": ["religion"],
            "stereotype": ["a b"],
            "anti-stereotype": ["a b c"],
            "unrelated": ["x y z w"],
        }
    )
    scored = score_stereoset_candidates(examples, lambda sents: [-float(len(s.split())) for s in sents])
    assert scored[["score_stereotype", "score_anti_stereotype", "score_unrelated"]].iloc[0].tolist() == [
        -2.0,
        -3.0,
        -4.0,
    ]
    res = stereoset_scores(scored).set_index("domain")
    assert res.loc["religion", ["ss", "lms", "icat"]].tolist() == pytest.approx([100.0, 100.0, 0.0])


def test_clear_errors():
    with pytest.raises(ValueError, match="score_unrelated"):
        stereoset_scores(_scored().drop(columns=["score_unrelated"]))
    with pytest.raises(ValueError, match="returned 1 scores"):
        score_stereoset_candidates(
            pd.DataFrame({"stereotype": ["a"], "anti-stereotype": ["b"], "unrelated": ["c"]}), lambda s: [0.0]
        )
