"""Communities of the co-occurrence network, found by Louvain.

Also their stability across seeds, their top words, and the trustworthy communities found from
seed terms (with the study's privacy-vs-fairness test).
"""

from __future__ import annotations

from itertools import combinations

import networkx as nx
import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_mutual_info_score

#: Seed terms that name each trustworthy-ML concept (Derzsy et al. 2021 map privacy, fairness,
#: robustness and explainability). A concept's community is where most of its seed terms fall.
SEED_TERMS: dict[str, tuple[str, ...]] = {
    "privacy": ("privacy", "private", "differential_privacy", "anonymization"),
    "fairness": ("fairness", "bias", "gender_bias", "stereotype", "debiasing", "demographic"),
    "robustness": ("robustness", "adversarial", "adversarial_attack", "adversarial_example"),
    "explainability": ("explainability", "interpretability", "explainable", "interpretable"),
}

#: Terms of the study's claim: privacy and fairness/demography fall into different communities.
PRIVACY_TERMS = ("privacy",)
FAIRNESS_DEMOGRAPHY_TERMS = ("fairness", "demographic", "gender")


def louvain_membership(G: nx.Graph, resolution: float = 1.0, seed: int = 0) -> pd.Series:
    """Louvain communities (networkx) of the weighted network, as word -> community number.

    Communities are numbered by size, 0 the largest (ties by their alphabetically first word), so
    numbers are comparable between runs that find the same partition.

    Parameters
    ----------
    G
        the co-occurrence network (edge attribute ``weight``).
    resolution
        Louvain resolution; above 1 gives more, smaller communities.
    seed
        random seed of the node order.

    Returns
    -------
    Series indexed by word (sorted), named ``community``.

    >>> louvain_membership(nx.barbell_graph(5, 0), seed=0).nunique()
    2
    """
    parts = nx.community.louvain_communities(G, weight="weight", resolution=resolution, seed=seed)
    parts = sorted(parts, key=lambda c: (-len(c), min(map(str, c))))
    membership = {w: k for k, part in enumerate(parts) for w in part}
    return pd.Series(membership, name="community").sort_index()


def louvain_runs(G: nx.Graph, seeds=range(10), resolution: float = 1.0) -> pd.DataFrame:
    """Run Louvain once per seed.

    Returns
    -------
    DataFrame indexed by word, one column of community numbers per seed.

    >>> louvain_runs(nx.karate_club_graph(), seeds=[0, 1]).shape
    (34, 2)
    """
    return pd.DataFrame({s: louvain_membership(G, resolution, s) for s in seeds})


def community_stability(runs: pd.DataFrame) -> pd.DataFrame:
    """Adjusted mutual information between the partitions of every pair of seeds.

    AMI is 1 for identical partitions and about 0 for unrelated ones, corrected for chance
    (Vinh et al. 2010; scikit-learn's ``adjusted_mutual_info_score``).

    Parameters
    ----------
    runs
        output of :func:`louvain_runs`.

    Returns
    -------
    Tidy DataFrame ``seed_a, seed_b, ami, n_communities_a, n_communities_b``.

    >>> community_stability(louvain_runs(nx.karate_club_graph(), seeds=[0, 1])).columns.tolist()
    ['seed_a', 'seed_b', 'ami', 'n_communities_a', 'n_communities_b']
    """
    rows = [
        {
            "seed_a": a,
            "seed_b": b,
            "ami": adjusted_mutual_info_score(runs[a], runs[b]),
            "n_communities_a": runs[a].nunique(),
            "n_communities_b": runs[b].nunique(),
        }
        for a, b in combinations(runs.columns, 2)
    ]
    return pd.DataFrame(rows, columns=["seed_a", "seed_b", "ami", "n_communities_a", "n_communities_b"])


def top_words(G: nx.Graph, membership: pd.Series, n: int = 10) -> pd.DataFrame:
    """The words that hold each community together: highest strength (summed NPMI) inside it.

    Parameters
    ----------
    G
        the co-occurrence network.
    membership
        word -> community (:func:`louvain_membership`).
    n
        words per community.

    Returns
    -------
    Tidy DataFrame ``community, rank, word, strength, df`` (rank 1 = most central).

    >>> from trustkit.landscape.corpus import prepare_corpus
    >>> from trustkit.landscape.network import cooccurrence_network, doc_term_matrix
    >>> from trustkit.landscape.synthetic import planted_papers
    >>> dtm = doc_term_matrix(prepare_corpus(planted_papers(n_per_topic=30, seed=0)), min_df=5)
    >>> G = cooccurrence_network(dtm, min_cooccurrence=10, min_npmi=0.2)
    >>> tops = top_words(G, louvain_membership(G), n=3)  # the four planted topics, three words each
    >>> tops["community"].nunique(), len(tops)
    (4, 12)
    """
    inside = {w: 0.0 for w in membership.index}
    for a, b, weight in G.edges(data="weight"):
        if membership[a] == membership[b]:
            inside[a] += weight
            inside[b] += weight
    table = pd.DataFrame({"community": membership, "strength": pd.Series(inside)})
    table["df"] = [G.nodes[w].get("df", np.nan) for w in table.index]
    table = table.rename_axis("word").reset_index()
    table = table.sort_values(["community", "strength", "word"], ascending=[True, False, True])
    table["rank"] = table.groupby("community").cumcount() + 1
    table = table[table["rank"] <= n]
    return table[["community", "rank", "word", "strength", "df"]].reset_index(drop=True)


def trustworthy_communities(membership: pd.Series, seed_terms=None) -> pd.DataFrame:
    """Find the community of each trustworthy-ML concept from its seed terms.

    A concept's community is the one holding most of its seed terms that are in the network
    (ties: the community of the earliest listed term). Concepts with no seed term in the network
    get community -1.

    Parameters
    ----------
    membership
        word -> community.
    seed_terms
        concept -> terms (default :data:`SEED_TERMS`).

    Returns
    -------
    DataFrame ``concept, community, terms_found, terms_in_community, terms_missing``.

    >>> m = pd.Series({"privacy": 0, "private": 0, "bias": 1, "fairness": 1})
    >>> seeds = {"privacy": ("privacy", "private"), "fairness": ("bias", "gender")}
    >>> trustworthy_communities(m, seeds)["community"].tolist()
    [0, 1]
    """
    seed_terms = SEED_TERMS if seed_terms is None else seed_terms
    rows = []
    for concept, terms in seed_terms.items():
        found = [t for t in terms if t in membership.index]
        community = -1
        if found:
            counts = pd.Series([int(membership[t]) for t in found]).value_counts(sort=False)
            best = counts[counts == counts.max()].index
            community = next(int(membership[t]) for t in found if membership[t] in best)
        rows.append(
            {
                "concept": concept,
                "community": community,
                "terms_found": ", ".join(found),
                "terms_in_community": ", ".join(t for t in found if membership[t] == community),
                "terms_missing": ", ".join(t for t in terms if t not in membership.index),
            }
        )
    return pd.DataFrame(rows)


def concept_stability(runs: pd.DataFrame, seed_terms=None) -> pd.DataFrame:
    """How stable each trustworthy concept's community is across Louvain seeds.

    For every seed, the concept's community is found from its seed terms
    (:func:`trustworthy_communities`) and compared with the first column's (the reported run) by
    the Jaccard index of their word sets (1 = the same words).

    Parameters
    ----------
    runs
        word x seed communities, the reported seed first.
    seed_terms
        concept -> terms (default :data:`SEED_TERMS`).

    Returns
    -------
    Tidy DataFrame ``concept, seed, community, n_words, jaccard``.

    >>> runs = pd.DataFrame({0: {"privacy": 0, "leak": 0, "x": 1},
    ...                      1: {"privacy": 1, "leak": 0, "x": 1}})
    >>> concept_stability(runs, {"privacy": ("privacy",)})["jaccard"].round(2).tolist()
    [1.0, 0.33]
    """
    seed_terms = SEED_TERMS if seed_terms is None else seed_terms
    reference = runs.columns[0]
    rows = []
    for concept, terms in seed_terms.items():
        ref_words = None
        for seed in runs.columns:
            m = runs[seed]
            c = int(trustworthy_communities(m, {concept: terms})["community"].iloc[0])
            words = set(m.index[m == c]) if c >= 0 else set()
            if seed == reference:
                ref_words = words
            union = words | ref_words
            rows.append(
                {
                    "concept": concept,
                    "seed": seed,
                    "community": c,
                    "n_words": len(words),
                    "jaccard": len(words & ref_words) / len(union) if union else float("nan"),
                }
            )
    return pd.DataFrame(rows)


def privacy_fairness_separation(
    runs: pd.DataFrame,
    privacy_terms=PRIVACY_TERMS,
    fairness_terms=FAIRNESS_DEMOGRAPHY_TERMS,
) -> pd.DataFrame:
    """Per Louvain seed, test the study's claim: privacy and fairness/demography are in different communities.

    For each seed, ``separated`` is True when no privacy term shares a community with any
    fairness/demography term (terms absent from the network are ignored; if either side has no
    term in the network the test is undefined and ``separated`` is NA).

    Parameters
    ----------
    runs
        word x seed communities (:func:`louvain_runs`); a single membership Series works too.
    privacy_terms, fairness_terms
        the two sides of the claim.

    Returns
    -------
    DataFrame ``seed, privacy_communities, fairness_communities, separated``.

    >>> runs = pd.DataFrame({0: {"privacy": 0, "fairness": 1, "gender": 1}})
    >>> bool(privacy_fairness_separation(runs)["separated"].iloc[0])
    True
    """
    if isinstance(runs, pd.Series):
        runs = runs.to_frame(0)
    rows = []
    for seed in runs.columns:
        m = runs[seed]
        priv = sorted({int(m[t]) for t in privacy_terms if t in m.index})
        fair = sorted({int(m[t]) for t in fairness_terms if t in m.index})
        separated = pd.NA if not priv or not fair else not set(priv) & set(fair)
        rows.append(
            {"seed": seed, "privacy_communities": priv, "fairness_communities": fair, "separated": separated}
        )
    return pd.DataFrame(rows)
