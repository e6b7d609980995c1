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
        rows.append(
            {
                "pair_id": pid,
                "para_index": 0,
                "bias_type": bias_type,
                "direction": "stereo",
                "sent_more": f"more {pid}",
                "sent_less": f"less {pid}",
                "delta": float(delta),
            }
        )
        for k, d in enumerate((para or {}).get(pid, ()), start=1):
            rows.append(
                {
                    "pair_id": pid,
                    "para_index": k,
                    "bias_type": bias_type,
                    "direction": "stereo",
                    "sent_more": f"more {pid} {k}",
                    "sent_less": f"less {pid} {k}",
                    "delta": float(d),
                }
            )
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
    table = pd.concat(
        [
            _table([1.0, 2.0], "age"),
            _table([1.0, -1.0, 0.5, -2.0], "race").assign(pair_id=lambda t: t.pair_id + 10),
        ],
        ignore_index=True,
    )
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
    assert (
        flips.loc["flip_rate", "estimate"] == 0.0 and flips.loc["flip_rate", "ci_method"] == "clopper-pearson"
    )
    assert flips.loc["flip_rate", "ci_high"] == pytest.approx(_exact(0, 2)[1])
    assert (flips["n"] == 2).all()


def test_wilson_is_available_and_no_interval_for_no_pairs():
    lo, hi = stats.proportion_interval(3, 10, method="wilson")
    from statsmodels.stats.proportion import proportion_confint

    assert (lo, hi) == pytest.approx([100 * x for x in proportion_confint(3, 10, method="wilson")])
    assert all(np.isnan(stats.proportion_interval(0, 0)))
    with pytest.raises(ValueError, match="method must be one of"):
        stats.proportion_interval(1, 2, method="normal")


# --- pairs the tokenizer cannot tell apart (item: indistinguishable pairs) ---------------------

INDISTINGUISHABLE = (
    "id,sent_more,sent_less,stereo_antistereo,bias_type\n"
    "1,The poor man was lazy.,The rich man was lazy.,stereo,socioeconomic\n"
    "2,Black people are loud.,black people are loud.,stereo,race-color\n"
    "3,He likes \U0001f349 a lot.,He likes \U0001f357 a lot.,stereo,race-color\n"
    "4,The\u200b nurse was kind.,The nurse was kind.,stereo,gender\n"
    "5,The \u202enurse was kind.,The nurse was kind.,stereo,gender\n"
)
REASONS = {
    3: "differ only in letter case and the tokenizer is uncased",
    4: "map to the same tokens, e.g. both to the unknown token [UNK]",
    5: "differ only in invisible characters (zero-width or bidi controls)",
    6: "differ only in invisible characters (zero-width or bidi controls)",
}


@pytest.fixture(scope="module")
def bert(tmp_path_factory):
    from trustkit.models import random_control

    return random_control("bert", "tiny", seed=0, out_dir=tmp_path_factory.mktemp("m") / "bert")


@pytest.fixture
def cli(capsys, tmp_path, monkeypatch):
    from trustkit.cli import main

    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)

    def run(*args):
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        assert "Traceback" not in err + out
        return code, out, err

    return run


@pytest.mark.parametrize("metric", ["pll", "pll_word_l2r", "crows", "aul", "aula"])
def test_score_refuses_pairs_that_tokenise_to_the_same_ids_with_file_line_and_reason(
    bert, cli, tmp_path, metric
):
    data = tmp_path / "pairs.csv"
    data.write_text(INDISTINGUISHABLE, encoding="utf-8")
    code, _, err = cli(
        "score",
        "--model",
        bert,
        "--random-control",
        "--data",
        data,
        "--metric",
        metric,
        "--out",
        tmp_path / "o.csv",
    )
    assert code == 2 and not (tmp_path / "o.csv").exists()
    for line, reason in REASONS.items():
        assert f"pairs.csv:{line}: sent_more and sent_less tokenise to the same ids" in err
        assert reason in err.split(f"pairs.csv:{line}:")[1].splitlines()[0]
    assert "pairs.csv:2:" not in err and "--drop-indistinguishable" in err


def test_the_drop_flag_leaves_them_out_in_cli_and_python_alike(bert, cli, tmp_path):
    import json

    from trustkit.data import load_pairs
    from trustkit.scoring import load_scorer
    from trustkit.scoring.checks import IndistinguishableWarning

    data = tmp_path / "pairs.csv"
    data.write_text(INDISTINGUISHABLE, encoding="utf-8")
    code, _, err = cli(
        "score",
        "--model",
        bert,
        "--random-control",
        "--data",
        data,
        "--metric",
        "pll",
        "--out",
        tmp_path / "o.csv",
        "--drop-indistinguishable",
    )
    assert code == 0 and "4 indistinguishable pair row(s) left out" in err
    table = pd.read_csv(tmp_path / "o.csv")
    assert table["pair_id"].tolist() == [0]
    sidecar = json.loads((tmp_path / "o.csv.json").read_text())
    assert [n.split(":")[-1] for n in sidecar["dropped_indistinguishable"]] == ["3", "4", "5", "6"]
    scorer = load_scorer(bert, random_control=True, cache=False, progress=False)
    pairs = load_pairs(data)
    with pytest.raises(ValueError, match=r"pairs\.csv:3: sent_more and sent_less tokenise to the same ids"):
        scorer.score_pairs(pairs, "pll")
    with pytest.warns(IndistinguishableWarning, match="pairs.csv:6"):
        kept = scorer.score_pairs(pairs, "pll", drop_indistinguishable=True)
    assert kept["pair_id"].tolist() == [0] and len(kept.attrs["drop_indistinguishable"]) == 4
    assert kept["score_more"].tolist() == pytest.approx(table["score_more"].tolist(), abs=1e-4)


def test_data_check_with_a_model_names_them_and_without_one_passes(bert, cli, tmp_path):
    data = tmp_path / "pairs.csv"
    data.write_text(INDISTINGUISHABLE, encoding="utf-8")
    assert cli("data", "check", data)[0] == 0  # the file itself is well formed
    code, out, err = cli("data", "check", data, "--model", bert, "--random-control")
    assert code == 1 and "4 problem(s)" in err
    lines = out.strip().splitlines()
    assert [x.split(":")[1] for x in lines] == ["3", "4", "5", "6"]
    assert all("tokenise to the same ids" in x for x in lines)


# --- report edge cases: all ties, one pair, no kept paraphrase ---------------------------------


def test_one_pair_with_paraphrases_is_a_statement_not_a_singular_matrix():
    from trustkit.report import report_numbers
    from trustkit.report.estimates import report_statements
    from trustkit.report.figures import report_figures

    table = _table([1.0], para={0: [1.3, 1.6]})
    icc = stats.variance_decomposition(table, n_resamples=5).set_index("measure")
    assert icc["estimate"].isna().all() and icc.loc["icc", "method"].startswith("not estimable: 1 pair")
    numbers = report_numbers(table, n_resamples=50, icc_n_resamples=5)
    assert numbers["sensitivity"]["icc"]["estimate"] is None
    said = " ".join(report_statements(numbers))
    assert "Only 1 pair was scored" in said and "The ICC is not estimable" in said
    assert set(report_figures(table, numbers, "m")) == {"delta", "categories", "paraphrase", "threshold"}


def test_no_variance_at_all_is_not_estimable_either():
    icc = stats.variance_decomposition(_table([0.0, 0.0], para={0: [0.0], 1: [0.0]}), n_resamples=3)
    assert icc["estimate"].isna().all() and "no variance" in icc.loc[0, "method"]


def _all_ties(scorer):
    """A real scorer whose every pair comes back as a tie (what an all-ties run looks like)."""
    score_pairs = scorer.score_pairs

    def tied(pairs, metric, **kwargs):
        out = score_pairs(pairs, metric, **kwargs)
        return out.assign(score_less=out["score_more"], delta=0.0)

    scorer.score_pairs = tied
    return scorer


@pytest.fixture(scope="module")
def all_ties_report(bert):
    from trustkit.report import build_report
    from trustkit.scoring import load_scorer

    pairs = pd.DataFrame(
        {
            "pair_id": range(4),
            "sent_more": [
                "The poor man was lazy.",
                "Old people are slow.",
                "Women are bad drivers.",
                "The nurse was kind.",
            ],
            "sent_less": [
                "The rich man was lazy.",
                "Young people are slow.",
                "Men are bad drivers.",
                "The doctor was kind.",
            ],
            "direction": "stereo",
            "bias_type": ["socioeconomic", "age", "gender", "gender"],
        }
    )
    scorer = _all_ties(load_scorer(bert, random_control=True, cache=False, progress=False))
    return build_report(
        scorer, pairs, n_paraphrases=0, n_resamples=50, icc_n_resamples=0, progress=False, log=None
    )


def test_an_all_ties_report_says_so_and_prints_a_headline(all_ties_report, tmp_path):
    doc = all_ties_report.document
    assert doc["bias_score"]["p"] is None and doc["bias_score"]["ci_high"] == pytest.approx(_exact(0, 4)[1])
    assert doc["statements"][0].startswith("All 4 pairs are ties")
    headline = all_ties_report.headline()
    assert "binomial p —" in headline and "95% CI 0.0–60.2%" in headline
    html, twin = all_ties_report.write(tmp_path / "r.html")
    assert "All 4 pairs are ties" in html.read_text() and twin.exists()


def test_no_half_report_is_left_when_the_page_cannot_be_rendered(all_ties_report, tmp_path, monkeypatch):
    from trustkit.report import card

    def broken(*_):
        raise RuntimeError("render failed")

    monkeypatch.setattr(card, "render_html", broken)
    with pytest.raises(RuntimeError):
        all_ties_report.write(tmp_path / "r.html")
    assert list(tmp_path.iterdir()) == []


def test_no_half_report_is_left_when_the_page_cannot_be_written(all_ties_report, tmp_path, monkeypatch):
    from trustkit import fileio

    real = fileio.atomic_write_text

    def fail_on_html(path, text, *a, **k):
        if str(path).endswith(".html"):
            raise OSError("disk full")
        return real(path, text, *a, **k)

    monkeypatch.setattr(fileio, "atomic_write_text", fail_on_html)
    with pytest.raises(OSError):
        all_ties_report.write(tmp_path / "r.html")
    assert list(tmp_path.iterdir()) == []


# --- one (pair, wording) table, one tie rule, stated denominators --------------------------------


def test_report_and_study_score_the_same_wordings():
    from trustkit.paraphrase import pair_wordings
    from trustkit.study import PLLStudy

    long = pd.DataFrame(
        {
            "bias_type": "age",
            "pair_id": [1, 1, 1, 1, 2, 2],
            "para_index": [0, 0, 1, 1, 0, 0],
            "direction": "stereo",
            "more_or_less": ["more", "less"] * 3,
            "sentence": ["a", "b", "c", "d", "e", "f"],
        }
    )
    study = PLLStudy.wordings(type("Result", (), {"table": long})())
    assert study[["pair_id", "para_index"]].values.tolist() == [[1, 0], [1, 1], [2, 0]]
    pairs = pd.DataFrame(
        {
            "pair_id": [1, 2],
            "bias_type": "age",
            "direction": "stereo",
            "sent_more": ["a", "e"],
            "sent_less": ["b", "f"],
        }
    )
    report = pair_wordings(long, pairs=pairs)
    cols = ["pair_id", "para_index", "sent_more", "sent_less"]
    assert report[cols].values.tolist() == study[cols].values.tolist()


def test_wording_statistics_use_only_the_pairs_that_kept_a_paraphrase():
    rng = np.random.default_rng(0)
    para = {i: rng.normal(0, 1, 3).tolist() for i in range(12)}
    kept = _table(rng.normal(0, 2, 12), para=para)
    alone = _table(rng.normal(5, 1, 6)).assign(pair_id=lambda t: t.pair_id + 100)
    both = pd.concat([kept, alone], ignore_index=True)
    a = stats.variance_decomposition(both, n_resamples=0)
    b = stats.variance_decomposition(kept, n_resamples=0)
    assert a["estimate"].tolist() == pytest.approx(b["estimate"].tolist()) and a.loc[0, "n"] == 12
    assert stats.pair_sign_test(both, alpha=0.5).pair_id.tolist() == list(range(12))
    assert stats.flip_rate_table(both, by=None).equals(stats.flip_rate_table(kept, by=None))


def test_the_scatter_uses_the_metric_tie_rule_and_states_both_denominators():
    import matplotlib.pyplot as plt

    from trustkit.plots import plot_original_vs_paraphrase

    # AULA-sized differences: 3-decimal rounding would make every one of them a tie
    table = _table(
        [0.0004, 0.0003, -0.0002, 0.0001],
        para={0: [-0.0001, 0.0002], 1: [0.0002], 2: [-0.0004], 3: [-0.0003, -0.0001]},
    ).assign(metric="aula")
    fig = plot_original_vs_paraphrase(table)
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    texts = [t.get_text() for legend in legends for t in legend.get_texts()]
    plt.close(fig)
    flips = stats.flip_rate_table(table, by=None).set_index("measure").loc["flip_rate"]
    assert flips["estimate"] == 50.0  # pairs 0 and 3 flip under the raw rule
    assert any("3 of 6 paraphrases (50.0%),\n2 of 4 pairs (50.0%)" in t for t in texts), texts


def test_the_per_pair_sign_test_counts_ties_by_the_metric_rule():
    deltas = [0.0004, 0.0002, 0.0003, 0.0001, 0.0002, 0.0003]
    table = _table([deltas[0]], para={0: deltas[1:]})
    with pytest.warns(UserWarning, match="no sign test can reach"):
        crows = stats.pair_sign_test(table.assign(metric="crows"), correction="none").iloc[0]
    aula = stats.pair_sign_test(table.assign(metric="aula"), correction="none").iloc[0]
    assert (crows["n_nonzero"], crows["verdict"]) == (0, "undetermined")  # all ties at 3 decimals
    assert (aula["n_nonzero"], aula["k_positive"], aula["verdict"]) == (6, 6, "more")
