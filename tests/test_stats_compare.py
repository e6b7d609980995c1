"""Paired comparison of two runs: McNemar vs statsmodels, paired bootstrap vs a slow loop, refusals, CLI."""

import json

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.contingency_tables import mcnemar

from trustkit.cli import main
from trustkit.models import random_control
from trustkit.stats import compare_scored, mcnemar_exact, minimum_detectable_difference
from trustkit.tables import pair_outcome


def _runs(n=300, seed=0, noise=0.6, metric="ll"):
    rng = np.random.default_rng(seed)
    more = rng.normal(-30, 3, n)
    less = more - rng.normal(0.3, 1.5, n)
    a = pd.DataFrame(
        {
            "pair_id": np.arange(n),
            "bias_type": rng.choice(["age", "gender", "race-color", "religion"], n),
            "direction": rng.choice(["stereo", "antistereo"], n, p=[0.8, 0.2]),
            "score_more": more,
            "score_less": less,
        }
    )
    a["delta"] = a.score_more - a.score_less
    b = a.assign(score_more=more + rng.normal(0, noise, n))
    b["delta"] = b.score_more - b.score_less
    # a few exact ties at 3 decimals in b, so the tie outcome is exercised
    b.loc[:4, "score_more"] = b.loc[:4, "score_less"] + 0.0001
    b["delta"] = b.score_more - b.score_less
    a.attrs["metric"] = b.attrs["metric"] = metric
    return a, b


def test_mcnemar_is_statsmodels_exact_test():
    for ml, lm in [(0, 0), (1, 0), (3, 9), (12, 12), (40, 17), (0, 25)]:
        expected = mcnemar([[50, ml], [lm, 50]], exact=True).pvalue
        assert mcnemar_exact(ml, lm) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_outcomes_flips_and_mcnemar_follow_the_metric_tie_rule():
    a, b = _runs()
    c = compare_scored(a, b)
    oa, ob = pair_outcome(a, decimals=3).to_numpy(), pair_outcome(b, decimals=3).to_numpy()
    s = c.summary.iloc[0]
    assert s["flips"] == int((oa != ob).sum()) and (ob == 0).sum() >= 5
    ml, lm = int(((oa == 1) & (ob == -1)).sum()), int(((oa == -1) & (ob == 1)).sum())
    assert (s["more_to_less"], s["less_to_more"]) == (ml, lm)
    table = [[int(((oa == 1) & (ob == 1)).sum()), ml], [lm, int(((oa == -1) & (ob == -1)).sum())]]
    assert s["mcnemar_p"] == pytest.approx(mcnemar(table, exact=True).pvalue, rel=1e-12)
    assert s["bias_score_b"] - s["bias_score_a"] == pytest.approx(s["estimate"], abs=1e-9)
    assert c.outcomes.to_numpy().sum() == len(a)
    # raw-float metrics (aul) keep the 1e-4 differences: those pairs are no ties
    raw = compare_scored(a, b, metric="aul")
    assert (raw.pairs["outcome_b"] == "tie").sum() == 0


def test_paired_bootstrap_matches_a_slow_reference_loop():
    a, b = _runs(n=120, seed=3)
    n_resamples, seed = 400, 7
    c = compare_scored(a, b, by=None, n_resamples=n_resamples, seed=seed)
    won_a = (pair_outcome(a, decimals=3) == 1).to_numpy()
    won_b = (pair_outcome(b, decimals=3) == 1).to_numpy()
    idx = np.random.default_rng(seed).integers(0, len(a), size=(n_resamples, len(a)))
    stats = []
    for row in idx:  # slow and obvious: the score of each run on the same resampled pairs
        score_a = 100.0 * sum(won_a[i] for i in row) / len(row)
        score_b = 100.0 * sum(won_b[i] for i in row) / len(row)
        stats.append(score_b - score_a)
    lo, hi = np.quantile(stats, [0.025, 0.975])
    s = c.summary.iloc[0]
    assert s["ci_low"] == pytest.approx(lo, abs=1e-9) and s["ci_high"] == pytest.approx(hi, abs=1e-9)


def test_categories_are_bh_corrected_and_strata_cover_every_pair():
    from statsmodels.stats.multitest import multipletests

    a, b = _runs()
    c = compare_scored(a, b)
    cats = c.categories
    assert sorted(cats.group) == sorted(a.bias_type.unique()) and cats.n_pairs.sum() == len(a)
    assert np.allclose(cats.p_bh, multipletests(cats.mcnemar_p, method="fdr_bh")[1])
    assert c.strata.n_pairs.sum() == len(a) and c.strata.flips.sum() == c.summary.flips.iloc[0]
    assert (c.strata.abs_delta_min.diff().dropna() > 0).all() and len(c.strata) == 4
    doc = json.loads(json.dumps(c.to_dict(), allow_nan=False))
    assert {"flips", "mcnemar_p", "bias_score_difference", "minimum_detectable_difference"} <= set(doc)
    assert set(doc["bias_score_difference"]) == {"estimate", "ci_low", "ci_high"}


def test_minimum_detectable_difference_solves_connors_formula():
    mdd, p = minimum_detectable_difference(500, 30)
    d = mdd / 100
    za, zb = 1.959963984540054, 0.8416212335729143
    assert (za * np.sqrt(p) + zb * np.sqrt(p - d**2)) ** 2 / d**2 == pytest.approx(500, rel=1e-6)
    assert minimum_detectable_difference(2000, 30)[0] < mdd  # more pairs, smaller detectable
    assert minimum_detectable_difference(100, 0)[1] == pytest.approx(0.03)  # no flips: rule of three


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t.iloc[:-1], r"different pairs: 1 only in a \(e.g. \[19\]\); score"),
        (lambda t: t.assign(direction=t.direction.where(t.pair_id != 3, "flipped")), "direction must be"),
        (lambda t: t.assign(bias_type=t.bias_type.where(t.pair_id != 3, "other")), "pair 3 has bias_type"),
    ],
)
def test_mismatched_runs_are_refused(change, message):
    a, b = _runs(n=20)
    with pytest.raises(ValueError, match=message):
        compare_scored(a, change(b))


def test_mismatched_metric_and_direction_are_refused():
    a, b = _runs(n=20)
    b.attrs["metric"] = "pll"
    with pytest.raises(ValueError, match="a is scored with metric ll, b with pll"):
        compare_scored(a, b)
    _, b = _runs(n=20)
    b.loc[2, "direction"] = "antistereo" if b.loc[2, "direction"] == "stereo" else "stereo"
    with pytest.raises(ValueError, match="pair 2 has direction"):
        compare_scored(a, b)


def test_compare_cli_on_two_real_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path / "cache"))
    runs = []
    for seed in (0, 1):
        model = random_control("bert", "tiny", seed=seed, out_dir=tmp_path / f"bert{seed}")
        out = tmp_path / f"run{seed}.csv"
        args = ["score", "--model", str(model), "--data", "crows_pairs", "--metric", "aul"]
        options = ["--limit", "40", "--random-control", "--utility", "3", "--stereoset-lms", "10"]
        assert main(args + options + ["--out", str(out)]) == 0
        runs.append(out)
    printed = capsys.readouterr().out
    assert "utility: pseudo-perplexity" in printed and "utility: StereoSet LMS" in printed
    sidecar = json.loads((tmp_path / "run0.csv.json").read_text())
    assert sidecar["utility"]["n_texts"] == 3
    lms = sidecar["stereoset_lms"]
    assert lms["n"] == 10 and lms["scorer"] == "stereoset_blank" and lms["data"]["seed"] == 0
    assert lms["icat"] == pytest.approx(lms["lms"] * min(lms["ss"], 100 - lms["ss"]) / 50)
    report = tmp_path / "cmp.json"
    assert main(["compare", str(runs[0]), str(runs[1]), "--json", str(report)]) == 0
    printed = capsys.readouterr().out
    assert "run0.csv vs run1.csv: 40 pairs, metric aul" in printed and "exact McNemar p" in printed
    doc = json.loads(report.read_text())
    assert doc["n_pairs"] == 40 and doc["metric"] == "aul"
    assert doc["flips"] == sum(s["flips"] for s in doc["strata"])
    assert (
        set(doc["utility"]) == {"run0.csv", "run1.csv"} and "utility run1.csv: pseudo-perplexity" in printed
    )
    assert doc["stereoset_lms"]["run0.csv"] == lms and "utility run1.csv: StereoSet LMS" in printed

    # one line for a mismatch: other pairs, other metric, a table without its sidecar
    short = tmp_path / "short.csv"
    assert (
        main(
            [
                "score",
                "--model",
                str(tmp_path / "bert0"),
                "--data",
                "crows_pairs",
                "--metric",
                "aul",
                "--limit",
                "30",
                "--random-control",
                "--out",
                str(short),
            ]
        )
        == 0
    )
    pll = tmp_path / "pll.csv"
    assert (
        main(
            [
                "score",
                "--model",
                str(tmp_path / "bert0"),
                "--data",
                "crows_pairs",
                "--metric",
                "pll",
                "--limit",
                "40",
                "--random-control",
                "--out",
                str(pll),
            ]
        )
        == 0
    )
    bare = tmp_path / "bare.csv"
    bare.write_bytes(runs[1].read_bytes())
    capsys.readouterr()
    for other, message in [(short, "different pairs"), (pll, "metric aul"), (bare, "no sidecar")]:
        assert main(["compare", str(runs[0]), str(other)]) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1
