"""Paper relevance of the landscape study: word fingerprints and paper scores per community.

Also the TrustNLP validation (ROC AUC with a bootstrap CI) and the per-year trustworthy share.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from trustkit.errors import InputError
from trustkit.landscape.network import DocTermMatrix

#: TrustNLP workshop volumes in the ACL Anthology (2021-2024; 2025 is outside the default years).
TRUSTNLP_VENUES = ("2021.trustnlp-1", "2022.trustnlp-1", "2023.trustnlp-1", "2024.trustnlp-1")


def word_fingerprints(G: nx.Graph, membership: pd.Series) -> pd.DataFrame:
    """Each word's probabilistic similarity to every community (its fingerprint).

    p(c | w) = (1[w in c] + sum over neighbours v in c of NPMI(w, v)) / (1 + strength(w)): the
    share of the word's association weight that points into community c, counting the word itself
    with weight 1 (NPMI of a word with itself). Rows sum to 1.

    Parameters
    ----------
    G
        the co-occurrence network (edge ``weight`` = NPMI).
    membership
        word -> community.

    Returns
    -------
    DataFrame words x communities (columns sorted community numbers).

    >>> G = nx.Graph([("a", "b", {"weight": 1.0}), ("b", "c", {"weight": 1.0})])
    >>> word_fingerprints(G, pd.Series({"a": 0, "b": 0, "c": 1})).loc["b"].tolist()
    [0.6666666666666666, 0.3333333333333333]
    """
    words = list(membership.index)
    missing = set(G.nodes) - set(words)
    if missing:
        raise InputError(
            f"{len(missing)} network words have no community, "
            f"e.g. {sorted(missing)[:3]}; pass the membership of this graph"
        )
    A = nx.to_scipy_sparse_array(G, nodelist=words, weight="weight", format="csr")
    A = A + sp.identity(len(words), format="csr")
    communities = np.sort(membership.unique())
    col = np.searchsorted(communities, membership.to_numpy())
    M = sp.csr_matrix(
        (np.ones(len(words)), (np.arange(len(words)), col)), shape=(len(words), len(communities))
    )
    F = np.asarray((A @ M).todense())
    F /= F.sum(axis=1, keepdims=True)
    return pd.DataFrame(F, index=words, columns=communities)


def paper_relevance(dtm: DocTermMatrix, fingerprints: pd.DataFrame) -> pd.DataFrame:
    """Relevance of each paper to each community: the mean fingerprint of its network words.

    r(c | paper) = mean over distinct network words w of the paper of p(c | w); a probability
    distribution over communities. Papers with no network word get NaN.

    Parameters
    ----------
    dtm
        the binary doc-term matrix the network was built from.
    fingerprints
        :func:`word_fingerprints`.

    Returns
    -------
    DataFrame papers x communities, plus column ``n_words`` (network words used).

    >>> from trustkit.landscape.corpus import prepare_corpus
    >>> from trustkit.landscape.network import cooccurrence_network, doc_term_matrix
    >>> from trustkit.landscape.synthetic import planted_papers
    >>> dtm = doc_term_matrix(prepare_corpus(planted_papers(n_per_topic=30, seed=0)), min_df=5)
    >>> G = cooccurrence_network(dtm, min_cooccurrence=10, min_npmi=0.2)
    >>> from trustkit.landscape.communities import louvain_membership
    >>> rel = paper_relevance(dtm, word_fingerprints(G, louvain_membership(G)))
    >>> rel.shape, rel.columns[-1]  # 120 papers x 4 communities, and n_words
    ((120, 5), 'n_words')
    """
    col = pd.Index(dtm.terms).get_indexer(fingerprints.index)
    if (col < 0).any():
        raise InputError("fingerprint words missing from the doc-term matrix; use the same dtm")
    Xg = dtm.X[:, col]
    n_words = np.asarray(Xg.sum(axis=1)).ravel()
    R = np.asarray(Xg @ fingerprints.to_numpy())
    with np.errstate(invalid="ignore", divide="ignore"):
        R = R / n_words[:, None]
    out = pd.DataFrame(R, columns=fingerprints.columns)
    out["n_words"] = n_words.astype(np.int64)
    return out


def dominant_community(relevance: pd.DataFrame, communities=None) -> pd.Series:
    """Each paper's dominant community: the one it is most relevant to *relative to the average paper*.

    That is the argmax of r(c | paper) / mean over papers of r(c | paper).

    Raw relevance favours large communities (they hold more of every paper's words); dividing by
    the corpus mean lets a paper belong to a small community such as privacy. Papers without
    network words get -1.

    Parameters
    ----------
    relevance
        :func:`paper_relevance` output.
    communities
        the candidate communities (default all); leave out communities of a few
        words, whose tiny mean relevance makes their ratio noisy.

    >>> rel = pd.DataFrame({0: [0.8, 0.7], 1: [0.2, 0.3], "n_words": [5, 5]})
    >>> dominant_community(rel).tolist()
    [0, 1]
    """
    R = relevance.drop(columns="n_words", errors="ignore")
    if communities is not None:
        R = R[list(communities)]
    lift = R / R.mean(axis=0).replace(0, np.nan)
    top = lift.fillna(-1).idxmax(axis=1)
    has_words = R.notna().any(axis=1)
    return top.where(has_words, -1).astype(int).rename("dominant_community")


def roc_auc_bootstrap(scores, labels, n_resamples: int = 2000, ci: float = 0.95, seed: int = 0) -> dict:
    """ROC AUC of ``scores`` for binary ``labels``, with a stratified percentile bootstrap CI.

    AUC = P(score of a positive > score of a negative) + P(tie) / 2 (Mann-Whitney form, equal to
    scikit-learn's ``roc_auc_score``). The bootstrap resamples positives and negatives separately.

    Parameters
    ----------
    scores
        higher = more likely positive; NaN scores count as the lowest score.
    labels
        booleans.
    n_resamples
        bootstrap resamples.
    ci
        CI coverage.
    seed
        bootstrap seed.

    Returns
    -------
    dict ``estimate, ci_low, ci_high, n_pos, n_neg, n_resamples``.

    >>> roc_auc_bootstrap([0.9, 0.8, 0.1, 0.2], [True, True, False, False], n_resamples=50)["estimate"]
    1.0
    """
    scores = np.nan_to_num(np.asarray(scores, dtype=np.float64), nan=-np.inf)
    labels = np.asarray(labels, dtype=bool)
    pos, neg = scores[labels], scores[~labels]
    if len(pos) == 0 or len(neg) == 0:
        raise InputError(f"need positives and negatives, got {len(pos)} and {len(neg)}")

    def auc(p, n_sorted):
        below = np.searchsorted(n_sorted, p, side="left")
        ties = np.searchsorted(n_sorted, p, side="right") - below
        return float((below + 0.5 * ties).sum() / (len(p) * len(n_sorted)))

    estimate = auc(pos, np.sort(neg))
    rng = np.random.default_rng(seed)
    boots = np.array(
        [auc(rng.choice(pos, len(pos)), np.sort(rng.choice(neg, len(neg)))) for _ in range(n_resamples)]
    )
    alpha = (1 - ci) / 2
    return {
        "estimate": estimate,
        "ci_low": float(np.quantile(boots, alpha)),
        "ci_high": float(np.quantile(boots, 1 - alpha)),
        "n_pos": len(pos),
        "n_neg": len(neg),
        "n_resamples": n_resamples,
    }


def trustnlp_validation(
    papers: pd.DataFrame,
    relevance: pd.DataFrame,
    score_columns: dict[str, list],
    venues=TRUSTNLP_VENUES,
    n_resamples: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Validate relevance scores by ROC AUC with a bootstrap CI: TrustNLP papers against the rest.

    The positives are the TrustNLP workshop papers, the negatives every other paper of the same
    years.

    Parameters
    ----------
    papers
        the selected papers (rows aligned with ``relevance``), with ``venue`` and ``year``.
    relevance
        :func:`paper_relevance`.
    score_columns
        score name -> communities summed into that score, e.g.
        ``{"trustworthy (all)": [12, 15, 16], "privacy": [15]}``.
    venues
        the positive venues.
    n_resamples, seed
        bootstrap settings.

    Returns
    -------
    Tidy DataFrame ``score, communities, estimate, ci_low, ci_high, n_pos, n_neg, n_resamples,
    positive_venues, years``.

    >>> from trustkit.landscape.synthetic import small_landscape
    >>> result = small_landscape()
    >>> rel = paper_relevance(result.dtm, word_fingerprints(result.graph, result.membership))
    >>> papers = result.corpus.papers  # community 0 is the planted privacy topic
    >>> auc = trustnlp_validation(papers, rel, {"privacy": [0]}, n_resamples=200).iloc[0]
    >>> auc["score"], round(float(auc["estimate"]), 3), int(auc["n_pos"]), int(auc["n_neg"])
    ('privacy', 0.88, 10, 310)
    """
    if not {"venue", "year"} <= set(papers.columns):
        raise InputError("papers need 'venue' and 'year' columns to find the TrustNLP papers")
    is_pos = papers["venue"].isin(venues).to_numpy()
    if not is_pos.any():
        raise InputError(
            f"no paper from venues {list(venues)} among the selected papers; "
            "widen the years or keep those venues in the sample"
        )
    years = sorted(papers.loc[is_pos, "year"].unique().tolist())
    same_years = papers["year"].isin(years).to_numpy()
    present = sorted(papers.loc[is_pos, "venue"].unique().tolist())
    rows = []
    for name, comms in score_columns.items():
        score = relevance[list(comms)].sum(axis=1).to_numpy()[same_years]
        res = roc_auc_bootstrap(score, is_pos[same_years], n_resamples=n_resamples, seed=seed)
        rows.append(
            {
                "score": name,
                "communities": list(comms),
                **res,
                "positive_venues": ", ".join(present),
                "years": f"{years[0]}-{years[-1]}",
            }
        )
    return pd.DataFrame(rows)


def trustworthy_share_by_year(
    papers: pd.DataFrame, relevance: pd.DataFrame, labels: dict[str, list], communities=None
) -> pd.DataFrame:
    """Per year, the share of papers whose dominant community is a trustworthy one.

    Also their mean relevance. The dominant community is that of :func:`dominant_community`.

    Parameters
    ----------
    papers
        selected papers with ``year`` (rows aligned with ``relevance``).
    relevance
        :func:`paper_relevance`.
    labels
        label -> communities (e.g. ``{"privacy": [15], "trustworthy (all)": [12, 15]}``).
    communities
        candidate dominant communities (see :func:`dominant_community`).

    Returns
    -------
    Tidy DataFrame ``year, label, share, mean_relevance, n_papers``.

    >>> from trustkit.landscape.synthetic import small_landscape
    >>> result = small_landscape()
    >>> rel = paper_relevance(result.dtm, word_fingerprints(result.graph, result.membership))
    >>> papers = result.corpus.papers  # community 0 is the planted privacy topic
    >>> share = trustworthy_share_by_year(papers, rel, {"privacy": [0]})
    >>> share.year.tolist(), share.share.round(3).tolist(), share.n_papers.tolist()
    ([2021, 2022, 2023], [0.252, 0.252, 0.245], [107, 107, 106])
    """
    R = relevance.drop(columns="n_words")
    top = dominant_community(relevance, communities)
    rows = []
    for label, comms in labels.items():
        frame = pd.DataFrame(
            {
                "year": papers["year"].to_numpy(),
                "top": top.isin(list(comms)).to_numpy(),
                "rel": R[list(comms)].sum(axis=1).to_numpy(),
            }
        )
        g = frame.groupby("year")
        rows.append(
            pd.DataFrame(
                {
                    "year": g.size().index,
                    "label": label,
                    "share": g["top"].mean().to_numpy(),
                    "mean_relevance": g["rel"].mean().to_numpy(),
                    "n_papers": g.size().to_numpy(),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)
