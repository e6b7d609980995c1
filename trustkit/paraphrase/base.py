"""The one paraphraser interface, ``Paraphraser.generate(sentences, n_paraphrases=..., seed=...)``, and input checks.

Backends (back-translation, instruction LM, seq2seq) subclass it and implement only
``_generate_batch``; caching, batching, progress and bad-input handling live here once.
"""

from __future__ import annotations

import abc
import unicodedata
import warnings

from trustkit.errors import InputError
from trustkit.paraphrase.cache import ParaphraseCache
from trustkit.progress import progress_bar
from trustkit.scoring.cache import CacheError

MAX_WORDS = 100
MAX_CHARS = 800


def input_problem(sentence: object, max_words: int = MAX_WORDS, max_chars: int = MAX_CHARS) -> str | None:
    """Say why a backend cannot paraphrase ``sentence``, or return None when it can.

    Checks: a non-empty string, at most ``max_words`` words and ``max_chars`` characters, and
    mostly Latin script (the offline backends are English models).

    >>> input_problem("Women don't know how to drive.") is None
    True
    >>> input_problem("   ")
    'empty sentence'
    """
    if not isinstance(sentence, str) or not sentence.strip():
        return "empty sentence"
    if len(sentence) > max_chars or len(sentence.split()) > max_words:
        return (
            f"too long ({len(sentence.split())} words, {len(sentence)} characters; "
            f"limit {max_words} words, {max_chars} characters)"
        )
    letters = [ch for ch in sentence if ch.isalpha()]
    if not letters:
        return "no letters"
    latin = sum(unicodedata.name(ch, "").startswith("LATIN") for ch in letters)
    if latin / len(letters) < 0.5:
        return "non-Latin script (the offline backends are English models)"
    return None


class Paraphraser(abc.ABC):
    """Base class: ``generate(sentences, *, n_paraphrases, seed) -> list[list[str]]``, cached per sentence.

    Subclasses set ``backend_id`` (everything that changes the output: model hash, prompt,
    decoding) and implement ``_generate_batch(sentences, n, seed)``, which must give each sentence
    the same candidates whatever else is in the batch, so that the cache is exact.

    Attributes
    ----------
    batch_size : int
        Sentences handed to ``_generate_batch`` at once.
    use_cache : bool
        Read and write the on-disk cache.
    cache_root : path or None
        Directory of the cache file (``paraphrases.sqlite``); None means ``$TRUSTKIT_CACHE/paraphrase``.
    revision : str or None
        The hub commit of the backend's model when it came from the hub (figures record it);
        None for packaged or local models.
    """

    backend_id: str = "abstract"
    revision: str | None = None
    batch_size: int = 8
    use_cache: bool = True
    cache_root = None

    @abc.abstractmethod
    def _generate_batch(self, sentences: list[str], n: int, seed: int) -> list[list[str]]:
        """Return up to ``n`` raw candidates for each sentence (no filtering)."""

    def generate(
        self, sentences: list[str], *, n_paraphrases: int = 5, seed: int = 0, progress: bool = True
    ) -> list[list[str]]:
        """Paraphrase each sentence into up to ``n_paraphrases`` candidates, reproducibly for a ``seed``.

        Parameters
        ----------
        sentences : list of str
        n_paraphrases : int
            Candidates per sentence (a backend may return fewer, e.g. when variants coincide).
        seed : int
            Seeds sampling per sentence, so a sentence's candidates do not depend on the batch.
        progress : bool
            Show a tqdm progress bar.

        Returns
        -------
        list of list of str
            One list per input sentence, in input order. A sentence that fails ``input_problem``
            gets an empty list and a warning naming its position; ``paraphrase_pairs`` reports
            such rows in its rejected table.

        Example
        -------
        >>> class WordSwap(Paraphraser):  # a toy backend: two fixed rewrites per sentence
        ...     backend_id, use_cache = "word-swap", False
        ...     def _generate_batch(self, sentences, n, seed):
        ...         return [[s.replace("are", "seem to be"), s.replace("people", "folks")][:n] for s in sentences]
        >>> WordSwap().generate(["Poor people are lazy."], n_paraphrases=2, progress=False)
        [['Poor people seem to be lazy.', 'Poor folks are lazy.']]
        """
        if isinstance(sentences, str):
            raise TypeError("generate() takes a list of sentences; wrap a single sentence in a list")
        if int(n_paraphrases) < 1:
            raise InputError(f"n_paraphrases must be at least 1, got {n_paraphrases}")
        n, seed = int(n_paraphrases), int(seed)
        results: list[list[str] | None] = [None] * len(sentences)
        cache = self._open_cache() if self.use_cache else None
        todo: list[int] = []
        for i, sentence in enumerate(sentences):
            problem = input_problem(sentence)
            if problem is not None:
                warnings.warn(f"sentence {i} not paraphrased: {problem}", stacklevel=2)
                results[i] = []
                continue
            hit = cache.get(sentence, seed, n) if cache is not None else None
            if hit is not None:
                results[i] = hit
            else:
                todo.append(i)
        # Unique sentences only: a repeated sentence is generated once (same seed, same output).
        unique = list(dict.fromkeys(sentences[i] for i in todo))
        done: dict[str, list[str]] = {}
        with progress_bar(
            total=len(unique),
            desc=f"paraphrase ({self.backend_id.split(':')[0]})",
            unit="sent",
            disable=not progress or not unique,
        ) as bar:
            for start in range(0, len(unique), self.batch_size):
                chunk = unique[start : start + self.batch_size]
                outputs = self._generate_batch(chunk, n, seed)
                for sentence, candidates in zip(chunk, outputs, strict=True):
                    candidates = [c for c in candidates if isinstance(c, str)][:n]
                    done[sentence] = candidates
                    if cache is not None:
                        cache.put(sentence, seed, n, candidates)
                bar.update(len(chunk))
        for i in todo:
            results[i] = done[sentences[i]]
        return [list(r) for r in results]

    def _open_cache(self) -> ParaphraseCache | None:
        """The paraphrase cache; one that cannot be opened (a read-only home) is skipped with a warning."""
        try:
            return ParaphraseCache(self.backend_id, root=self.cache_root)
        except CacheError as err:
            warnings.warn(f"{err}; paraphrasing without it", stacklevel=3)
            return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.backend_id!r})"
