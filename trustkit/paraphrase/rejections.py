"""Why a paraphrase candidate was rejected, as data: a fixed ``kind`` plus a human-readable ``reason``.

The filters and the group-word transfer return a :class:`Rejection`; the rejected table carries
both columns, so nothing downstream parses reason text.
"""

from __future__ import annotations

from trustkit.errors import InputError

#: every rejection kind, with the short label figures and outcome tables show for it
REJECTION_KINDS: dict[str, str] = {
    "bad_input": "bad input",  # the source sentence itself is unusable
    "empty": "empty output",  # the backend returned nothing
    "identical": "identical to the source",  # same words as the source (case, punctuation aside)
    "duplicate": "duplicate of another candidate",
    "length": "length ratio",  # word-count ratio outside the allowed range
    "too_dissimilar": "similarity",  # cosine similarity below the threshold
    "disfluent": "fluency",  # much less likely per token than the source under a causal LM
    "pair_identical": "the pair",  # the pair's two sentences do not differ
    "group_words_conflict": "group words",  # one group span maps to two replacements
    "group_words_ambiguous": "group words",  # a group span also occurs outside the differing part
    "group_words_lost": "group words",  # the paraphrase dropped a group span
    "other_group_words": "paraphrase already contains the other group",
    "no_partner": "no partner",  # the other sentence has fewer kept paraphrases
}


class Rejection(str):
    """A rejection reason: the text itself (so it reads and compares as before), with its ``kind``.

    Parameters
    ----------
    kind : one of :data:`REJECTION_KINDS`.
    reason : the human-readable explanation.

    Example
    -------
    >>> r = Rejection("length", "length ratio 2.50 outside [0.5, 2.0]")
    >>> r.kind, r.startswith("length ratio"), r.label
    ('length', True, 'length ratio')
    >>> r.detail("less sentence").kind
    'length'
    """

    kind: str

    def __new__(cls, kind: str, reason: str):
        """A rejection of ``kind`` (a key of ``REJECTION_KINDS``; else ValueError) saying ``reason``."""
        if kind not in REJECTION_KINDS:
            raise InputError(f"unknown rejection kind {kind!r}; known: {', '.join(REJECTION_KINDS)}")
        self = super().__new__(cls, reason)
        self.kind = kind
        return self

    @property
    def label(self) -> str:
        """The short label of this kind (``REJECTION_KINDS[kind]``)."""
        return REJECTION_KINDS[self.kind]

    def detail(self, extra: str) -> Rejection:
        """The same kind, with ``" (extra)"`` appended to the reason."""
        return Rejection(self.kind, f"{self} ({extra})")

    def __reduce__(self):
        return Rejection, (self.kind, str(self))
