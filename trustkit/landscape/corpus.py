"""Text preparation for the research-landscape study: paper selection, tokens, normaliser, phrases.

Feeds ``network`` (the co-occurrence network) and ``relevance`` (paper scores) with one token table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

#: Words every abstract uses to describe itself ("we propose a novel approach ..."). They carry no
#: topic, and left in the network they only add hubs; dropped on top of scikit-learn's English list.
ABSTRACT_BOILERPLATE = frozenset(
    [
        "paper",
        "propose",
        "proposed",
        "proposes",
        "proposing",
        "present",
        "presents",
        "presented",
        "presenting",
        "show",
        "shows",
        "shown",
        "showing",
        "approach",
        "approaches",
        "method",
        "methods",
        "result",
        "results",
        "work",
        "works",
        "use",
        "uses",
        "used",
        "using",
        "based",
        "new",
        "novel",
        "different",
        "various",
        "also",
        "able",
        "furthermore",
        "moreover",
        "significantly",
        "significant",
        "existing",
        "recent",
        "recently",
        "demonstrate",
        "demonstrates",
        "demonstrated",
        "achieve",
        "achieves",
        "achieved",
        "achieving",
        "introduce",
        "introduces",
        "introduced",
        "outperform",
        "outperforms",
        "outperforming",
        "state",
        "art",
        "effective",
        "effectively",
        "improve",
        "improves",
        "improved",
        "improving",
        "improvement",
        "improvements",
        "experiment",
        "experiments",
        "experimental",
        "including",
        "provide",
        "provides",
        "provided",
        "despite",
        "however",
        "given",
        "make",
        "makes",
        "making",
        "way",
        "ways",
        "lead",
        "leads",
        "leading",
        "particular",
        "particularly",
    ]
)

#: Default stop words: scikit-learn's ENGLISH_STOP_WORDS plus :data:`ABSTRACT_BOILERPLATE`.
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | ABSTRACT_BOILERPLATE

# Tokens: a letter then letters/digits (so "bert", "gpt3", "l2"); punctuation that ends a phrase is
# kept as a break marker. Hyphens split ("fine-tuning" -> "fine tuning") and the phrase detector
# may join the parts again.
_TOKEN = re.compile(r"[a-z][a-z0-9]+|[.,;:!?()\[\]{}\"]")

# Plurals the light normaliser must not strip (their "singular" is another word).
_KEEP_PLURAL = frozenset(
    [
        "news",
        "lens",
        "bias",
        "series",
        "species",
        "gas",
        "alias",
        "atlas",
        "canvas",
        "thesis",
        "basis",
        "analysis",
        "ethics",
        "physics",
        "does",
    ]
)


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

        >>> corpus.doc_tokens(0)[:3]  # doctest: +SKIP
        ['gender', 'bias', 'word_embeddings']
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
        raise ValueError(
            f"papers table lacks columns {sorted(missing)}; pass trustkit.data.load_acl_anthology()"
        )
    first, last = years
    if first > last:
        raise ValueError(f"years must be (first, last) with first <= last, got {years}")
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
        raise ValueError(f"no English paper with an abstract in years {first}-{last}")
    sort_by = ["year", "anthology_id"] if "anthology_id" in kept else ["year"]
    return kept.sort_values(sort_by).reset_index(drop=True)


def light_normaliser(forms: dict[str, int]) -> dict[str, str]:
    """Map plural word forms to their singular when the singular also occurs in the corpus.

    The candidates, in order: ``-ies`` -> ``-y``; ``-sses/-xes/-ches/-shes`` -> drop ``es``;
    drop ``s`` (not after ``s``, ``u`` or ``i``); ``-ses`` -> drop ``es``. The first candidate
    that occurs in the corpus wins. A form is merged only if the candidate
    singular is itself a corpus word, so "news" -> "new" style errors need both words frequent; the
    few such words are in a fixed keep-list. Verb forms (-ing, -ed) are left alone: a lemmatiser
    would need data that does not install offline, and the network treats them as separate words.

    Parameters
    ----------
    forms
        word -> corpus count.

    Returns
    -------
    form -> singular, only for forms that change.

    >>> light_normaliser({"models": 5, "model": 9, "studies": 2, "study": 3, "news": 4, "new": 9})
    {'models': 'model', 'studies': 'study'}
    """
    out = {}
    for word in forms:
        if len(word) < 4 or not word.endswith("s") or word in _KEEP_PLURAL:
            continue
        candidates = []
        if word.endswith("ies"):
            candidates.append(word[:-3] + "y")
        if word.endswith(("sses", "xes", "ches", "shes")):
            candidates.append(word[:-2])
        if not word.endswith(("ss", "us", "is")):
            candidates.append(word[:-1])
        if word.endswith("ses"):  # after -s: "senses" -> "sense" but "biases" -> "bias"
            candidates.append(word[:-2])
        for singular in candidates:
            if forms.get(singular, 0) > 0:
                out[word] = singular
                break
    return out


def _token_stream(texts: list[str]):
    """Tokenise every text; return flat type ids, type strings and the doc index of each token."""
    type_index: dict[str, int] = {}
    flat: list[int] = []
    lengths = np.empty(len(texts), dtype=np.int64)
    setdefault = type_index.setdefault
    for i, text in enumerate(texts):
        toks = _TOKEN.findall(text.lower())
        flat.extend([setdefault(t, len(type_index)) for t in toks])
        lengths[i] = len(toks)
    types = np.array(list(type_index), dtype=object)
    docs = np.repeat(np.arange(len(texts)), lengths)
    return np.asarray(flat, dtype=np.int64), types, docs


def _npmi(count_ab, count_a, count_b, total):
    """Normalised PMI of two events from counts: log(p_ab / (p_a p_b)) / -log(p_ab), in [-1, 1]."""
    p_ab = count_ab / total
    pmi = np.log(p_ab) - np.log(count_a / total) - np.log(count_b / total)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(p_ab >= 1.0, 1.0, pmi / -np.log(p_ab))
    return out


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


def _join_phrases(ids, docs, words, min_count, threshold):
    """Detect bigram phrases by NPMI and rewrite ``ids`` (−1 = break) with phrase ids."""
    n_words = len(words)
    empty = pd.DataFrame(columns=["phrase", "first", "second", "count", "npmi"])
    if len(ids) < 2 or threshold > 1:
        return ids, np.array([], dtype=object), empty
    valid = (ids[:-1] >= 0) & (ids[1:] >= 0) & (docs[:-1] == docs[1:])
    keys = ids[:-1] * n_words + ids[1:]
    pair_keys, pair_counts = np.unique(keys[valid], return_counts=True)
    word_counts = np.bincount(ids[ids >= 0], minlength=n_words)
    total = float(word_counts.sum())
    first, second = pair_keys // n_words, pair_keys % n_words
    npmi = _npmi(pair_counts, word_counts[first], word_counts[second], total)
    accept = (pair_counts >= min_count) & (npmi >= threshold)
    if not accept.any():
        return ids, np.array([], dtype=object), empty
    acc_keys = pair_keys[accept]
    phrase_terms = np.array(
        [f"{words[a]}_{words[b]}" for a, b in zip(first[accept], second[accept])], dtype=object
    )
    phrases = pd.DataFrame(
        {
            "phrase": phrase_terms,
            "first": words[first[accept]],
            "second": words[second[accept]],
            "count": pair_counts[accept],
            "npmi": npmi[accept],
        }
    ).sort_values("count", ascending=False)

    # Overlapping candidates ("neural machine translation") are resolved by count: a bigram is
    # joined when it is more frequent than the one before it and at least as frequent as the one
    # after it (ties go left), so "machine_translation" wins and no two joins overlap.
    n_pos = len(ids) - 1
    is_acc = valid & np.isin(keys, acc_keys)
    prio = np.full(n_pos + 2, -1.0)
    where = np.flatnonzero(is_acc)
    rank = np.searchsorted(acc_keys, keys[where])
    prio[where + 1] = pair_counts[accept][rank] + npmi[accept][rank] * 1e-3
    take = is_acc & (prio[1:-1] > prio[:-2]) & (prio[1:-1] >= prio[2:])
    pos = np.flatnonzero(take)
    out = ids.copy()
    out[pos] = n_words + np.searchsorted(acc_keys, keys[pos])
    out[pos + 1] = -1
    return out, phrase_terms, phrases.reset_index(drop=True)
