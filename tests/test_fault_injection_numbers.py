"""Fault injection, numbers: honest intervals at any n, report edge cases, one pair/wording table.

Each probe a careful user tried gets the exact result or one clear statement, never a traceback
and never a zero-width interval for a share of n >= 1 pairs.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from trustkit import stats


def _table(deltas, bias_type="age", para=None):
    """Scored rows: one original per delta, plus ``para[i]`` paraphrase deltas for pair i."""
    rows = []
    for pid, delta in enumerate(deltas):
        rows.append({"pair_id": pid, "para_index": 0, "bias_type": bias_type, "direction": "stereo",
                     "sent_more": f"more {pid}", "sent_less": f"less {pid}", "delta": float(delta)})
        for k, d in enumerate((para or {}).get(pid, ()), start=1):
            rows.append({"pair_id": pid, "para_index": k, "bias_type": bias_type, "direction": "stereo",
                         "sent_more": f"more {pid} {k}", "sent_less": f"less {pid} {k}", "delta": float(d)})
    return pd.DataFrame(rows)


def _exact(k, n):
    ci = sps.binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
    return 100 * ci.low, 100 * ci.high


@pytest.mark.parametrize("n", [1, 2, 3, 7])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_a_unanimous_share_of_few_pairs_has_the_exact_interval_not_zero_width(n, sign):
    row = stats.bias_score_table(_table([sign] * n), by=None).iloc[0]
    k = n if sign > 0 else 0
    assert row["estimate"] == 100.0 * k / n and row["ci_method"] == "clopper-pearson"
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(_exact(k, n), abs=1e-9)
    assert row["ci_high"] - row["ci_low"] > 10.0


def test_two_of_two_in_a_category_is_no_longer_100_to_100():
    table = pd.concat([_table([1.0, 2.0], "age"), _table([1.0, -1.0, 0.5, -2.0], "race").assign(
        pair_id=lambda t: t.pair_id + 10)], ignore_index=True)
    by = stats.bias_score_table(table).set_index("group")
    assert by.loc["age", "estimate"] == 100.0
    assert by.loc["age", "ci_low"] == pytest.approx(15.81, abs=0.01) and by.loc["age", "ci_high"] == 100.0
    assert set(by["ci_method"]) == {"clopper-pearson"}


def test_thresholded_score_of_zero_has_an_upper_bound():
    """Notebook 04's control read "0.000 [0.000, 0.0]": no determined pair was stereotyped."""
    row = stats.thresholded_bias_score(_table([-3.0, -2.0, 0.1, -4.0]), 1.0, by=None).iloc[0]
    assert row["estimate"] == 0.0 and row["n_determined"] == 3
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(_exact(0, 3)) and row["ci_high"] > 50
    assert row["ci_method"] == "clopper-pearson"


def test_shares_of_wordings_keep_the_bootstrap_and_say_so():
    table = _table([1.0, -1.0, 2.0, 0.5], para={0: [-1.0, 1.0], 1: [1.0, -1.0], 2: [2.0, 3.0], 3: [-1, -2]})
    row = stats.bias_score_table(table, by=None, rows="all", n_resamples=500).iloc[0]
    assert row["ci_method"] == "bootstrap percentile" and row["ci_low"] < row["estimate"] < row["ci_high"]
    same = _table([1.0, 1.0], para={0: [-1.0], 1: [-1.0]})  # every pair 50%: nothing to resample
    row = stats.bias_score_table(same, by=None, rows="all").iloc[0]
    assert row["estimate"] == 50.0 and row["ci_method"] == "clopper-pearson (equal shares)"
    assert row["ci_low"] < 50.0 < row["ci_high"]


def test_flip_rates_are_proportions_with_exact_intervals():
    table = _table([1.0, 1.0], para={0: [2.0], 1: [3.0]})
    flips = stats.flip_rate_table(table, by=None).set_index("measure")
    assert flips.loc["flip_rate", "estimate"] == 0.0 and flips.loc["flip_rate", "ci_method"] == "clopper-pearson"
    assert flips.loc["flip_rate", "ci_high"] == pytest.approx(_exact(0, 2)[1])
    assert (flips["n"] == 2).all()


def test_wilson_is_available_and_no_interval_for_no_pairs():
    lo, hi = stats.proportion_interval(3, 10, method="wilson")
    from statsmodels.stats.proportion import proportion_confint

    assert (lo, hi) == pytest.approx([100 * x for x in proportion_confint(3, 10, method="wilson")])
    assert all(np.isnan(stats.proportion_interval(0, 0)))
    with pytest.raises(ValueError, match="method must be one of"):
        stats.proportion_interval(1, 2, method="normal")
