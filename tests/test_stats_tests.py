"""Exact binomial test against 50 and the Holm / BH corrections equal hand-computed values."""

import numpy as np
import pytest

from trustkit.stats import adjust_p_values, binomial_test_against_50


def test_binomial_by_hand():
    res = binomial_test_against_50(9, 10)
    assert res["p"] == pytest.approx(2 * 11 / 1024)  # P(X >= 9) + P(X <= 1) for Bin(10, 1/2)
    assert res["estimate"] == 90.0
    assert res["ci_low"] < 90.0 < res["ci_high"] <= 100.0
    assert binomial_test_against_50(5, 10)["p"] == pytest.approx(1.0)
    assert np.isnan(binomial_test_against_50(0, 0)["p"])
    with pytest.raises(ValueError):
        binomial_test_against_50(11, 10)


def test_holm_and_bh_by_hand():
    p = [0.01, 0.04, 0.03]
    assert adjust_p_values(p, method="holm") == pytest.approx([0.03, 0.06, 0.06])
    assert adjust_p_values(p, method="bh") == pytest.approx([0.03, 0.04, 0.04])
    assert adjust_p_values(p, method="none") == pytest.approx(p)
    out = adjust_p_values([0.01, np.nan, 0.02], method="holm")
    assert np.isnan(out[1]) and out[[0, 2]] == pytest.approx([0.02, 0.02])
    with pytest.raises(ValueError, match="correction"):
        adjust_p_values(p, method="fdr")
