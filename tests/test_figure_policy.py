"""Every figure fits the notebook area of a 1,440 x 900 screen, with 10-12 px text that never overlaps.

Two halves: the committed figures (figures/offline/*.png) are checked from their PNG headers, and
every figure function is drawn on small tables shaped like the notebooks' (nine bias types, six
violins, long model names) and checked from its artists' bounding boxes. Planted faults (an oversize
PNG, two labels on top of each other, a 14 px title) show that the checks can fail.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from trustkit import plots
from trustkit.data import BIAS_TYPES
from trustkit.plots import deployment
from trustkit.plots.policy import (
    DISPLAY_DPI,
    MAX_HEIGHT_PX,
    MAX_WIDTH_PX,
    figure_problems,
    png_display_size,
    px_to_pt,
)
from trustkit.provenance import write_figure
from trustkit.stats import threshold_curve

COMMITTED = sorted((Path(__file__).resolve().parents[1] / "figures" / "offline").glob("*.png"))
MODELS = ["smollm2-135m-instruct", "bert-base-uncased", "roberta-base"]


def test_there_are_committed_figures():
    assert len(COMMITTED) >= 15


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_committed_figure_fits_the_notebook_area(path):
    width, height = png_display_size(path)
    assert width <= MAX_WIDTH_PX and height <= MAX_HEIGHT_PX, f"{path.name} shows {width} x {height} px"


def test_png_size_check_fails_on_a_planted_oversize_figure(tmp_path):
    fig, ax = plt.subplots(figsize=(8, 8), dpi=DISPLAY_DPI)  # about 800 px tall at display size
    ax.plot([0, 1], [0, 1])
    path = write_figure(fig, tmp_path / "tall.png", dpi=150)
    plt.close(fig)
    width, height = png_display_size(path)
    assert height > MAX_HEIGHT_PX and width <= MAX_WIDTH_PX


def test_overlap_and_font_checks_fail_on_planted_faults():
    with plots.house_style():
        fig, ax = plt.subplots(figsize=(4, 3))
    ax.text(0.2, 0.5, "first label", fontsize=px_to_pt(11))
    ax.text(0.25, 0.5, "second label", fontsize=px_to_pt(11))
    ax.set_title("a title at 14 px", fontsize=px_to_pt(14))
    problems = figure_problems(fig)
    plt.close(fig)
    assert "texts overlap: 'first label' and 'second label'" in problems
    assert any("'a title at 14 px' is 14.0 px" in p for p in problems)
    assert len(problems) == 2


def test_size_check_fails_on_a_planted_oversize_figure():
    with plots.house_style():
        fig, ax = plt.subplots(figsize=(14, 4))
    problems = figure_problems(fig)
    plt.close(fig)
    assert len(problems) == 1 and problems[0].startswith("figure is")


# --- every figure function on notebook-shaped tables --------------------------------------------


def _scored(n_models: int = 1, n_pairs: int = 90, n_para: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    parts = []
    for m in range(n_models):
        delta = rng.normal(0.3, 2, n_pairs)
        parts.append(
            pd.DataFrame(
                {
                    "pair_id": np.repeat(np.arange(n_pairs), n_para),
                    "para_index": np.tile(np.arange(n_para), n_pairs),
                    "bias_type": np.repeat(np.resize(BIAS_TYPES, n_pairs), n_para),
                    "direction": "stereo",
                    "delta": np.repeat(delta, n_para) + rng.normal(0, 0.8, n_pairs * n_para),
                    "model": MODELS[m],
                    "is_control": m == n_models - 1 and n_models > 1,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _category_rows(rows=("original", "paraphrases")) -> pd.DataFrame:
    groups = [
        "overall",
        *(f"{b} (n={10 + i}{', few pairs' if i % 3 == 0 else ''})" for i, b in enumerate(BIAS_TYPES)),
    ]
    return pd.DataFrame(
        [
            {"group": g, "rows": r, "estimate": 55.0 + i, "ci_low": 40.0 + i, "ci_high": 70.0 + i}
            for r in rows
            for i, g in enumerate(groups)
        ]
    )


def _deployment_tables():
    runs, strata, categories = [], [], []
    for m, model in enumerate(MODELS[:2]):
        for p, precision in enumerate(["fp32", "bf16", "int8"]):
            runs.append(
                {
                    "model": model,
                    "is_control": False,
                    "precision": precision,
                    "utility": "perplexity",
                    "estimate": 55.0 + p,
                    "ci_low": 50.0 + p,
                    "ci_high": 60.0 + p,
                    "bits_per_byte": 1.0 + 0.01 * p + m,
                }
            )
            if precision == "fp32":
                continue
            for q in range(4):
                strata.append(
                    {
                        "model": model,
                        "is_control": False,
                        "precision": precision,
                        "stratum": f"{q + 1}: |Δ| < {q + 1}",
                        "flip_rate": 20.0 / (q + 1),
                        "ci_low": 10.0 / (q + 1),
                        "ci_high": 30.0 / (q + 1),
                    }
                )
            for g, group in enumerate(BIAS_TYPES):
                categories.append(
                    {
                        "model": model,
                        "is_control": False,
                        "precision": precision,
                        "group": group,
                        "estimate": g - 4.0,
                        "ci_low": g - 8.0,
                        "ci_high": g + 0.0,
                        "p_bh": 0.01 if g == 2 else 0.5,
                    }
                )
    return pd.DataFrame(runs), pd.DataFrame(strata), pd.DataFrame(categories)


def _plots_figures():
    six = _scored(2, n_para=1)
    six = pd.concat(
        [six.assign(model=six["model"] + f"\npll_word_l2r on crows_pairs_{d}") for d in ("a", "b", "c")]
    )
    one = _scored(1)
    curve = threshold_curve(one, by="bias_type").assign(model=MODELS[0])
    variants = pd.DataFrame(
        {
            "metric": [f"{MODELS[0]} · {v}" for v in ("pll", "pll_word_l2r", "crows", "aul", "aula")],
            "group": "overall",
            "estimate": [55.0, 57, 52, 60, 58],
            "ci_low": [50.0, 52, 47, 55, 53],
            "ci_high": [60.0, 62, 57, 65, 63],
        }
    )
    idx = pd.MultiIndex.from_product([["revised", "pikuliak"], BIAS_TYPES], names=["revision", "bias_type"])
    counts = pd.DataFrame({"edited": 5, "relabelled": 2, "removed": 3, "added": 1}, index=idx)
    runs, strata, categories = _deployment_tables()
    return {
        "delta_distributions_six": lambda: plots.plot_delta_distributions(six, model_col="model"),
        "delta_distributions_tau": lambda: plots.plot_delta_distributions(
            _scored(3),
            tau={m: 1.2 for m in MODELS},
            title="Δ on the original pairs, with ±τ from paraphrase noise",
        ),
        "original_vs_paraphrase": lambda: plots.plot_original_vs_paraphrase(one),
        "threshold_curve": lambda: plots.plot_threshold_curve(curve, tau=1.2),
        "category_scores": lambda: plots.plot_category_scores(
            _category_rows(), title=f"Bias score by category — {MODELS[0]}"
        ),
        "metric_variants": lambda: plots.plot_metric_variants(
            variants, metric_col="metric", title="Metric variants on 40 pairs"
        ),
        "revision_counts": lambda: plots.plot_revision_counts(counts, original="crows_pairs"),
        "bias_vs_utility": lambda: deployment.plot_bias_vs_utility(runs),
        "flips_by_stratum": lambda: deployment.plot_flips_by_stratum(strata),
        "category_differences": lambda: deployment.plot_category_differences(categories),
    }


@pytest.mark.parametrize("name", list(_plots_figures()))
def test_figure_function_follows_the_policy(name):
    fig = _plots_figures()[name]()
    problems = figure_problems(fig)
    plt.close(fig)
    assert problems == []


@pytest.fixture(scope="module")
def landscape():
    from trustkit.landscape.synthetic import small_landscape

    return small_landscape()


@pytest.mark.parametrize("name", ["network_map", "top_words", "trustworthy_share", "trustnlp_placement"])
def test_landscape_figure_follows_the_policy(landscape, name):
    fig = landscape.figures[name]
    assert figure_problems(fig) == []


def test_top_words_with_the_offline_run_s_long_names(landscape):
    """Names as long as the offline run's (they ran past the panels before they were wrapped)."""
    from trustkit.landscape.figures import plot_top_words

    names = {0: "privacy / robustness (attack, privacy)", 1: "explainability (summary, summarization)"}
    fig = plot_top_words(
        landscape.top_words.assign(word=landscape.top_words["word"] + "_summarization"), names
    )
    problems = figure_problems(fig)
    plt.close(fig)
    assert problems == []


def test_network_map_drops_labels_instead_of_overprinting(landscape):
    """Crowded on purpose: every community's ten top words asked for on a small map."""
    from trustkit.landscape.network_map import plot_network_map

    r = landscape
    fig = plot_network_map(
        r.graph, r.membership, r.top_words, {0: "privacy"}, sorted(r.membership.unique()), n_labels=10
    )
    shown = [t.get_text() for t in fig.axes[0].texts]
    problems = figure_problems(fig)
    plt.close(fig)
    assert problems == []
    assert 0 < len(shown) < 10 * r.membership.nunique() + r.membership.nunique()


def test_report_figures_follow_the_policy():
    from trustkit.report.figures import category_figure

    numbers = {
        "bias_score": {"n": 100, "estimate": 57.0, "ci_low": 47.0, "ci_high": 67.0},
        "by_bias_type": [
            {"group": b, "n": 5 + i, "small": i < 3, "estimate": 50.0 + i, "ci_low": 30.0, "ci_high": 80.0}
            for i, b in enumerate(BIAS_TYPES)
        ],
    }
    fig = category_figure(numbers, MODELS[0])
    assert figure_problems(fig) == []
    plt.close(fig)
