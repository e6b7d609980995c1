"""Text preparation for the research-landscape study: paper selection and the tokenised corpus.

Feeds ``network`` (the co-occurrence network) and ``relevance`` (paper scores) with one token table.
Tokeniser, stop words, plural normaliser and phrase detection live in ``trustkit.landscape.tokens``;
their public names stay importable from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from trustkit.errors import InputError
from trustkit.landscape.tokens import (
    ABSTRACT_BOILERPLATE,
    STOP_WORDS,
    _join_phrases,
    _token_stream,
    light_normaliser,
)

__all__ = [
    "ABSTRACT_BOILERPLATE",
    "STOP_WORDS",
    "Corpus",
    "light_normaliser",
    "prepare_corpus",
    "select_papers",
]


@dataclass
class Corpus:
    """Tokenised papers: one flat array of term ids, cut into documents.

    Attributes
    ----------
    papers
        the selected papers (index 0..n-1, in token order).
    terms
        term strings; a phrase joins its two words with ``_`` ("machine_translation").
    token_terms
        term id of every kept token, documents one after another.
    token_docs
        document (row of ``papers``) of every kept token.
    phrases
        the accepted bigrams, columns ``phrase, first, second, count, npmi``.
    normalised
        the plural forms the normaliser merged, columns ``form, term``.
    """

    papers: pd.DataFrame
    terms: np.ndarray
    token_terms: np.ndarray
    token_docs: np.ndarray
    phrases: pd.DataFrame = field(default_factory=pd.DataFrame)
    normalised: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def n_docs(self) -> int:
        """Number of documents (papers)."""
        return len(self.papers)

    def doc_tokens(self, i: int) -> list[str]:
        """Return the kept tokens of document ``i`` in reading order.

        >>> from trustkit.landscape.synthetic import planted_papers
        >>> corpus = prepare_corpus(planted_papers(n_per_topic=30, seed=0))
        >>> corpus.papers["title"][0][:32], corpus.doc_tokens(0)[:3]
        ('Sensitive confidential federated', ['sensitive', 'confidential', 'federated'])
        """
        return self.terms[self.token_terms[self.token_docs == i]].tolist()


def select_papers(
    papers: pd.DataFrame,
    years: tuple[int, int] = (2016, 2024),
    max_papers: int | None = None,
    seed: int = 0,
    keep_venues: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Keep English papers with an abstract, published within ``years`` (both ends included).

    Parameters
    ----------
    papers
        the ACL Anthology table (``trustkit.data.load_acl_anthology()``); needs columns
        ``year, language, title, abstract``.
    years
        first and last year kept.
    max_papers
        if set, a uniform random sample of this many papers (for smoke/lab runs); papers
        of ``keep_venues`` are always kept.
    seed
        seed of that sample.
    keep_venues
        venues never dropped by the sample (e.g. the TrustNLP volumes).

    Returns
    -------
    The kept rows, sorted by year and ``anthology_id``, index reset.

    >>> select_papers(load_acl_anthology(), years=(2022, 2022)).year.unique()  # doctest: +SKIP
    array([2022])
    """
    missing = {"year", "language", "title", "abstract"} - set(papers.columns)
    if missing:
        raise InputError(
            f"papers table lacks columns {sorted(missing)}; pass trustkit.data.load_acl_anthology()"
        )
    first, last = years
    if first > last:
        raise InputError(f"years must be (first, last) with first <= last, got {years}")
    english = papers["language"].fillna("").isin(["", "eng", "en"])
    has_abstract = papers["abstract"].fillna("").str.strip().str.len() > 0
    kept = papers[english & has_abstract & papers["year"].between(first, last)]
    if max_papers is not None and len(kept) > max_papers:
        protected = kept["venue"].isin(keep_venues) if "venue" in kept else pd.Series(False, index=kept.index)
        rest = kept[~protected]
        n_rest = max(0, max_papers - int(protected.sum()))
        sample = rest.sample(n=min(n_rest, len(rest)), random_state=seed)
        kept = pd.concat([kept[protected], sample])
    if kept.empty:
        raise InputError(f"no English paper with an abstract in years {first}-{last}")
    sort_by = ["year", "anthology_id"] if "anthology_id" in kept else ["year"]
    return kept.sort_values(sort_by).reset_index(drop=True)


def prepare_corpus(
    papers: pd.DataFrame,
    stop_words: frozenset[str] = STOP_WORDS,
    phrase_min_count: int = 20,
    phrase_threshold: float = 0.35,
    normalise: bool = True,
) -> Corpus:
    """Tokenise title + abstract of every paper, normalise plurals and join frequent bigrams.

    Steps: lowercase; tokens ``[a-z][a-z0-9]+``; stop words and punctuation are dropped and also
    break phrases; :func:`light_normaliser`; then two adjacent kept words become one phrase term
    ``a_b`` when the bigram occurs at least ``phrase_min_count`` times and its NPMI over token
    positions, log(p(ab) / (p(a) p(b))) / -log p(ab), is at least ``phrase_threshold``. Phrases
    replace their words (left to right, no overlaps), as gensim's Phrases does.

    Parameters
    ----------
    papers
        table with ``title`` and ``abstract`` (e.g. from :func:`select_papers`).
    stop_words
        words dropped (default :data:`STOP_WORDS`).
    phrase_min_count
        minimum bigram count for a phrase.
    phrase_threshold
        minimum bigram NPMI for a phrase (-1..1); above 1 disables phrases.
    normalise
        apply :func:`light_normaliser`.

    Returns
    -------
    A :class:`Corpus`.

    >>> df = pd.DataFrame({"title": ["Machine translation"],
    ...                    "abstract": ["Machine translation works."]})
    >>> prepare_corpus(df, phrase_min_count=2, phrase_threshold=0.0).doc_tokens(0)
    ['machine_translation', 'machine_translation']
    """
    texts = (papers["title"].fillna("") + " . " + papers["abstract"].fillna("")).tolist()
    stop_words = frozenset(stop_words)
    flat, types, docs = _token_stream(texts)

    # Type -> term: merge plural forms into their singular, then drop stop words (checked on the
    # form and its singular, so "systems" goes with "system") and punctuation.
    type_counts = np.bincount(flat, minlength=len(types))
    alpha = [i for i, t in enumerate(types) if t[0].isalpha()]
    merged = light_normaliser({types[i]: int(type_counts[i]) for i in alpha}) if normalise else {}
    content = [
        i for i in alpha if types[i] not in stop_words and merged.get(types[i], types[i]) not in stop_words
    ]
    merged = {types[i]: merged[types[i]] for i in content if types[i] in merged}
    words = sorted({merged.get(types[i], types[i]) for i in content})
    word_id = {w: k for k, w in enumerate(words)}
    lut = np.full(len(types), -1, dtype=np.int64)
    for i in content:
        lut[i] = word_id[merged.get(types[i], types[i])]
    ids = lut[flat]

    ids, phrase_terms, phrases = _join_phrases(
        ids, docs, np.array(words, dtype=object), phrase_min_count, phrase_threshold
    )
    terms = np.concatenate([np.array(words, dtype=object), phrase_terms])
    keep = ids >= 0
    normalised = pd.DataFrame(sorted(merged.items()), columns=["form", "term"])
    return Corpus(
        papers=papers.reset_index(drop=True),
        terms=terms,
        token_terms=ids[keep],
        token_docs=docs[keep],
        phrases=phrases,
        normalised=normalised,
    )
