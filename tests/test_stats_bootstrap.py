"""Bootstrap CIs: reproducible for a seed, and 95% intervals cover the truth in >= 90% of simulations."""

import numpy as np
import pandas as pd
import pytest

from trustkit.metrics import crows_pairs_score
from trustkit.stats import bias_score_table, bootstrap_ci, bootstrap_distribution, pair_bias_values


def test_coverage_of_the_bias_score_over_200_simulated_datasets():
    rng = np.random.default_rng(12345)
    true_share, n_pairs, covered = 0.6, 120, 0
    for i in range(200):
        values = 100.0 * (rng.random(n_pairs) < true_share)
        _, lo, hi = bootstrap_ci(values, n_resamples=600, seed=i)
        covered += lo <= 100 * true_share <= hi
    assert covered / 200 >= 0.90


def test_seeded_and_degenerate_cases():
    x = np.arange(30.0)
    assert bootstrap_ci(x, seed=3) == bootstrap_ci(x, seed=3)
    assert bootstrap_ci(x, seed=3) != bootstrap_ci(x, seed=4)
    assert bootstrap_ci([5.0, 5.0, 5.0]) == (5.0, 5.0, 5.0)
    est, lo, hi = bootstrap_ci(x, method="bca", n_resamples=500)
    assert lo < est < hi and est == pytest.approx(14.5)
    assert bootstrap_distribution(x, np.median, n_resamples=7).shape == (7,)
    with pytest.raises(ValueError, match="method"):
        bootstrap_ci(x, method="normal")


def _scored(seed=0, n=60, k=4):
    rng = np.random.default_rng(seed)
    base = rng.normal(0.2, 1.0, n)
    return pd.DataFrame(
        {
            "pair_id": np.repeat(np.arange(n), k),
            "para_index": np.tile(np.arange(k), n),
            "bias_type": np.repeat(rng.choice(["age", "gender", "race"], n), k),
            "direction": "stereo",
            "delta": np.repeat(base, k) + rng.normal(0, 0.8, n * k),
        }
    )


def test_bias_score_table_estimate_is_the_crows_metric_score_and_ties_leave_the_test():
    t = _scored()
    t.loc[t.index[:8], "delta"] = 0.0  # two original rows become ties
    table = bias_score_table(t, n_resamples=300).set_index("group")
    crows = crows_pairs_score(t).set_index("group")
    assert np.allclose(table["estimate"], crows.loc[table.index, "metric_score"])
    overall = table.loc["overall"]
    assert overall["n_ties"] == 2 and overall["n"] == 60
    from scipy.stats import binomtest

    assert overall["p"] == pytest.approx(binomtest(int(overall["n_stereotyped"]), 58, 0.5).pvalue)
    assert overall["ci_low"] <= overall["estimate"] <= overall["ci_high"]
    # Holm across the three categories only; overall keeps its own p
    assert overall["p_adjusted"] == overall["p"]
    cats = table.drop(index="overall")
    assert (cats["p_adjusted"] >= cats["p"]).all()


def test_paraphrase_rows_weigh_each_pair_equally():
    t = pd.DataFrame(
        {
            "pair_id": [1, 1, 1, 2, 2],
            "para_index": [0, 1, 2, 0, 1],
            "bias_type": "age",
            "direction": "stereo",
            "delta": [1.0, 1.0, -1.0, -1.0, 1.0],
        }
    )
    vals = pair_bias_values(t, rows="paraphrases").set_index("pair_id")
    assert vals["bias_value"].tolist() == [50.0, 100.0]
    assert vals["sign"].tolist() == [0, 1]
    res = bias_score_table(t, by=None, rows="paraphrases").iloc[0]
    assert res["estimate"] == 75.0 and res["n_ties"] == 1
    with pytest.raises(ValueError, match="rows must be"):
        bias_score_table(t, rows="paraphrase")
