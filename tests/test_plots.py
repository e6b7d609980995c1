"""Each house-style figure renders from a tiny table and writes PNG + SVG; controls are labelled as such."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from trustkit import plots
from trustkit.provenance import write_figure
from trustkit.stats import bias_score_table, threshold_curve


@pytest.fixture(scope="module")
def scored():
    rng = np.random.default_rng(0)
    n, k = 12, 3
    return pd.DataFrame(
        {
            "pair_id": np.repeat(np.arange(n), k),
            "para_index": np.tile(np.arange(k), n),
            "bias_type": np.repeat(["age", "gender", "race"] * (n // 3), k),
            "direction": "stereo",
            "delta": np.repeat(rng.normal(0.3, 1, n), k) + rng.normal(0, 0.7, n * k),
        }
    )


def _check_written(fig, stem):
    assert isinstance(fig, matplotlib.figure.Figure)
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    for path in (png, svg):
        write_figure(fig, path)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg.read_text()
    assert "<svg" in text
    plt.close(fig)
    return text


def test_delta_distributions_label_the_control(scored, tmp_path):
    two = pd.concat(
        [
            scored.assign(model="smollm2", is_control=False),
            scored.assign(model="bert-tiny", is_control=True, delta=scored["delta"] * 0.1),
        ]
    )
    fig = plots.plot_delta_distributions(two, tau={"smollm2": 0.5, "bert-tiny": 0.05})
    svg = _check_written(fig, tmp_path / "a")
    assert "bert-tiny (random control)" in svg and "smollm2 (random control)" not in svg


def test_original_vs_paraphrase_counts_flips(scored, tmp_path):
    fig = plots.plot_original_vs_paraphrase(scored.assign(model="smollm2"))
    svg = _check_written(fig, tmp_path / "b")
    assert "sign flip" in svg
    with pytest.raises(ValueError, match="paraphrase"):
        plots.plot_original_vs_paraphrase(scored.query("para_index == 0"))


def test_threshold_curve_hides_and_names_groups_with_few_pairs(scored, tmp_path):
    curve = threshold_curve(scored, by="bias_type", n_points=10)  # 4 pairs per bias type, 12 overall
    svg = _check_written(plots.plot_threshold_curve(curve, tau=0.4), tmp_path / "c")
    assert "overall (12)" in svg and "not drawn, fewer than 10 pairs" in svg and "age (4)" in svg
    fig = plots.plot_threshold_curve(curve, tau=0.4, min_pairs=4)
    labels = fig.legends[0].get_texts()
    assert [t.get_text() for t in labels][:4] == ["overall (12)", "age (4)", "gender (4)", "race (4)"]
    plt.close(fig)


def test_category_table_greys_out_scores_from_few_pairs():
    scores = pd.DataFrame(
        {
            "model": ["m", "m", "m"],
            "group": ["overall", "age", "race"],
            "estimate": [55.0, 100.0, 60.0],
            "n": [40, 2, 12],
        }
    )
    table = plots.category_table(scores)
    assert table.data["m"].tolist() == ["55.0 (40)", "100.0 (2)", "60.0 (12)"]
    html = table.to_html()
    assert "fewer than 10 pairs" in html and html.count("color: #9a9a9a") == 1


def test_revision_counts_keep_the_legend_off_the_bars():
    idx = pd.MultiIndex.from_product([["r1", "r2"], ["age", "gender"]], names=["revision", "bias_type"])
    counts = pd.DataFrame({"edited": [1, 2, 0, 1], "removed": [0, 1, 3, 0]}, index=idx)
    fig = plots.plot_revision_counts(counts, original="v0")
    assert fig.get_size_inches()[0] <= 10 and not any(ax.get_legend() for ax in fig.axes) and fig.legends
    assert [ax.get_title() for ax in fig.axes] == ["v0 → r1", "v0 → r2"]
    plt.close(fig)


def test_category_scores_original_vs_paraphrased(scored, tmp_path):
    table = pd.concat(
        [bias_score_table(scored, rows=r, n_resamples=100) for r in ("original", "paraphrases")]
    )
    fig = plots.plot_category_scores(table.assign(model="rnd", is_control=True))
    svg = _check_written(fig, tmp_path / "d")
    assert "rnd (random control)" in svg and "paraphrases" in svg


def test_metric_variants(scored, tmp_path):
    rows = [
        bias_score_table(scored.assign(delta=scored["delta"] + s), by=None, n_resamples=100).assign(metric=m)
        for m, s in [("pll", 0.0), ("pll_word_l2r", 0.1), ("crows", -0.1), ("aul", 0.2)]
    ]
    fig = plots.plot_metric_variants(pd.concat(rows))
    svg = _check_written(fig, tmp_path / "e")
    assert "pll_word_l2r" in svg
    per_cat = pd.concat([bias_score_table(scored, n_resamples=100).assign(metric=m) for m in ("pll", "aul")])
    _check_written(plots.plot_metric_variants(per_cat), tmp_path / "e2")


def test_plot_functions_write_nothing(scored, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plt.close(plots.plot_delta_distributions(scored))
    assert not list(tmp_path.iterdir())


def test_house_style_leaves_interactive_mode_and_other_settings_alone():
    """The inline backend turns interactive mode on at a kernel's first figure, which may happen
    inside the style; restoring interactive=False on exit would hide every later figure."""
    was = matplotlib.is_interactive()
    matplotlib.interactive(False)
    outside = dict(matplotlib.rcParams)
    try:
        with plots.house_style():
            assert matplotlib.rcParams["axes.titleweight"] == "bold"
            assert tuple(matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][1]) == tuple(
                plots.PALETTE[1]
            )
            matplotlib.interactive(True)  # what matplotlib-inline does when pyplot first resolves it
        assert matplotlib.is_interactive(), "house_style reset interactive mode"
        after = dict(matplotlib.rcParams)
        changed = {k for k in outside if k != "interactive" and str(outside[k]) != str(after[k])}
        assert not changed, f"house_style left {sorted(changed)} changed"
    finally:
        matplotlib.interactive(was)


def test_tidy_table_shows_counts_as_integers_and_rounds_estimates():
    from trustkit.plots import tidy_table

    table = pd.DataFrame(
        {"n": [1508.0, np.nan], "auc": [0.812345, 0.5], "ids": [[14], [3, 4]], "name": ["a", "b"]}
    )
    out = tidy_table(table, decimals=2)
    assert str(out["n"].dtype) == "Int64" and out["n"].tolist()[0] == 1508 and out["n"].isna().iloc[1]
    assert out["auc"].tolist() == [0.81, 0.5]
    assert out["ids"].tolist() == ["14", "3, 4"] and out["name"].tolist() == ["a", "b"]
    summary = tidy_table(pd.Series({"pairs": 40.0, "share": 1 / 3, "kept": True}, dtype=object))
    assert summary["value"].tolist() == [40, 0.33, True]
    assert "dtype" not in summary.to_string() and "40.0" not in summary.to_string()
