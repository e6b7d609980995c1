"""CrowS-Pairs aggregates equal hand-computed values, ties and both directions included."""

import numpy as np
import pandas as pd
import pytest

from trustkit.metrics import crows_pairs_score, pair_outcome


def _table():
    # outcome by hand: 1 won, 2 lost, 3 won (antistereo: sent_more higher), 4 tie after rounding
    # to 3 decimals, 5 lost, 6 tie, 7 won, 8 won
    return pd.DataFrame(
        {
            "pair_id": range(1, 9),
            "bias_type": ["race"] * 4 + ["gender"] * 4,
            "direction": [
                "stereo",
                "stereo",
                "antistereo",
                "stereo",
                "antistereo",
                "antistereo",
                "stereo",
                "stereo",
            ],
            "score_more": [-1.0, -3.0, -1.0, -5.0001, -4.0, -2.0, -0.5, -0.1],
            "score_less": [-2.0, -2.0, -1.5, -5.0004, -2.0, -2.0, -0.7, -0.3],
        }
    )


def test_pair_outcome_rounds_like_metric_py():
    t = _table()
    assert pair_outcome(t).tolist() == [1, -1, 1, 0, -1, 0, 1, 1]
    assert pair_outcome(t, decimals=None).tolist() == [1, -1, 1, 1, -1, 0, 1, 1]


def test_overall_and_per_bias_type_match_hand_counts():
    res = crows_pairs_score(_table()).set_index("group")
    assert list(res.index) == ["overall", "gender", "race"]
    overall = res.loc["overall"]
    assert overall["n"] == 8
    assert overall["metric_score"] == pytest.approx(50.0)  # 4 of 8, ties in the denominator
    assert overall["stereo_score"] == pytest.approx(75.0)  # 3 of 4 non-tied stereo pairs
    assert overall["antistereo_score"] == pytest.approx(50.0)  # 1 of 2 non-tied antistereo pairs
    assert overall["neutral"] == 2 and overall["neutral_pct"] == pytest.approx(25.0)
    assert (overall["n_stereo"], overall["n_antistereo"]) == (4, 2)
    race, gender = res.loc["race"], res.loc["gender"]
    assert (race["metric_score"], race["stereo_score"], race["antistereo_score"], race["neutral"]) == (
        50.0,
        50.0,
        100.0,
        1,
    )
    assert (
        gender["metric_score"],
        gender["stereo_score"],
        gender["antistereo_score"],
        gender["neutral"],
    ) == (50.0, 100.0, 0.0, 1)


def test_raw_comparison_without_rounding():
    res = crows_pairs_score(_table(), by=None, decimals=None).iloc[0]
    assert res["metric_score"] == pytest.approx(62.5)
    assert res["neutral"] == 1


def test_delta_only_table_and_nan_antistereo_when_absent():
    t = pd.DataFrame({"pair_id": [1, 2], "bias_type": "age", "direction": "stereo", "delta": [0.2, -0.1]})
    res = crows_pairs_score(t, by=None).iloc[0]
    assert res["metric_score"] == 50.0
    assert np.isnan(res["antistereo_score"])


def test_selects_original_rows_and_refuses_bad_input():
    t = _table().assign(para_index=0)
    para = t.assign(para_index=1, score_more=t["score_less"] - 1)
    both = pd.concat([t, para])
    assert crows_pairs_score(both, by=None)["metric_score"].iloc[0] == 50.0
    assert crows_pairs_score(both, by=None, para_index=1)["metric_score"].iloc[0] == 0.0
    with pytest.raises(ValueError, match="missing column"):
        crows_pairs_score(t.drop(columns=["direction"]))
    with pytest.raises(ValueError, match="direction"):
        crows_pairs_score(t.assign(direction="pro"))
    with pytest.raises(ValueError, match="para_index == 3"):
        crows_pairs_score(t, para_index=3)


def test_models_are_never_pooled_by_accident():
    t = _table()
    two = pd.concat([t.assign(model="a"), t.assign(model="b")])
    with pytest.raises(ValueError, match="several models"):
        crows_pairs_score(two)
    assert crows_pairs_score(two[two["model"] == "a"], by=None)["metric_score"].iloc[0] == 50.0
    with pytest.raises(ValueError, match="more than once"):
        crows_pairs_score(pd.concat([t, t.iloc[:1]]))
