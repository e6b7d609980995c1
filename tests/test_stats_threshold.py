"""Thresholding: tau estimators, determined/undetermined pairs, curves and the per-pair sign test by hand."""

import numpy as np
import pandas as pd
import pytest

from trustkit.stats import (
    pair_sign_test,
    paraphrase_noise,
    threshold_curve,
    threshold_from_paraphrase_noise,
    thresholded_bias_score,
)


def _table():
    # originals 1.0, 2.0, -0.2, 0.1; paraphrase changes |Δp − Δo|: 1, 3 | 0.5 | 0.4 | 0.2
    return pd.DataFrame(
        {
            "pair_id": [1, 1, 1, 2, 2, 3, 3, 4, 4],
            "para_index": [0, 1, 2, 0, 1, 0, 1, 0, 1],
            "bias_type": ["age", "age", "age", "age", "age", "race", "race", "race", "race"],
            "direction": "stereo",
            "delta": [1.0, 0.0, 4.0, 2.0, 1.5, -0.2, 0.2, 0.1, -0.1],
        }
    )


def test_tau_estimators_by_hand():
    t = _table()
    assert threshold_from_paraphrase_noise(t, estimator="abs_change", quantile=0.5) == pytest.approx(
        0.5
    )  # median of 1, 3, .5, .4, .2
    assert threshold_from_paraphrase_noise(t, estimator="abs_change", quantile=1.0) == pytest.approx(3.0)
    assert threshold_from_paraphrase_noise(t, estimator="pair_max_change", quantile=0.0) == pytest.approx(0.2)
    noise = paraphrase_noise(t).set_index("pair_id")
    assert noise.loc[1, ["abs_change_median", "abs_change_max", "n_paraphrases"]].tolist() == [2.0, 3.0, 2]
    assert noise.loc[1, "pair_sd"] == pytest.approx(np.std([1.0, 0.0, 4.0], ddof=1))
    with pytest.raises(ValueError, match="estimator"):
        threshold_from_paraphrase_noise(t, estimator="iqr")
    with pytest.raises(ValueError, match="paraphrase"):
        threshold_from_paraphrase_noise(t.query("para_index == 0"))


def test_thresholded_score_by_hand():
    res = thresholded_bias_score(_table(), tau=0.15, n_resamples=200).set_index("group")
    # |Δ| > 0.15: pairs 1 (+), 2 (+), 3 (−); pair 4 undetermined
    assert res.loc["overall", ["n_determined", "undetermined_share"]].tolist() == [3, 25.0]
    assert res.loc["overall", "estimate"] == pytest.approx(200 / 3)
    assert res.loc["race", ["estimate", "undetermined_share"]].tolist() == [0.0, 50.0]
    assert res.loc["overall", "p"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="tau"):
        thresholded_bias_score(_table(), tau=-1)


def test_curve_is_monotone_and_matches_point_values():
    t = _table()
    curve = threshold_curve(t, taus=[0.0, 0.15, 1.5, 5.0], by="bias_type")
    overall = curve[curve["group"] == "overall"]
    assert overall["undetermined_share"].tolist() == [0.0, 25.0, 75.0, 100.0]
    assert overall["bias_score"].iloc[1] == pytest.approx(200 / 3)
    assert np.isnan(overall["bias_score"].iloc[3])
    assert set(curve["group"]) == {"overall", "age", "race"}
    default = threshold_curve(t, n_points=7)
    assert len(default) == 7 and default["tau"].iloc[0] == 0.0


def test_pair_sign_test_by_hand():
    t = pd.DataFrame(
        {
            "pair_id": [1] * 6 + [2] * 6,
            "para_index": list(range(6)) * 2,
            "bias_type": "age",
            "direction": "stereo",
            "delta": [1.0, 2.0, 0.5, 1.5, 3.0, 0.2] + [1.0, -2.0, 0.0, 1.5, -3.0, 0.2],
        }
    )
    res = pair_sign_test(t, correction="none").set_index("pair_id")
    assert res.loc[1, "p"] == pytest.approx(2 / 64) and res.loc[1, "verdict"] == "more"
    assert res.loc[2, ["k_positive", "n_nonzero"]].tolist() == [3, 5]  # the zero is dropped
    assert res.loc[2, "verdict"] == "undetermined"
    corrected = pair_sign_test(t, correction="holm").set_index("pair_id")
    assert corrected.loc[1, "p_adjusted"] == pytest.approx(4 / 64)
    assert corrected.loc[1, "verdict"] == "undetermined"


def test_pair_sign_test_warns_when_no_pair_can_be_significant():
    with pytest.warns(UserWarning, match="no sign test can reach"):
        res = pair_sign_test(_table(), correction="none")
    assert (res["verdict"] == "undetermined").all()
