"""The whole landscape study in one call: :func:`run_landscape` (parameters in, tables and figures out).

Its settings are in :mod:`trustkit.landscape.params`, what it returns in
:mod:`trustkit.landscape.result`. Notebook 05 and ``benchmarks/landscape_full.py`` call it.
"""

from __future__ import annotations

import dataclasses
import time

import matplotlib.pyplot as plt
import pandas as pd
from tqdm.auto import tqdm

from trustkit.landscape import communities as comm
from trustkit.landscape import figures, relevance
from trustkit.landscape.corpus import prepare_corpus, select_papers
from trustkit.landscape.network import cooccurrence_network, doc_term_matrix
from trustkit.landscape.params import LandscapeParams, _as_params, landscape_params, profile_settings  # noqa: F401
from trustkit.landscape.result import LandscapeResult


def _labels(trustworthy: pd.DataFrame, tops: pd.DataFrame) -> dict[int, str]:
    """Community -> label such as "privacy / robustness (attack, privacy)".

    A label holds the trustworthy concepts whose seed terms fall in the community, then its two
    top words, which say what the community is mostly about.
    """
    out: dict[int, list[str]] = {}
    for concept, c in zip(trustworthy["concept"], trustworthy["community"]):
        if c >= 0:
            out.setdefault(int(c), []).append(concept)
    first = tops.groupby("community")["word"].apply(lambda w: ", ".join(w.head(2)))
    return {c: f"{' / '.join(names)} ({first.get(c, '')})" for c, names in out.items()}


def run_landscape(params=None, papers: pd.DataFrame | None = None, progress: bool = True) -> LandscapeResult:
    """Run the research-landscape study end to end.

    Corpus -> co-occurrence network (NPMI) -> Louvain communities and their stability (AMI) ->
    trustworthy communities from seed terms and the privacy-vs-fairness test -> paper relevance
    from word fingerprints -> TrustNLP validation (ROC AUC, bootstrap CI) -> figures.

    Parameters
    ----------
    params
        a :class:`LandscapeParams`, a dict of its fields, a profile name, or None (offline).
    papers
        the ACL Anthology table; default ``trustkit.data.load_acl_anthology()``.
    progress
        show a tqdm bar over the stages.

    Returns
    -------
    A :class:`LandscapeResult`.

    On a planted corpus (four topics, with trustworthy-ML words planted in two of them):

    >>> from trustkit.landscape.synthetic import planted_papers
    >>> small = {"years": (2021, 2023), "phrase_threshold": 2.0, "min_df": 5, "min_cooccurrence": 5,
    ...          "stability_seeds": 3, "n_resamples": 200, "top_n": 5, "min_community_size": 5}
    >>> result = run_landscape(small, papers=planted_papers(n_per_topic=80, seed=3), progress=False)
    >>> result.summary()["communities"], result.summary()["separated"]
    (4, 'SEPARATE')

    On the ACL Anthology: ``print(run_landscape("smoke").summary())``.
    """
    p = _as_params(params)
    state: dict = {"papers": papers}
    timings: dict[str, float] = {}
    with tqdm(total=len(STAGES), desc="landscape", disable=not progress) as bar:
        for name, stage in STAGES:
            bar.set_postfix_str(name)
            start = time.perf_counter()
            state.update(stage(state, p))
            timings[name] = time.perf_counter() - start
            bar.update(1)
    return _result(state, p, timings)


# Each stage reads what earlier stages put in the state and returns what it adds.


def _load(state: dict, p: LandscapeParams) -> dict:
    papers = state["papers"]
    if papers is None:
        from trustkit.data import load_acl_anthology

        papers = load_acl_anthology()
    selected = select_papers(papers, p.years, p.max_papers, p.sample_seed, p.trustnlp_venues)
    return {"papers": papers, "selected": selected}


def _corpus(state: dict, p: LandscapeParams) -> dict:
    corpus = prepare_corpus(
        state["selected"], phrase_min_count=p.phrase_min_count, phrase_threshold=p.phrase_threshold
    )
    return {"corpus": corpus}


def _network(state: dict, p: LandscapeParams) -> dict:
    corpus = state["corpus"]
    dtm = doc_term_matrix(corpus, min_df=p.min_df, max_df=p.max_df)
    net_dtm = dtm
    if p.holdout_trustnlp and "venue" in corpus.papers:
        net_dtm = dtm.rows(~corpus.papers["venue"].isin(p.trustnlp_venues).to_numpy())
    G = cooccurrence_network(net_dtm, min_cooccurrence=p.min_cooccurrence, min_npmi=p.min_npmi)
    return {"dtm": dtm, "graph": G}


def _communities(state: dict, p: LandscapeParams) -> dict:
    G = state["graph"]
    seeds = sorted({p.seed, *range(p.stability_seeds)})
    runs = comm.louvain_runs(G, seeds=seeds, resolution=p.resolution)
    membership = runs[p.seed].rename("community")
    tops = comm.top_words(G, membership, n=p.top_n)
    trustworthy = comm.trustworthy_communities(membership, p.seed_terms)
    reported_first = [p.seed] + [s for s in seeds if s != p.seed]
    labels = _labels(trustworthy, tops)
    return {
        "runs": runs,
        "membership": membership,
        "stability": comm.community_stability(runs),
        "top_words": tops,
        "trustworthy": trustworthy,
        "separation": comm.privacy_fairness_separation(runs[reported_first]),
        "concept_stability": comm.concept_stability(runs[reported_first], p.seed_terms),
        "labels": labels,
        "communities": _community_table(membership, tops, labels),
    }


def _relevance(state: dict, p: LandscapeParams) -> dict:
    fingerprints = relevance.word_fingerprints(state["graph"], state["membership"])
    labels = state["labels"]
    scores = {name: [c] for c, name in labels.items()}
    if len(labels) > 1:
        scores["trustworthy (all)"] = sorted(labels)
    return {"relevance": relevance.paper_relevance(state["dtm"], fingerprints), "scores": scores}


def _validation(state: dict, p: LandscapeParams) -> dict:
    papers, rel, scores, labels = state["corpus"].papers, state["relevance"], state["scores"], state["labels"]
    validation = relevance.trustnlp_validation(
        papers, rel, scores, p.trustnlp_venues, n_resamples=p.n_resamples, seed=p.seed
    )
    sizes = state["membership"].value_counts()
    major = sorted(set(sizes.index[sizes >= p.min_community_size]) | set(labels))
    share = relevance.trustworthy_share_by_year(papers, rel, scores, major)
    paper_scores, placement = _paper_tables(
        papers, rel, scores, labels, state["top_words"], p.trustnlp_venues, major
    )
    return {
        "validation": validation,
        "major": major,
        "share_by_year": share,
        "paper_scores": paper_scores,
        "placement": placement,
    }


def _figures(state: dict, p: LandscapeParams) -> dict:
    if not p.make_figures:
        return {"figures": {}}
    s = state
    figs = _draw(
        s["graph"], s["membership"], s["top_words"], s["labels"], s["relevance"], s["corpus"].papers,
        s["validation"], s["scores"], s["share_by_year"], s["placement"], s["major"], p,
    )  # fmt: skip
    return {"figures": figs}


#: the study's stages in order (their names are the rows of ``LandscapeResult.timings``)
STAGES = (
    ("load", _load),
    ("corpus", _corpus),
    ("network", _network),
    ("communities", _communities),
    ("relevance", _relevance),
    ("validation", _validation),
    ("figures", _figures),
)


def _result(state: dict, p: LandscapeParams, timings: dict[str, float]) -> LandscapeResult:
    G, corpus = state["graph"], state["corpus"]
    tables = ("dtm", "membership", "runs", "stability", "concept_stability", "communities", "top_words")
    more = (
        "trustworthy",
        "separation",
        "validation",
        "share_by_year",
        "paper_scores",
        "placement",
        "figures",
    )
    return LandscapeResult(
        params=p,
        corpus=corpus,
        graph=G,
        **{name: state[name] for name in tables + more},
        timings=pd.DataFrame({"stage": list(timings), "seconds": list(timings.values())}),
        provenance={
            "dataset": state["papers"].attrs.get("source", "papers table given by the caller"),
            "sha256": state["papers"].attrs.get("sha256"),
            "n_papers": corpus.n_docs,
            "n_words": G.number_of_nodes(),
            "n_edges": G.number_of_edges(),
            "params": dataclasses.asdict(p),
        },
    )


def _community_table(membership, tops, labels) -> pd.DataFrame:
    sizes = membership.value_counts().sort_index()
    words = tops.groupby("community")["word"].apply(", ".join)
    return pd.DataFrame(
        {
            "community": sizes.index,
            "n_words": sizes.to_numpy(),
            "top_words": words.reindex(sizes.index).to_numpy(),
            "trustworthy": [labels.get(c, "") for c in sizes.index],
        }
    )


def _paper_tables(papers, rel, scores, labels, tops, venues, major):
    R = rel.drop(columns="n_words")[major]
    top = relevance.dominant_community(rel, major)
    is_pos = papers["venue"].isin(venues)
    table = (
        papers[["anthology_id", "year", "venue", "title"]].copy()
        if "anthology_id" in papers
        else papers[["year", "title"]].copy()
    )
    table["is_trustnlp"] = is_pos.to_numpy()
    table["n_words"] = rel["n_words"].to_numpy()
    for name, comms in scores.items():
        table[f"relevance: {name}"] = R[comms].sum(axis=1).to_numpy()
    table["dominant_community"] = top.to_numpy()
    same_years = papers["year"].isin(papers.loc[is_pos, "year"].unique())
    groups = {"TrustNLP": is_pos, "other papers, same years": same_years & ~is_pos}
    placement = (
        pd.DataFrame(
            {name: top[mask.to_numpy()].value_counts(normalize=True) for name, mask in groups.items()}
        )
        .reindex(R.columns)
        .fillna(0.0)
        .rename_axis("community")
        .reset_index()
    )
    mean_pos = R[groups["TrustNLP"].to_numpy()].mean(axis=0)
    mean_neg = R[groups["other papers, same years"].to_numpy()].mean(axis=0)
    placement["relevance_lift"] = (mean_pos / mean_neg).to_numpy()
    placement["trustworthy"] = placement["community"].map(labels).fillna("")
    first = tops.groupby("community")["word"].apply(lambda w: " / ".join(w.head(2)))
    placement["name"] = [labels.get(c) or first.get(c, str(c)) for c in placement["community"]]
    placement = placement.sort_values("TrustNLP", ascending=False).reset_index(drop=True)
    return table, placement


def _draw(G, membership, tops, labels, rel, papers, validation, scores, share, placement, drawn, p):
    figs = {
        "network_map": figures.plot_network_map(G, membership, tops, labels, drawn, seed=p.seed),
        "top_words": figures.plot_top_words(tops, labels),
        "trustworthy_share": figures.plot_trustworthy_share(share),
    }
    is_pos = papers["venue"].isin(p.trustnlp_venues).to_numpy()
    same = papers["year"].isin(papers.loc[is_pos, "year"].unique()).to_numpy()
    figs["trustnlp_placement"] = figures.plot_trustnlp_placement(
        rel[same].reset_index(drop=True), is_pos[same], placement, labels, validation, scores
    )
    for fig in figs.values():  # shown where a notebook asks for them, not all at once after the run
        plt.close(fig)
    return figs
