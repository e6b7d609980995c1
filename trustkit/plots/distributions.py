"""Figures of Δ itself: its distribution per model (the paper's headline figure) and original vs paraphrase.

Each function takes a scored pair table and returns the Figure; save it with trustkit.provenance.save_figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.transforms as mtransforms
import numpy as np
import pandas as pd
import seaborn as sns

from trustkit.errors import InputError
from trustkit.plots.policy import fit_figsize
from trustkit.plots.style import PALETTE, SMALL_PT, house_style, model_labels
from trustkit.tables import check_scored, pair_outcome, require_columns

__all__ = ["plot_delta_distributions", "plot_original_vs_paraphrase"]


def plot_delta_distributions(
    scored: pd.DataFrame,
    *,
    tau: float | dict[str, float] | None = None,
    model_col: str = "model",
    original_only: bool = True,
    title: str = "Log-likelihood difference within each pair",
):
    """Distribution of Δ = score_more − score_less per model, with 0 and ±τ marked.

    Parameters
    ----------
    scored : scored pair table; one distribution per value of ``model_col`` (a single one when
        the column is absent). Models flagged ``is_control`` are labelled "(random control)".
    tau : threshold to mark as dashed lines at ±τ; a dict maps a model name to its own τ.
    model_col : column naming the model.
    original_only : use only the original sentences (para_index 0).
    title : figure title.

    Returns
    -------
    matplotlib Figure.

    Example
    -------
    >>> t = pd.DataFrame({"pair_id": range(4), "bias_type": "age", "direction": "stereo",
    ...                   "delta": [0.5, -1.0, 2.0, 0.1]})
    >>> fig = plot_delta_distributions(t, tau=0.3); plt.close(fig)
    """
    table = check_scored(scored, one_model=False)
    if original_only:
        table = table[table["para_index"] == 0]
    table = table.assign(label=model_labels(table, model_col).to_numpy())
    labels = list(dict.fromkeys(table["label"]))
    names = list(dict.fromkeys(table[model_col])) if model_col in table.columns else ["model"]
    with house_style():
        # Each violin's label sits above it, so labels of any length take no width from the data.
        fig, ax = plt.subplots(figsize=fit_figsize(9, 1.3 + 0.75 * len(labels)), layout="constrained")
        sns.violinplot(
            data=table,
            x="delta",
            y="label",
            hue="label",
            order=labels,
            hue_order=labels,
            width=0.55,
            palette=PALETTE[: len(labels)],
            inner="box",
            cut=0,
            density_norm="width",
            legend=False,
            ax=ax,
        )
        ax.axvline(0, color="black", lw=1.5)
        ax.set_yticks([])
        ax.set_ylim(len(labels) - 0.6, -0.85)
        along_y = mtransforms.blended_transform_factory(ax.transAxes, ax.transData)
        for row, label in enumerate(labels):
            ax.text(
                0.01,
                row - 0.33,
                label.replace("\n", " · "),
                transform=along_y,
                ha="left",
                va="bottom",
                fontsize=SMALL_PT,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1},
            )
        taus = tau if isinstance(tau, dict) else dict.fromkeys(names, tau)
        for row, (name, _label) in enumerate(zip(names, labels, strict=False)):
            t = taus.get(name)
            if t is None:
                continue
            for x in (-t, t):
                ax.plot([x, x], [row - 0.3, row + 0.3], ls="--", color=PALETTE[3], lw=2.5)
        if tau is not None:
            ax.plot([], [], ls="--", color=PALETTE[3], lw=2.5, label="±τ (paraphrase noise)")
            fig.legend(loc="outside lower right")
        ax.set_xlabel("Δ = score(sent_more) − score(sent_less)")
        ax.set_ylabel("")
        ax.set_title(title, loc="left")
    return fig


def plot_original_vs_paraphrase(
    scored: pd.DataFrame,
    *,
    decimals="auto",
    title: str | None = None,
    model_col: str = "model",
):
    """Δ of the original sentence against Δ of each paraphrase, one point per (pair, paraphrase).

    Points whose sign of Δ differs from the original's (a *flip*: the paraphrase reverses the
    pair's verdict) are highlighted; the diagonal is "no change". Signs use the metric's tie
    rule, as the statistics do, and the legend gives both denominators: flipped paraphrases of
    all paraphrases, and pairs with a flip of all pairs with a paraphrase (the flip rate of
    :func:`trustkit.stats.flip_rate_table`).

    Parameters
    ----------
    scored : scored pair table with originals (para_index 0) and paraphrases (> 0), one model.
    decimals : rounding used to decide signs; "auto" (default): the metric's tie rule (raw
        floats for AUL/AULA, metric.py's 3 decimals otherwise), see ``tie_decimals``.
    title : figure title (default names the model when the table has a ``model`` column).
    model_col : column naming the model (for the title and the control label).

    Returns
    -------
    matplotlib Figure.

    Example
    -------
    >>> t = pd.DataFrame({"pair_id": [1, 1, 2, 2], "para_index": [0, 1, 0, 1], "bias_type": "age",
    ...                   "direction": "stereo", "delta": [0.5, -0.5, 1.0, 2.0]})
    >>> fig = plot_original_vs_paraphrase(t); plt.close(fig)
    """
    table = check_scored(scored)
    require_columns(table, ["para_index"])
    table = table.assign(sign=pair_outcome(table, decimals=decimals).to_numpy())
    orig = table[table["para_index"] == 0].set_index("pair_id")
    para = table[(table["para_index"] > 0) & table["pair_id"].isin(orig.index)]
    if para.empty:
        raise InputError("no paraphrase rows with an original to compare against (para_index > 0)")
    x = orig.loc[para["pair_id"], "delta"].to_numpy()
    flip = para["sign"].to_numpy() != orig.loc[para["pair_id"], "sign"].to_numpy()
    flipped_pairs = pd.Series(flip, index=para["pair_id"].to_numpy()).groupby(level=0).any()
    n_flipped, n_pairs = int(flipped_pairs.sum()), len(flipped_pairs)
    if title is None:
        label = model_labels(table, model_col).iloc[0] if model_col in table.columns else None
        title = f"Original vs paraphrased Δ{' — ' + label if label else ''}"
    with house_style():
        fig, ax = plt.subplots(figsize=fit_figsize(7.5, 5.9), layout="constrained")
        ax.scatter(
            x[~flip],
            para["delta"].to_numpy()[~flip],
            s=18,
            alpha=0.5,
            color=PALETTE[0],
            marker="o",
            label=f"same sign ({(~flip).sum()})",
        )
        ax.scatter(
            x[flip],
            para["delta"].to_numpy()[flip],
            s=28,
            alpha=0.8,
            color=PALETTE[3],
            marker="X",
            label=f"sign flip: {flip.sum()} of {flip.size} paraphrases ({100 * flip.mean():.1f}%),\n"
            f"{n_flipped} of {n_pairs} pairs ({100 * n_flipped / n_pairs:.1f}%)",
        )
        lim = float(np.nanmax(np.abs(np.concatenate([x, para["delta"].to_numpy()])))) * 1.05 or 1.0
        ax.plot([-lim, lim], [-lim, lim], color="0.4", lw=1, ls=":", label="no change")
        ax.axhline(0, color="black", lw=1)
        ax.axvline(0, color="black", lw=1)
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.set_xlabel("Δ original")
        ax.set_ylabel("Δ paraphrase")
        ax.set_title(title, loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))  # beside the square panel, in its free width
    return fig
