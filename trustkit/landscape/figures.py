"""Figures of the landscape study: network map, top words, trustworthy share, TrustNLP papers.

The trustworthy share is per year; the last figure shows where the TrustNLP papers fall. Each
returns a Figure drawn in the house style; save it with :func:`trustkit.provenance.save_figure`.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np

from trustkit.landscape.network_map import community_colours, map_layout, plot_network_map
from trustkit.plots.policy import fit_figsize
from trustkit.plots.style import LABEL_PT, styled

__all__ = [
    "map_layout",
    "plot_network_map",
    "plot_top_words",
    "plot_trustnlp_placement",
    "plot_trustworthy_share",
]


@styled
def plot_top_words(top_words_table, labels: dict, communities=None, n: int = 8, ncols: int = 4):
    """Top words per community as small bar charts of within-community strength.

    Parameters
    ----------
    top_words_table
        ``communities.top_words`` output.
    labels
        community -> display name (trustworthy ones are drawn first).
    communities
        which to draw (default: the labelled ones, then the 8 largest others).
    n
        words per panel; ncols: panels per row.

    Returns
    -------
    matplotlib Figure.

    >>> from trustkit.landscape.synthetic import small_landscape
    >>> result = small_landscape()
    >>> import matplotlib.pyplot as plt
    >>> fig = plot_top_words(result.top_words, {0: "privacy", 1: "fairness"})
    >>> [ax.get_title() for ax in fig.axes if ax.get_title()]
    ['0: privacy', '1: fairness', '2', '3']
    >>> plt.close(fig)
    """
    if communities is None:
        others = [c for c in top_words_table["community"].unique() if c not in labels][:8]
        communities = list(labels) + others
    colours = community_colours(top_words_table["community"].unique())
    nrows = int(np.ceil(len(communities) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=fit_figsize(2.6 * ncols, 1.95 * nrows), squeeze=False)
    for ax, c in zip(axes.flat, communities):
        t = top_words_table[top_words_table["community"] == c].head(n)
        ax.barh(t["word"][::-1], t["strength"][::-1], color=colours[c])
        ax.set_title(  # wrapped: a panel is about 150 px wide beside its word labels
            textwrap.fill(f"{c}: {labels.get(c, '')}".rstrip(": "), 24),
            fontsize=LABEL_PT,
            fontweight="bold" if c in labels else "normal",
        )
    for ax in list(axes.flat)[len(communities) :]:
        ax.set_axis_off()
    fig.supxlabel("strength inside community (sum NPMI)", fontsize=LABEL_PT)
    fig.tight_layout()
    return fig


@styled
def plot_trustworthy_share(share_table):
    """Trustworthy-community share of papers per year (left) and mean relevance (right).

    Parameters
    ----------
    share_table
        ``relevance.trustworthy_share_by_year`` output.

    Returns
    -------
    matplotlib Figure.

    >>> from trustkit.landscape.synthetic import small_landscape
    >>> result = small_landscape()
    >>> import matplotlib.pyplot as plt
    >>> fig = plot_trustworthy_share(result.share_by_year)
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    fig, (a, b) = plt.subplots(1, 2, figsize=fit_figsize(10, 4.2), layout="constrained")
    for label, t in share_table.groupby("label", sort=False):
        a.plot(t["year"], 100 * t["share"], marker="o", label=label)
        b.plot(t["year"], t["mean_relevance"], marker="o", label=label)
    a.set_ylabel("% papers (dominant community)")
    b.set_ylabel("mean relevance score")
    for ax in (a, b):
        ax.set_xlabel("year")
    # below both panels: inside one it covered the lines of the offline run
    fig.legend(*a.get_legend_handles_labels(), loc="outside lower center", ncols=2)
    fig.suptitle("Trustworthy-ML communities in the ACL Anthology, per year")
    return fig


@styled
def plot_trustnlp_placement(
    relevance,
    is_trustnlp,
    placement,
    labels: dict,
    validation,
    score_columns: dict,
    max_communities: int = 20,
):
    """Where TrustNLP papers fall: their relevance lift per community and ROC curves.

    The left panel shows the relevance lift per community; the right one the ROC curves of the
    trustworthy relevance scores against other papers of the same years.

    Parameters
    ----------
    relevance
        ``relevance.paper_relevance`` output restricted to the validation years.
    is_trustnlp
        boolean array aligned with ``relevance``, True for TrustNLP papers.
    placement
        table with ``community, name, relevance_lift`` (from ``run_landscape``).
    labels
        community -> trustworthy display name.
    validation
        ``relevance.trustnlp_validation`` output (AUC and CI per score).
    score_columns
        score name -> communities (as given to the validation).
    max_communities
        communities shown, by lift.

    Returns
    -------
    matplotlib Figure.

    >>> from trustkit.landscape.synthetic import small_landscape
    >>> result = small_landscape()
    >>> import matplotlib.pyplot as plt
    >>> from trustkit.landscape.relevance import paper_relevance, trustnlp_validation, word_fingerprints
    >>> rel = paper_relevance(result.dtm, word_fingerprints(result.graph, result.membership))
    >>> papers = result.corpus.papers  # all of one period here, so no year filter is needed
    >>> val = trustnlp_validation(papers, rel, {"privacy": [0]}, n_resamples=200)
    >>> fig = plot_trustnlp_placement(rel, papers.trustnlp.to_numpy(), result.placement, {0: "privacy"},
    ...                               val, {"privacy": [0]})
    >>> [ax.get_title().split(chr(10))[0] for ax in fig.axes]
    ['Communities TrustNLP papers lean to', 'Relevance score vs TrustNLP']
    >>> plt.close(fig)
    """
    from sklearn.metrics import roc_curve

    is_trustnlp = np.asarray(is_trustnlp, dtype=bool)
    t = placement.sort_values("relevance_lift", ascending=False).head(max_communities)
    colours = community_colours(placement["community"])
    fig, (a, b) = plt.subplots(1, 2, figsize=fit_figsize(10, 5.2), gridspec_kw={"width_ratios": [1.3, 1]})
    names = [f"{c}: {n}" for c, n in zip(t["community"], t["name"])]
    lift = t["relevance_lift"].to_numpy()
    a.barh(names[::-1], (lift - 1)[::-1], left=1.0, color=[colours[c] for c in t["community"]][::-1])
    for tick, c in zip(a.get_yticklabels(), t["community"].to_numpy()[::-1]):
        tick.set_fontweight("bold" if c in labels else "normal")
    a.axvline(1.0, color="grey", lw=1, ls="--")
    a.set_xscale("log")
    ticks = [x for x in (0.25, 0.5, 1, 2, 4, 8) if lift.min() / 1.5 <= x <= lift.max() * 1.5]
    a.set_xticks(ticks, [f"{x:g}" for x in ticks])
    a.minorticks_off()
    a.set_xlabel("mean relevance, TrustNLP / other papers (log)")
    a.set_title("Communities TrustNLP papers lean to")
    for _, row in validation.iterrows():
        score = relevance[list(score_columns[row["score"]])].sum(axis=1).fillna(0)
        fpr, tpr, _ = roc_curve(is_trustnlp, score)
        b.plot(
            fpr,
            tpr,
            lw=2,
            label=f"{row['score']}: AUC {row['estimate']:.2f} [{row['ci_low']:.2f}, {row['ci_high']:.2f}]",
        )
    b.plot([0, 1], [0, 1], ls="--", color="grey", lw=0.8)
    b.set_xlabel("false positive rate\n(other papers, same years)")
    b.set_ylabel("true positive rate (TrustNLP papers)")
    b.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    b.set_title("Relevance score vs TrustNLP\n(AUC, 95% bootstrap CI)")
    fig.tight_layout()
    return fig
