"""The word co-occurrence network of the landscape study: doc-term matrix, NPMI weights, pruning.

Takes a tokenised ``corpus.Corpus``; its graph feeds ``communities`` and ``relevance``.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from trustkit.errors import InputError
from trustkit.landscape.corpus import Corpus
from trustkit.landscape.tokens import npmi


@dataclass
class DocTermMatrix:
    """Binary document-term matrix over the kept vocabulary.

    Attributes
    ----------
    X
        CSR matrix (papers x terms), 1 where the paper uses the term at least once.
    terms
        the column terms.
    df
        document frequency of each term (number of papers using it).
    """

    X: sp.csr_matrix
    terms: np.ndarray
    df: np.ndarray

    @property
    def n_docs(self) -> int:
        """Number of papers (rows)."""
        return self.X.shape[0]

    def rows(self, mask) -> DocTermMatrix:
        """The same vocabulary restricted to some papers (document frequencies recounted).

        >>> from trustkit.landscape.corpus import prepare_corpus
        >>> from trustkit.landscape.synthetic import planted_papers
        >>> corpus = prepare_corpus(planted_papers(n_per_topic=30, seed=0))
        >>> dtm = doc_term_matrix(corpus, min_df=5)
        >>> dtm.rows(~corpus.papers["trustnlp"].to_numpy()).n_docs  # without the TrustNLP papers
        110
        """
        X = self.X[np.flatnonzero(np.asarray(mask, dtype=bool))]
        return DocTermMatrix(X=X, terms=self.terms, df=np.asarray(X.sum(axis=0)).ravel().astype(np.int64))


def doc_term_matrix(corpus: Corpus, min_df: int = 20, max_df: float = 0.5) -> DocTermMatrix:
    """Build the binary paper x term matrix, keeping terms used by ``min_df`` papers or more.

    Parameters
    ----------
    corpus
        the tokenised papers (``prepare_corpus``).
    min_df
        minimum number of papers a term appears in (rare words make noisy NPMI).
    max_df
        maximum share of papers a term may appear in (ubiquitous words link everything).

    Returns
    -------
    A :class:`DocTermMatrix`.

    >>> from trustkit.landscape.corpus import prepare_corpus
    >>> from trustkit.landscape.synthetic import planted_papers
    >>> corpus = prepare_corpus(planted_papers(n_per_topic=30, seed=0))  # 120 papers, 4 planted topics
    >>> doc_term_matrix(corpus, min_df=5).X.shape  # papers x words in at least 5 of them
    (120, 68)
    """
    if min_df < 1 or not 0 < max_df <= 1:
        raise InputError(f"need min_df >= 1 and 0 < max_df <= 1, got {min_df}, {max_df}")
    n_docs, n_terms = corpus.n_docs, len(corpus.terms)
    ones = np.ones(len(corpus.token_terms), dtype=np.float32)
    X = sp.csr_matrix((ones, (corpus.token_docs, corpus.token_terms)), shape=(n_docs, n_terms))
    X.data[:] = 1.0  # duplicates were summed: binarise
    df = np.asarray(X.sum(axis=0)).ravel()
    keep = np.flatnonzero((df >= min_df) & (df <= max_df * n_docs))
    if len(keep) < 2:
        raise InputError(
            f"only {len(keep)} terms appear in >= {min_df} and <= {max_df:.0%} of {n_docs} papers; "
            "lower min_df or give more papers"
        )
    return DocTermMatrix(X=X[:, keep].tocsr(), terms=corpus.terms[keep], df=df[keep].astype(np.int64))


def npmi_table(dtm: DocTermMatrix, min_cooccurrence: int = 5) -> pd.DataFrame:
    """NPMI of every pair of terms that share at least ``min_cooccurrence`` papers.

    Co-occurrence counts come from one sparse product, ``X.T @ X``.

    Parameters
    ----------
    dtm
        the binary doc-term matrix.
    min_cooccurrence
        minimum number of papers using both words.

    Returns
    -------
    DataFrame ``source, target, count, npmi`` (one row per unordered pair, source < target
    in column order of ``dtm``).

    >>> from trustkit.landscape.corpus import prepare_corpus
    >>> from trustkit.landscape.synthetic import planted_papers
    >>> corpus = prepare_corpus(planted_papers(n_per_topic=30, seed=0))  # 120 papers, 4 planted topics
    >>> table = npmi_table(doc_term_matrix(corpus, min_df=5), min_cooccurrence=10)
    >>> top = table.sort_values("npmi").iloc[-1]
    >>> top["source"], top["target"], int(top["count"]), round(float(top["npmi"]), 3)
    ('postediting', 'transfer', 21, 0.848)
    """
    C = sp.triu(dtm.X.T @ dtm.X, k=1).tocoo()
    mask = C.data >= min_cooccurrence
    rows, cols, counts = C.row[mask], C.col[mask], C.data[mask].astype(np.int64)
    weights = npmi(counts, dtm.df[rows], dtm.df[cols], dtm.n_docs)
    return pd.DataFrame(
        {"source": dtm.terms[rows], "target": dtm.terms[cols], "count": counts, "npmi": weights}
    )


def cooccurrence_network(dtm: DocTermMatrix, min_cooccurrence: int = 10, min_npmi: float = 0.2) -> nx.Graph:
    """The word co-occurrence network: words are nodes, joined when they co-occur beyond chance.

    An edge joins two words used in the same papers more often than chance, weighted by their
    document NPMI.

    Pruning: an edge needs ``min_cooccurrence`` shared papers and NPMI >= ``min_npmi``; words left
    without edges are dropped. Node attribute ``df`` (papers using the word); edge attributes
    ``weight`` (NPMI) and ``count``; graph attribute ``n_docs``.

    Parameters
    ----------
    dtm
        the binary doc-term matrix (:func:`doc_term_matrix`).
    min_cooccurrence
        minimum shared papers per edge.
    min_npmi
        minimum NPMI per edge (0 = independence).

    Returns
    -------
    An undirected weighted ``networkx.Graph``.

    >>> from trustkit.landscape.corpus import prepare_corpus
    >>> from trustkit.landscape.synthetic import planted_papers
    >>> corpus = prepare_corpus(planted_papers(n_per_topic=30, seed=0))  # 120 papers, 4 planted topics
    >>> G = cooccurrence_network(doc_term_matrix(corpus, min_df=5), min_cooccurrence=10, min_npmi=0.2)
    >>> G.number_of_nodes(), G.number_of_edges(), G["alignment"]["bleu"]["count"]
    (48, 244, 12)
    """
    edges = npmi_table(dtm, min_cooccurrence=min_cooccurrence)
    edges = edges[edges["npmi"] >= min_npmi]
    if edges.empty:
        raise InputError(
            f"no word pair shares >= {min_cooccurrence} papers with NPMI >= {min_npmi}; "
            "lower min_cooccurrence or min_npmi"
        )
    G = nx.Graph(n_docs=dtm.n_docs, min_cooccurrence=min_cooccurrence, min_npmi=min_npmi)
    G.add_weighted_edges_from(
        zip(edges["source"], edges["target"], edges["npmi"].astype(float)), weight="weight"
    )
    nx.set_edge_attributes(
        G,
        {(a, b): int(c) for a, b, c in zip(edges["source"], edges["target"], edges["count"])},
        "count",
    )
    df = dict(zip(dtm.terms, dtm.df.tolist()))
    nx.set_node_attributes(G, {w: df[w] for w in G.nodes}, "df")
    return G
