"""Figures of the deployment-choice study: bias score vs utility, flips by |Δ| stratum, per-category differences.

Each takes a table of ``trustkit.study.deployment.DeploymentResult`` and returns the Figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from trustkit.plots.policy import fit_figsize
from trustkit.plots.scores import ci_error_bars
from trustkit.plots.style import LABEL_PT, PALETTE, SMALL_PT, house_style, model_label
from trustkit.tables import require_columns

__all__ = ["plot_bias_vs_utility", "plot_category_differences", "plot_flips_by_stratum"]


def _panels(table: pd.DataFrame, height: float):
    models = list(dict.fromkeys(table["model"]))
    fig, axes = plt.subplots(1, len(models), figsize=fit_figsize(10, height), squeeze=False)
    controls = table.groupby("model")["is_control"].first()
    return fig, [(ax, m, model_label(m, bool(controls[m]))) for ax, m in zip(axes[0], models)]


def plot_bias_vs_utility(runs: pd.DataFrame):
    """Bias score (95% CI) against the utility score (bits per byte; lower is better), per precision.

    One panel per model: a masked LM's pseudo-perplexity is not comparable with a causal perplexity.

    Example
    -------
    >>> r = pd.DataFrame({"model": "m", "is_control": False, "precision": ["fp32", "int8"], "utility": "perplexity",
    ...     "estimate": [55.0, 57], "ci_low": [52.0, 54], "ci_high": [58.0, 60], "bits_per_byte": [1.0, 1.1]})
    >>> plt.close(plot_bias_vs_utility(r))
    """
    require_columns(
        runs, ["model", "precision", "estimate", "ci_low", "ci_high", "bits_per_byte"], what="runs"
    )
    with house_style():
        fig, panels = _panels(runs, 5)
        for ax, model, label in panels:
            part = runs[runs["model"] == model].reset_index(drop=True)
            for i, r in part.iterrows():
                err = ci_error_bars([r["estimate"]], [r["ci_low"]], [r["ci_high"]])
                ax.errorbar(
                    r["bits_per_byte"],
                    r["estimate"],
                    yerr=err,
                    marker="osD^v"[i % 5],
                    ms=6,
                    capsize=3,
                    lw=2,
                    color=PALETTE[i % len(PALETTE)],
                    label=r["precision"],
                )
            ax.axhline(50, color="black", lw=1.2, ls=":")
            ax.ticklabel_format(axis="x", useOffset=False)
            ax.xaxis.set_major_locator(MaxNLocator(3))
            kind = part["utility"].iloc[0] if "utility" in part.columns else "perplexity"
            ax.set_xlabel("bits per byte (lower = better)")
            ax.set_ylabel("bias score (%), 95% CI")
            ax.set_title(f"{label}\n{kind}", loc="left", fontsize=SMALL_PT)
            ax.legend(fontsize=SMALL_PT)
        fig.suptitle(
            "Bias score vs utility per deployment choice (same pairs, same texts)", x=0.01, ha="left"
        )
        fig.tight_layout()
    return fig


def plot_flips_by_stratum(strata: pd.DataFrame):
    """Share of pairs whose decision flips against fp32, by |Δ| quartile of the fp32 run (Wilson 95% CI).

    Example
    -------
    >>> s = pd.DataFrame({"model": "m", "is_control": False, "precision": "int8", "stratum": ["1: a", "2: b"],
    ...     "flip_rate": [20.0, 5.0], "ci_low": [10.0, 1.0], "ci_high": [30.0, 12.0]})
    >>> plt.close(plot_flips_by_stratum(s))
    """
    require_columns(
        strata, ["model", "precision", "stratum", "flip_rate", "ci_low", "ci_high"], what="strata"
    )
    with house_style():
        fig, panels = _panels(strata, 5)
        for ax, model, label in panels:
            part = strata[strata["model"] == model]
            choices = list(dict.fromkeys(part["precision"]))
            names = list(dict.fromkeys(part["stratum"]))
            width = 0.8 / len(choices)
            for i, choice in enumerate(choices):
                rows = part[part["precision"] == choice].set_index("stratum").reindex(names)
                x = np.arange(len(names)) + (i - (len(choices) - 1) / 2) * width
                y = rows["flip_rate"].to_numpy(float)
                err = ci_error_bars(y, rows["ci_low"], rows["ci_high"])
                colour = PALETTE[(i + 1) % len(PALETTE)]
                ax.bar(x, y, width, color=colour, label=f"{choice} vs fp32")
                ax.errorbar(x, y, yerr=err, ls="none", capsize=3, lw=1.2, color=colour, alpha=0.6)
            ax.set_xticks(np.arange(len(names)), [n.split(":")[0] for n in names])
            ax.set_xlabel("|Δ| quartile (1 = closest)")
            ax.set_ylabel("pairs whose decision flips (%)")
            ax.set_title(label, loc="left", fontsize=LABEL_PT)
            ax.legend(fontsize=SMALL_PT, loc="upper right")
        fig.suptitle(
            "Decisions that flip against fp32, by |Δ| quartile of the fp32 run (Wilson 95% CI)",
            x=0.01,
            ha="left",
            fontsize=LABEL_PT,
        )
        fig.tight_layout()
    return fig


def plot_category_differences(categories: pd.DataFrame):
    """Bias-score difference (choice − fp32) per category with paired-bootstrap 95% CIs; * BH p < 0.05.

    Example
    -------
    >>> c = pd.DataFrame({"model": "m", "is_control": False, "precision": "int8", "group": ["age", "race"],
    ...     "estimate": [2.0, -1.0], "ci_low": [-1.0, -4.0], "ci_high": [5.0, 2.0], "p_bh": [0.5, 0.01]})
    >>> plt.close(plot_category_differences(c))
    """
    require_columns(
        categories,
        ["model", "precision", "group", "estimate", "ci_low", "ci_high", "p_bh"],
        what="categories",
    )
    groups = list(dict.fromkeys(categories["group"]))
    with house_style():
        fig, panels = _panels(categories, 2.6 + 0.45 * len(groups))
        for ax, model, label in panels:
            part = categories[categories["model"] == model]
            choices = list(dict.fromkeys(part["precision"]))
            step = 0.7 / len(choices)
            for i, choice in enumerate(choices):
                rows = part[part["precision"] == choice].set_index("group").reindex(groups)
                y = np.arange(len(groups)) + (i - (len(choices) - 1) / 2) * step
                est = rows["estimate"].to_numpy(float)
                err = ci_error_bars(est, rows["ci_low"], rows["ci_high"])
                ax.errorbar(
                    est,
                    y,
                    xerr=err,
                    ls="none",
                    marker="osD^v"[i % 5],
                    ms=7,
                    capsize=3,
                    color=PALETTE[(i + 1) % len(PALETTE)],
                    label=f"{choice} − fp32",
                )
                for yy, e, p in zip(y, est, rows["p_bh"].to_numpy(float)):
                    if p < 0.05:
                        ax.annotate("*", (e, yy), xytext=(6, -4), textcoords="offset points")
            ax.axvline(0, color="black", lw=1.2, ls=":")
            ax.set_yticks(np.arange(len(groups)), groups, fontsize=SMALL_PT)
            ax.invert_yaxis()
            if ax is not panels[0][0]:  # the same categories, named once
                ax.tick_params(labelleft=False)
            ax.xaxis.set_major_locator(MaxNLocator(4))
            ax.set_xlabel("difference (points)")
            ax.set_title(label, loc="left", fontsize=SMALL_PT)
            ax.legend(fontsize=SMALL_PT, loc="upper left", bbox_to_anchor=(0, -0.2))
        fig.suptitle("Per-category difference from fp32 (* BH-corrected McNemar p < 0.05)", x=0.01, ha="left")
        fig.tight_layout()
    return fig
