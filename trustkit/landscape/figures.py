"""Figures of the landscape study: network map, top words, trustworthy share, TrustNLP papers.

The trustworthy share is per year; the last figure shows where the TrustNLP papers fall. Each
returns a Figure drawn in the house style; save it with :func:`trustkit.provenance.save_figure`.
"""

from __future__ import annotations

import functools

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd

from trustkit.plots.style import house_style


def _styled(plot):
    """Draw ``plot`` inside the house style."""

    @functools.wraps(plot)
    def wrapper(*args, **kwargs):
        with house_style():
            return plot(*args, **kwargs)

    return wrapper


def _colours(communities) -> dict:
    """One colour per community, stable in community number.

    The colours are tab20 then tab20b: the house palette has only ten colours and a map has twenty
    or more communities.
    """
    palette = list(plt.get_cmap("tab20").colors) + list(plt.get_cmap("tab20b").colors)
    return {c: palette[i % len(palette)] for i, c in enumerate(sorted(communities))}


def _sorted_subgraph(G: nx.Graph, nodes) -> nx.Graph:
    """``G`` restricted to ``nodes`` with nodes and edges in sorted order.

    Layouts and drawing follow a graph's insertion order, which for words gathered in sets
    changes with Python's string hash seed; sorting makes the figure's bytes the same every run.

    >>> list(_sorted_subgraph(nx.path_graph(["c", "a", "b"]), ["b", "c", "a"]).edges)
    [('a', 'b'), ('a', 'c')]
    """
    nodes = sorted(nodes)
    H = nx.Graph()
    H.add_nodes_from((n, G.nodes[n]) for n in nodes)
    H.add_edges_from(sorted((min(a, b), max(a, b), d) for a, b, d in G.subgraph(nodes).edges(data=True)))
    return H


def map_layout(
    G: nx.Graph, membership: pd.Series, communities, words_per_community: int = 25, seed: int = 0
) -> tuple[dict, dict]:
    """Two-level layout: communities placed by how densely they link, words around their centre.

    Community centres come from a Kamada-Kawai layout whose target distance between two
    communities is 1 / sqrt(relative link density) (summed NPMI between them over the product of
    their sizes, divided by the largest such density), capped at 4; inside a community its most
    connected words get a spring layout.

    Parameters
    ----------
    G
        the co-occurrence network; membership: word -> community.
    communities
        the communities to draw.
    words_per_community
        the most connected words drawn per community.
    seed
        layout seed.

    Returns
    -------
    (word -> (x, y), community -> (x, y)).

    >>> from trustkit.landscape.study import run_landscape
    >>> from trustkit.landscape.synthetic import planted_papers
    >>> small = {"years": (2021, 2023), "phrase_threshold": 2.0, "min_df": 5, "min_cooccurrence": 5,
    ...          "stability_seeds": 1, "n_resamples": 200, "top_n": 5, "min_community_size": 5}
    >>> result = run_landscape(small, papers=planted_papers(n_per_topic=80, seed=3), progress=False)
    >>> pos, centres = map_layout(result.graph, result.membership, [0, 1])
    >>> sorted(centres), len(pos)  # two communities, their most connected words
    ([0, 1], 30)
    """
    communities = list(communities)
    chosen = set(communities)
    links: dict[tuple, float] = {}
    for a, b, w in G.edges(data="weight"):
        ca, cb = membership[a], membership[b]
        if ca != cb and ca in chosen and cb in chosen:
            key = (min(ca, cb), max(ca, cb))
            links[key] = links.get(key, 0.0) + w
    sizes = membership.value_counts()
    density = {k: v / (sizes[k[0]] * sizes[k[1]]) for k, v in links.items()}
    top = max(density.values(), default=1.0)
    between = nx.complete_graph(communities)
    for a, b in between.edges:
        d = density.get((min(a, b), max(a, b)), 0.0) / top
        between[a][b]["distance"] = min(4.0, 1.0 / np.sqrt(d)) if d > 0 else 4.0
    if len(communities) > 2:
        centres = nx.kamada_kawai_layout(between, weight="distance")
    else:
        centres = nx.spring_layout(between, seed=seed)
    pos = {}
    for c in communities:
        words = membership.index[membership == c]
        sub = _sorted_subgraph(G, [w for w in words if w in G])
        strength = dict(sub.degree(weight="weight"))
        chosen_words = sorted(strength, key=lambda w: (-strength[w], w))[:words_per_community]
        local = nx.spring_layout(_sorted_subgraph(sub, chosen_words), weight="weight", seed=seed)
        radius = 0.06 + 0.015 * np.log1p(len(words))
        for w, xy in local.items():
            pos[w] = np.asarray(centres[c]) + radius * np.asarray(xy)
    return pos, {c: np.asarray(xy) for c, xy in centres.items()}


@_styled
def plot_network_map(
    G,
    membership,
    top_words_table,
    labels: dict,
    communities=None,
    words_per_community: int = 25,
    n_labels: int = 3,
    seed: int = 0,
):
    """The network map: words coloured by community, top words labelled, communities named.

    Parameters
    ----------
    G, membership
        the network and its communities.
    top_words_table
        ``communities.top_words`` output (labels come from its first ranks).
    labels
        community -> display name (e.g. "privacy (attack, privacy)"); others show their
        two top words.
    communities
        communities to draw (default: those with at least 20 words).
    words_per_community, n_labels, seed
        drawing settings.

    Returns
    -------
    matplotlib Figure.

    >>> from trustkit.landscape.study import run_landscape
    >>> from trustkit.landscape.synthetic import planted_papers
    >>> small = {"years": (2021, 2023), "phrase_threshold": 2.0, "min_df": 5, "min_cooccurrence": 5,
    ...          "stability_seeds": 1, "n_resamples": 200, "top_n": 5, "min_community_size": 5}
    >>> result = run_landscape(small, papers=planted_papers(n_per_topic=80, seed=3), progress=False)
    >>> import matplotlib.pyplot as plt
    >>> fig = plot_network_map(result.graph, result.membership, result.top_words, {0: "privacy"}, [0, 1])
    >>> len(fig.axes)
    1
    >>> plt.close(fig)
    """
    if communities is None:
        sizes = membership.value_counts()
        communities = sorted(sizes.index[sizes >= 20])
    pos, centres = map_layout(G, membership, communities, words_per_community, seed)
    colours = _colours(communities)
    fig, ax = plt.subplots(figsize=(10, 8))
    sub = _sorted_subgraph(G, pos)
    weights = np.array([w for _, _, w in sub.edges(data="weight")])
    nx.draw_networkx_edges(sub, pos, ax=ax, width=0.3 + 1.2 * weights, alpha=0.12, edge_color="grey")
    nodes = list(sub.nodes)
    size = np.array([G.nodes[w].get("df", 10) for w in nodes], dtype=float)
    ax.scatter(
        [pos[w][0] for w in nodes],
        [pos[w][1] for w in nodes],
        s=8 + 60 * np.sqrt(size / size.max()),
        c=[colours[membership[w]] for w in nodes],
        edgecolors="white",
        linewidths=0.3,
        zorder=3,
    )
    for c in communities:
        tops = top_words_table.loc[top_words_table["community"] == c, "word"].tolist()
        for w in tops[:n_labels]:
            if w in pos:
                ax.annotate(w, pos[w], fontsize=7, ha="center", va="bottom", zorder=4)
        name = labels.get(c) or " / ".join(tops[:2])
        bold = c in labels
        ax.annotate(
            f"{c}: {name}",
            centres[c],
            fontsize=10 if bold else 8,
            fontweight="bold" if bold else "normal",
            color=colours[c],
            ha="center",
            va="top",
            xytext=(0, -22),
            textcoords="offset points",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "alpha": 0.7, "lw": 0},
        )
    ax.set_axis_off()
    ax.set_title(
        "Word co-occurrence network (NPMI), Louvain communities; trustworthy-ML communities in bold",
        fontsize=12,
        wrap=True,
    )
    fig.tight_layout()
    return fig


@_styled
def plot_top_words(top_words_table, labels: dict, communities=None, n: int = 8, ncols: int = 3):
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

    >>> from trustkit.landscape.study import run_landscape
    >>> from trustkit.landscape.synthetic import planted_papers
    >>> small = {"years": (2021, 2023), "phrase_threshold": 2.0, "min_df": 5, "min_cooccurrence": 5,
    ...          "stability_seeds": 1, "n_resamples": 200, "top_n": 5, "min_community_size": 5}
    >>> result = run_landscape(small, papers=planted_papers(n_per_topic=80, seed=3), progress=False)
    >>> import matplotlib.pyplot as plt
    >>> fig = plot_top_words(result.top_words, {0: "privacy", 1: "fairness"})
    >>> [ax.get_title() for ax in fig.axes if ax.get_title()]
    ['0: privacy', '1: fairness', '2', '3']
    >>> plt.close(fig)
    """
    if communities is None:
        others = [c for c in top_words_table["community"].unique() if c not in labels][:8]
        communities = list(labels) + others
    colours = _colours(top_words_table["community"].unique())
    nrows = int(np.ceil(len(communities) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.3 * ncols, 2.2 * nrows), squeeze=False)
    for ax, c in zip(axes.flat, communities):
        t = top_words_table[top_words_table["community"] == c].head(n)
        ax.barh(t["word"][::-1], t["strength"][::-1], color=colours[c])
        ax.set_title(
            f"{c}: {labels.get(c, '')}".rstrip(": "),
            fontsize=9,
            fontweight="bold" if c in labels else "normal",
        )
        ax.tick_params(labelsize=7)
        ax.set_xlabel("strength inside community (sum NPMI)", fontsize=7)
    for ax in list(axes.flat)[len(communities) :]:
        ax.set_axis_off()
    fig.tight_layout()
    return fig


@_styled
def plot_trustworthy_share(share_table):
    """Trustworthy-community share of papers per year (left) and mean relevance (right).

    Parameters
    ----------
    share_table
        ``relevance.trustworthy_share_by_year`` output.

    Returns
    -------
    matplotlib Figure.

    >>> from trustkit.landscape.study import run_landscape
    >>> from trustkit.landscape.synthetic import planted_papers
    >>> small = {"years": (2021, 2023), "phrase_threshold": 2.0, "min_df": 5, "min_cooccurrence": 5,
    ...          "stability_seeds": 1, "n_resamples": 200, "top_n": 5, "min_community_size": 5}
    >>> result = run_landscape(small, papers=planted_papers(n_per_topic=80, seed=3), progress=False)
    >>> import matplotlib.pyplot as plt
    >>> fig = plot_trustworthy_share(result.share_by_year)
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    for label, t in share_table.groupby("label", sort=False):
        a.plot(t["year"], 100 * t["share"], marker="o", label=label)
        b.plot(t["year"], t["mean_relevance"], marker="o", label=label)
    a.set_ylabel("% papers (dominant community)", fontsize=11)
    b.set_ylabel("mean relevance score", fontsize=11)
    for ax in (a, b):
        ax.set_xlabel("year", fontsize=11)
        ax.tick_params(labelsize=9)
    a.legend(fontsize=9)
    fig.suptitle("Trustworthy-ML communities in the ACL Anthology, per year", fontsize=13)
    fig.tight_layout()
    return fig


@_styled
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

    >>> from trustkit.landscape.study import run_landscape
    >>> from trustkit.landscape.synthetic import planted_papers
    >>> small = {"years": (2021, 2023), "phrase_threshold": 2.0, "min_df": 5, "min_cooccurrence": 5,
    ...          "stability_seeds": 1, "n_resamples": 200, "top_n": 5, "min_community_size": 5}
    >>> result = run_landscape(small, papers=planted_papers(n_per_topic=80, seed=3), progress=False)
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
    colours = _colours(placement["community"])
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 6.5), gridspec_kw={"width_ratios": [1.3, 1]})
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
    a.set_xlabel("mean relevance, TrustNLP / other papers (log)", fontsize=10)
    a.tick_params(labelsize=8)
    a.set_title("Communities TrustNLP papers lean to", fontsize=11)
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
    b.set_xlabel("false positive rate\n(other papers, same years)", fontsize=10)
    b.set_ylabel("true positive rate (TrustNLP papers)", fontsize=10)
    b.tick_params(labelsize=9)
    b.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    b.set_title("Relevance score vs TrustNLP\n(AUC, 95% bootstrap CI)", fontsize=11)
    fig.tight_layout()
    return fig
