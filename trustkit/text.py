"""The one word tokeniser of trustkit: words and punctuation marks, for diffs, lengths and edit distances.

Imports nothing from trustkit, so the data audits and the paraphrase filters both use it.
"""

from __future__ import annotations

import re

from trustkit.errors import InputError

_SPLIT = re.compile(r"\w+|[^\w\s]")
_JOINED = re.compile(r"\w+(?:'\w+)?|[^\w\s]")

#: how an apostrophe inside a word is read: its own token, or part of the word
APOSTROPHES = ("split", "joined")


def words(sentence: str, apostrophes: str = "split", lower: bool = False) -> list[str]:
    r"""Split a sentence into words (runs of ``\w``) and single punctuation marks.

    Parameters
    ----------
    sentence : the text.
    apostrophes : ``"split"`` (default) makes an apostrophe its own token and reads a typographic
        apostrophe (U+2019) as ``'`` — the paraphrase filters and the group-word transfer count
        words this way. ``"joined"`` keeps one ``'`` between word characters inside the word
        (``couldn't``, ``Jamal's``) and leaves U+2019 a punctuation mark of its own — the pair
        audits count words this way, so a possessive is one changed word, not three.
    lower : lower-case the sentence first.

    Returns
    -------
    The tokens, in order.

    Example
    -------
    >>> words("Jamal's son didn't.")
    ['Jamal', "'", 's', 'son', 'didn', "'", 't', '.']
    >>> words("He couldn't go.", apostrophes="joined", lower=True)
    ['he', "couldn't", 'go', '.']
    """
    if lower:
        sentence = sentence.lower()
    if apostrophes == "split":
        return _SPLIT.findall(sentence.replace("\u2019", "'"))
    if apostrophes == "joined":
        return _JOINED.findall(sentence)
    raise InputError(f"apostrophes must be one of {APOSTROPHES}, got {apostrophes!r}")
