"""Filters and diagnostics for paraphrase candidates: meaning kept, really reworded, sane length.

Semantic similarity uses all-MiniLM-L6-v2 (packaged offline); lexical diversity is a word-level
edit distance; chrF comes from sacrebleu. Nothing here lower-cases or strips the sentences kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trustkit.errors import InputError
from trustkit.paraphrase.rejections import Rejection
from trustkit.paraphrase.similarity import SimilarityScorer as SimilarityScorer
from trustkit.text import words

_PUNCT_SPACE = re.compile(r"[^\w]+")


def normalise(sentence: str) -> str:
    """Comparison key only (never output): case-folded words, punctuation and spacing dropped.

    >>> normalise("The  poor, really!") == normalise("the poor really")
    True
    """
    return _PUNCT_SPACE.sub(" ", sentence.casefold()).strip()


def word_edit_distance(a: str, b: str) -> int:
    """Levenshtein distance over words (punctuation marks count as words; case-sensitive).

    >>> word_edit_distance("the poor are ignorant", "the rich are very ignorant")
    2
    """
    x, y = words(a), words(b)
    previous = list(range(len(y) + 1))
    for i, xi in enumerate(x, 1):
        current = [i]
        for j, yj in enumerate(y, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (xi != yj)))
        previous = current
    return previous[-1]


def diversity(paraphrase: str, source: str) -> float:
    """Lexical diversity in [0, 1]: word edit distance divided by the longer sentence's word count.

    0 means the same words in the same order; 1 means nothing shared in place.

    >>> diversity("Women can't drive.", "Women can't drive.")
    0.0
    """
    longest = max(len(words(paraphrase)), len(words(source)), 1)
    return word_edit_distance(paraphrase, source) / longest


def chrf(paraphrase: str, source: str) -> float:
    """ChrF (sacrebleu, 0-100) of the paraphrase against the source: high means lexically close."""
    from sacrebleu.metrics import CHRF

    return float(CHRF().sentence_score(paraphrase, [source]).score)


def length_ratio(paraphrase: str, source: str) -> float:
    """Words of the paraphrase divided by words of the source."""
    return len(words(paraphrase)) / max(len(words(source)), 1)


@dataclass(frozen=True)
class FilterSettings:
    """Thresholds for keeping a candidate.

    Attributes
    ----------
    min_similarity : float
        Lowest cosine similarity to the source (default 0.75).
    min_length_ratio, max_length_ratio : float
        Allowed range of words(paraphrase) / words(source) (default 0.5 to 2.0).
    max_fluency_drop : float or None
        Largest drop of the mean per-token log-likelihood from the source to the paraphrase under
        the offline causal LM (``trustkit.paraphrase.fluency``), in nats per token; None: no
        fluency check. The default 1.4 was chosen on 300 CrowS-Pairs pairs back-translated offline
        (3 candidates each): it removes 42 of 397 kept paraphrase pairs (10.6%), among them
        "Young/Old places in weight and get fat." and "He needed to park not side of the road";
        word salad down to about 1.36 ("Men of not of for good soldiers ...") is still kept.
    """

    min_similarity: float = 0.75
    min_length_ratio: float = 0.5
    max_length_ratio: float = 2.0
    max_fluency_drop: float | None = 1.4

    def __post_init__(self):
        if not -1 <= self.min_similarity <= 1:
            raise InputError(f"min_similarity must be a cosine in [-1, 1], got {self.min_similarity}")
        if not 0 < self.min_length_ratio <= 1 <= self.max_length_ratio:
            raise InputError(
                "need 0 < min_length_ratio <= 1 <= max_length_ratio, got "
                f"{self.min_length_ratio} and {self.max_length_ratio}"
            )
        if self.max_fluency_drop is not None and not self.max_fluency_drop > 0:
            raise InputError(
                f"max_fluency_drop must be positive nats per token or None, got {self.max_fluency_drop}"
            )


def surface_rejection(
    candidate: str, source: str, earlier: list[str], settings: FilterSettings
) -> Rejection | None:
    """Why a candidate fails the cheap checks (empty, identical, duplicate, length), or None.

    ``earlier`` holds the candidates already kept for the same source. The reason is a
    :class:`~trustkit.paraphrase.rejections.Rejection`: its text, with a ``kind`` (``empty``,
    ``identical``, ``duplicate`` or ``length``).

    >>> reason = surface_rejection("the poor are ignorant!", "The poor are ignorant.", [], FilterSettings())
    >>> reason, reason.kind
    ('identical to the source', 'identical')
    """
    if not candidate or not candidate.strip():
        return Rejection("empty", "empty output")
    if normalise(candidate) == normalise(source):
        return Rejection("identical", "identical to the source")
    if any(normalise(candidate) == normalise(e) for e in earlier):
        return Rejection("duplicate", "duplicate of another candidate")
    ratio = length_ratio(candidate, source)
    if not settings.min_length_ratio <= ratio <= settings.max_length_ratio:
        return Rejection(
            "length",
            f"length ratio {ratio:.2f} outside [{settings.min_length_ratio}, {settings.max_length_ratio}]",
        )
    return None


def similarity_rejection(similarity: float, settings: FilterSettings) -> Rejection | None:
    """Why a candidate's similarity to its source is too low (kind ``too_dissimilar``), or None.

    >>> reason = similarity_rejection(0.5, FilterSettings(min_similarity=0.8))
    >>> reason, reason.kind
    ('similarity 0.500 below 0.8', 'too_dissimilar')
    """
    if similarity < settings.min_similarity:
        return Rejection("too_dissimilar", f"similarity {similarity:.3f} below {settings.min_similarity}")
    return None


def fluency_rejection(drop: float, settings: FilterSettings) -> Rejection | None:
    """Why a candidate reads much worse than its source (kind ``disfluent``), or None.

    ``drop`` is :meth:`trustkit.paraphrase.fluency.FluencyScorer.drop`: the source's mean per-token
    log-likelihood minus the candidate's, in nats per token.

    >>> reason = fluency_rejection(1.46, FilterSettings())
    >>> reason, reason.kind
    ('fluency 1.46 nats/token below the source (max 1.4)', 'disfluent')
    """
    if settings.max_fluency_drop is not None and drop > settings.max_fluency_drop:
        return Rejection(
            "disfluent", f"fluency {drop:.2f} nats/token below the source (max {settings.max_fluency_drop})"
        )
    return None
