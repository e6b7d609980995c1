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
    ...          "stability_seeds": 3, "n_boot": 200, "top_n": 5, "min_community_size": 5}
    >>> result = run_landscape(small, papers=planted_papers(n_per_topic=80, seed=3), progress=False)
    >>> result.summary()["communities"], result.summary()["separated"]
    (4, 'SEPARATE')

    On the ACL Anthology: ``print(run_landscape("smoke").summary())``.
    """
    p = _as_params(params)
    timings: dict[str, float] = {}
    bar = tqdm(total=7, desc="landscape", disable=not progress)

    def stage(name):
        timings[name] = time.perf_counter()
        bar.set_postfix_str(name)

    def done(name):
        timings[name] = time.perf_counter() - timings[name]
        bar.update(1)

    stage("load")
    if papers is None:
        from trustkit.data import load_acl_anthology

        papers = load_acl_anthology()
    sha = papers.attrs.get("sha256")
    selected = select_papers(papers, p.years, p.max_papers, p.sample_seed, p.trustnlp_venues)
    done("load")

    stage("corpus")
    corpus = prepare_corpus(
        selected, phrase_min_count=p.phrase_min_count, phrase_threshold=p.phrase_threshold
    )
    done("corpus")

    stage("network")
    dtm = doc_term_matrix(corpus, min_df=p.min_df, max_df=p.max_df)
    net_dtm = dtm
    if p.holdout_trustnlp and "venue" in corpus.papers:
        net_dtm = dtm.rows(~corpus.papers["venue"].isin(p.trustnlp_venues).to_numpy())
    G = cooccurrence_network(net_dtm, min_cooccurrence=p.min_cooccurrence, min_npmi=p.min_npmi)
    done("network")

    stage("communities")
    seeds = sorted({p.seed, *range(p.stability_seeds)})
    runs = comm.louvain_runs(G, seeds=seeds, resolution=p.resolution)
    membership = runs[p.seed].rename("community")
    stability = comm.community_stability(runs)
    tops = comm.top_words(G, membership, n=p.top_n)
    trustworthy = comm.trustworthy_communities(membership, p.seed_terms)
    reported_first = [p.seed] + [s for s in seeds if s != p.seed]
    separation = comm.privacy_fairness_separation(runs[reported_first])
    concept_stability = comm.concept_stability(runs[reported_first], p.seed_terms)
    labels = _labels(trustworthy, tops)
    communities = _community_table(membership, tops, labels)
    done("communities")

    stage("relevance")
    fingerprints = relevance.word_fingerprints(G, membership)
    rel = relevance.paper_relevance(dtm, fingerprints)
    scores = {name: [c] for c, name in labels.items()}
    if len(labels) > 1:
        scores["trustworthy (all)"] = sorted(labels)
    done("relevance")

    stage("validation")
    validation = relevance.trustnlp_validation(
        corpus.papers, rel, scores, p.trustnlp_venues, n_boot=p.n_boot, seed=p.seed
    )
    sizes = membership.value_counts()
    major = sorted(set(sizes.index[sizes >= p.min_community_size]) | set(labels))
    share = relevance.trustworthy_share_by_year(corpus.papers, rel, scores, major)
    paper_scores, placement = _paper_tables(
        corpus.papers, rel, scores, labels, tops, p.trustnlp_venues, major
    )
    done("validation")

    stage("figures")
    figs = {}
    if p.make_figures:
        figs = _draw(
            G, membership, tops, labels, rel, corpus.papers, validation, scores, share, placement, major, p
        )
    done("figures")
    bar.close()

    return LandscapeResult(
        params=p,
        corpus=corpus,
        dtm=dtm,
        graph=G,
        membership=membership,
        runs=runs,
        stability=stability,
        concept_stability=concept_stability,
        communities=communities,
        top_words=tops,
        trustworthy=trustworthy,
        separation=separation,
        validation=validation,
        share_by_year=share,
        paper_scores=paper_scores,
        placement=placement,
        timings=pd.DataFrame({"stage": list(timings), "seconds": list(timings.values())}),
        figures=figs,
        provenance={
            "dataset": papers.attrs.get("source", "papers table given by the caller"),
            "sha256": sha,
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
