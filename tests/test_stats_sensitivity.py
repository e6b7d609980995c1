"""Paraphrase sensitivity: flips and spread by hand; the mixed model recovers a known ICC within its CI."""

import numpy as np
import pandas as pd
import pytest

from trustkit.stats import flip_rate_table, paraphrase_sensitivity, variance_decomposition


def _hand_table():
    # pair 1: original +0.5, paraphrases -0.5 (flip) and +1.5; pair 2: original -2, paraphrases -1, -3
    return pd.DataFrame(
        {
            "pair_id": [1, 1, 1, 2, 2, 2],
            "para_index": [0, 1, 2, 0, 1, 2],
            "bias_type": ["age"] * 3 + ["race"] * 3,
            "direction": "stereo",
            "delta": [0.5, -0.5, 1.5, -2.0, -1.0, -3.0],
        }
    )


def test_per_pair_sensitivity_by_hand():
    res = paraphrase_sensitivity(_hand_table()).set_index("pair_id")
    assert res.loc[1, ["flip_share", "spread", "max_abs_change", "delta_para_mean"]].tolist() == [
        0.5,
        2.0,
        1.0,
        0.5,
    ]
    assert bool(res.loc[1, "flipped"]) and bool(res.loc[1, "spread_exceeds_delta"])
    assert res.loc[2, ["flip_share", "spread", "max_abs_change"]].tolist() == [0.0, 2.0, 1.0]
    assert not bool(res.loc[2, "flipped"]) and not bool(res.loc[2, "spread_exceeds_delta"])
    assert res.loc[2, "delta_para_sd"] == pytest.approx(np.sqrt(2.0))


def test_flip_rate_table_by_hand():
    res = flip_rate_table(_hand_table(), n_resamples=200).set_index(["group", "measure"])
    assert res.loc[("overall", "flip_rate"), "estimate"] == 50.0
    assert res.loc[("overall", "flip_share"), "estimate"] == 25.0
    assert res.loc[("age", "flip_rate"), "estimate"] == 100.0
    assert res.loc[("race", "spread_exceeds_delta"), "estimate"] == 0.0
    assert (res["ci_low"] <= res["estimate"]).all() and (res["estimate"] <= res["ci_high"]).all()


def test_sensitivity_needs_paraphrases():
    with pytest.raises(ValueError, match="paraphrase"):
        paraphrase_sensitivity(_hand_table().query("para_index == 0"))
    with pytest.raises(ValueError, match="single wording"):
        variance_decomposition(_hand_table().query("para_index == 0"))


def _simulate(icc, n_pairs=120, k=5, seed=0, effect=None):
    rng = np.random.default_rng(seed)
    bias_type = rng.choice(["age", "gender", "race"], n_pairs)
    shift = np.zeros(n_pairs) if effect is None else pd.Series(bias_type).map(effect).to_numpy()
    u = rng.normal(0, np.sqrt(icc), n_pairs) + shift
    return pd.DataFrame(
        {
            "pair_id": np.repeat(np.arange(n_pairs), k),
            "para_index": np.tile(np.arange(k), n_pairs),
            "bias_type": np.repeat(bias_type, k),
            "direction": "stereo",
            "delta": np.repeat(u, k) + rng.normal(0, np.sqrt(1 - icc), n_pairs * k),
        }
    )


@pytest.mark.parametrize("icc,seed", [(0.5, 1), (0.2, 2)])
def test_mixed_model_recovers_a_known_icc_within_its_ci(icc, seed):
    res = variance_decomposition(_simulate(icc, seed=seed), n_resamples=40, seed=seed).set_index("measure")
    lo, est, hi = res.loc["icc", ["ci_low", "estimate", "ci_high"]]
    assert lo <= icc <= hi
    assert hi - lo < 0.35  # an informative interval, not (0, 1)
    assert res.loc["icc", "n"] == 120 and res.loc["icc", "n_obs"] == 600


def test_bias_type_covariate_absorbs_category_shifts():
    t = _simulate(0.3, seed=3, effect={"age": 0.0, "gender": 3.0, "race": -3.0})
    plain = variance_decomposition(t, n_resamples=0).set_index("measure").loc["icc", "estimate"]
    adjusted = (
        variance_decomposition(t, covariates=["bias_type"], n_resamples=0)
        .set_index("measure")
        .loc["icc", "estimate"]
    )
    assert plain > 0.8  # the category shifts look like pair variance without the covariate
    assert adjusted == pytest.approx(0.3, abs=0.12)
