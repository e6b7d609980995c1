"""The landscape's network map: a two-level layout and the map drawn with labels that never overlap.

Words are placed around their community's centre; labels are placed in priority order and one
that would cover another is left out (see :func:`plot_network_map`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd

from trustkit.plots.policy import fit_figsize
from trustkit.plots.style import LABEL_PT, SMALL_PT, styled

__all__ = ["community_colours", "map_layout", "plot_network_map"]

#: offsets (points) tried in turn for a community's name around its centre, then for a word's label
_NAME_OFFSETS = ((0, -14), (0, 14), (0, -30), (0, 30))
_WORD_OFFSETS = ((0, 3), (0, -12))
#: room kept free around each label (pixels at display size)
_LABEL_PAD_PX = 2.0


def community_colours(communities) -> dict:
    """One colour per community, stable in community number.

    The colours are tab20 then tab20b: the house palette has only ten colours and a map has twenty
    or more communities.

    >>> len(community_colours(range(25)))
    25
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

    >>> from trustkit.landscape.synthetic import small_landscape
    >>> result = small_landscape()
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


def _place(ax, renderer, placed: list, text: str, xy, offsets, **style) -> bool:
    """Annotate ``text`` at the first offset where it covers no placed label; False if none fits."""
    for dx, dy in offsets:
        label = ax.annotate(text, xy, xytext=(dx, dy), textcoords="offset points", **style)
        box = label.get_window_extent(renderer).padded(_LABEL_PAD_PX)
        if not any(box.overlaps(other) for other in placed):
            placed.append(box)
            return True
        label.remove()
    return False


@styled
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

    Labels are placed greedily in priority order: the trustworthy-ML communities' names, the
    other names, then each community's top words rank by rank. A name tries a few spots around
    its centre; a word that would cover a label already placed is left unlabelled. So the map
    never overprints, at the cost of fewer word labels where communities crowd (a label-placement
    optimiser moves labels away from their points and may still leave overlaps).

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
        drawing settings (``n_labels``: top words labelled per community, at most).

    Returns
    -------
    matplotlib Figure.

    >>> from trustkit.landscape.synthetic import small_landscape
    >>> result = small_landscape()
    >>> fig = plot_network_map(result.graph, result.membership, result.top_words, {0: "privacy"}, [0, 1])
    >>> len(fig.axes)
    1
    >>> plt.close(fig)
    """
    if communities is None:
        sizes = membership.value_counts()
        communities = sorted(sizes.index[sizes >= 20])
    pos, centres = map_layout(G, membership, communities, words_per_community, seed)
    colours = community_colours(communities)
    fig, ax = plt.subplots(figsize=fit_figsize(10, 5.9))
    sub = _sorted_subgraph(G, pos)
    weights = np.array([w for _, _, w in sub.edges(data="weight")])
    nx.draw_networkx_edges(sub, pos, ax=ax, width=0.3 + 1.2 * weights, alpha=0.12, edge_color="grey")
    nodes = list(sub.nodes)
    size = np.array([G.nodes[w].get("df", 10) for w in nodes], dtype=float)
    ax.scatter(
        [pos[w][0] for w in nodes],
        [pos[w][1] for w in nodes],
        s=6 + 40 * np.sqrt(size / size.max()),
        c=[colours[membership[w]] for w in nodes],
        edgecolors="white",
        linewidths=0.3,
        zorder=3,
    )
    ax.set_axis_off()
    ax.set_title("Word co-occurrence network (NPMI), Louvain communities; trustworthy-ML communities in bold")
    fig.tight_layout()  # labels are placed against the final layout
    renderer = fig.canvas.get_renderer()
    placed: list = []
    tops = {c: top_words_table.loc[top_words_table["community"] == c, "word"].tolist() for c in communities}
    for c in sorted(communities, key=lambda c: (c not in labels, c)):
        name = labels.get(c) or " / ".join(tops[c][:2])
        _place(
            ax,
            renderer,
            placed,
            f"{c}: {name}",
            centres[c],
            _NAME_OFFSETS,
            fontsize=LABEL_PT,
            fontweight="bold" if c in labels else "normal",
            color=colours[c],
            ha="center",
            va="center",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "alpha": 0.75, "lw": 0},
        )
    for rank in range(n_labels):
        for c in communities:
            words = [w for w in tops[c] if w in pos]
            if rank < len(words):
                style = {"fontsize": SMALL_PT, "ha": "center", "va": "bottom", "zorder": 4}
                _place(ax, renderer, placed, words[rank], pos[words[rank]], _WORD_OFFSETS, **style)
    return fig
