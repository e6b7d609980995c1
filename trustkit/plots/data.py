"""Figures of the data itself (notebook 01): what each revision of CrowS-Pairs changed, per bias type."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from trustkit.plots.policy import fit_figsize
from trustkit.plots.style import PALETTE, house_style

__all__ = ["plot_revision_counts"]


def plot_revision_counts(counts: pd.DataFrame, *, original: str = "original"):
    """Stacked bars of edited / relabelled / removed / added pairs per bias type, one panel per revision.

    Parameters
    ----------
    counts : :func:`trustkit.data.pair_audit.revision_counts` (index ``revision, bias_type``, one
        column per status).
    original : name of the version the revisions are compared with (panel titles).

    Returns
    -------
    matplotlib Figure, at most 10 in wide, its legend beside the panels rather than on the bars.

    Example
    -------
    >>> idx = pd.MultiIndex.from_product([["r1", "r2"], ["age", "gender"]], names=["revision", "bias_type"])
    >>> c = pd.DataFrame({"edited": [1, 2, 0, 1], "removed": [0, 1, 3, 0]}, index=idx)
    >>> fig = plot_revision_counts(c); len(fig.axes)
    2
    >>> plt.close(fig)
    """
    revisions = list(dict.fromkeys(counts.index.get_level_values(0)))
    with house_style():
        fig, axes = plt.subplots(
            1,
            len(revisions),
            figsize=fit_figsize(1.8 + 3.2 * len(revisions), 3.6),
            sharey=True,
            squeeze=False,
            layout="constrained",
        )
        for ax, revision in zip(axes[0], revisions):
            counts.loc[revision].plot.barh(
                stacked=True,
                ax=ax,
                legend=False,
                xlabel="pairs",
                ylabel="",
                color=PALETTE[: counts.shape[1]],
                width=0.75,
            )
            ax.set_title(f"{original} → {revision}")
            ax.spines[["top", "right"]].set_visible(False)
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, title="pairs", loc="outside right upper", frameon=False)
    return fig
