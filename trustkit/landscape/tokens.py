"""Tokens for the research-landscape study: stop words, tokeniser, plural normaliser, bigram phrases.

:func:`trustkit.landscape.corpus.prepare_corpus` turns papers into a token table with these.
"""

from __future__ import annotations

import re

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


def npmi(count_ab, count_a, count_b, total):
    """Normalised pointwise mutual information of two events from counts (Bouma 2009).

    NPMI(a, b) = log(p(a,b) / (p(a) p(b))) / -log p(a,b), with p(a) = count_a / total and
    p(a,b) = count_ab / total. It is 1 when the events always occur together, 0 when independent,
    and -> -1 when they never meet; when p(a,b) = 1 it is 1. The landscape uses it for adjacent
    words (phrases: counts of tokens) and for words in one paper (the network: counts of papers).

    >>> round(float(npmi(2, 2, 4, 8)), 4)  # log(0.25/(0.25*0.5)) / -log(0.25) = log 2 / log 4
    0.5
    """
    p_ab = np.asarray(count_ab, dtype=np.float64) / total
    pmi = np.log(p_ab) - np.log(np.asarray(count_a) / total) - np.log(np.asarray(count_b) / total)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p_ab >= 1.0, 1.0, pmi / -np.log(p_ab))


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
    pair_npmi = npmi(pair_counts, word_counts[first], word_counts[second], total)
    accept = (pair_counts >= min_count) & (pair_npmi >= threshold)
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
            "npmi": pair_npmi[accept],
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
    prio[where + 1] = pair_counts[accept][rank] + pair_npmi[accept][rank] * 1e-3
    take = is_acc & (prio[1:-1] > prio[:-2]) & (prio[1:-1] >= prio[2:])
    pos = np.flatnonzero(take)
    out = ids.copy()
    out[pos] = n_words + np.searchsorted(acc_keys, keys[pos])
    out[pos + 1] = -1
    return out, phrase_terms, phrases.reset_index(drop=True)
