"""Input checking and tokenisation shared by every scorer (the base of :class:`~trustkit.scoring.Scorer`).

Which sentences can be scored (empty, too long), which metric and pair columns a call accepts, and
one tokenizer call per sentence within a public call; ``trustkit.scoring.scorer`` builds the
``score_*`` API on top.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from typing import Any

import pandas as pd

from trustkit.errors import InputError
from trustkit.scoring.checks import DROP_FLAG, check_pair_rows, row_names

UNBOUNDED = 10**6  # tokenizers report ~1e30 when they know no maximum length


def _tokenising_once(method):
    """Within one public call, validation and planning share each sentence's tokenisation."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        outer = self._memo is None
        if outer:
            self._memo = {}
        try:
            return method(self, *args, **kwargs)
        finally:
            if outer:
                self._memo = None

    return wrapper


class ScorerInputs:
    """What a scorer checks and tokenises before it scores; :class:`~trustkit.scoring.Scorer` fills the fields."""

    kind: str
    sentence_metrics: tuple[str, ...]
    pair_metrics: tuple[str, ...]
    model: Any
    tokenizer: Any
    truncate: bool
    max_length: int
    timings: dict[str, float]
    _memo: dict | None
    provenance: dict | None
    progress_label: str

    def _encode_many(self, sentences: list[str]) -> list[list[int]]:  # pragma: no cover - abstract
        """Token ids of each sentence as the model sees it, before any truncation."""
        raise NotImplementedError

    def _truncated_many(self, sentences: list[str]) -> list[list[int]]:  # pragma: no cover - abstract
        """Token ids of each sentence as scored (cut to the maximum with ``truncate``)."""
        raise NotImplementedError

    def _encoded(self, sentences: Sequence[str], *, special: bool, cut: bool = False) -> list[tuple]:
        """``(ids, special_tokens_mask, word_ids or None)`` per sentence, from one tokenizer call.

        Within one public call each sentence is tokenised once (validation and
        planning share it). ``cut``: truncated to the model's maximum.
        """
        memo = self._memo if self._memo is not None else {}
        todo = [x for x in dict.fromkeys(sentences) if (special, cut, x) not in memo]
        if todo:
            start = time.perf_counter()
            kwargs = dict(truncation=True, max_length=self.max_length) if cut else {}
            enc = self.tokenizer(todo, add_special_tokens=special, return_special_tokens_mask=True, **kwargs)
            fast = enc.is_fast
            for n, (x, ids, mask) in enumerate(zip(todo, enc["input_ids"], enc["special_tokens_mask"])):
                memo[(special, cut, x)] = (ids, mask, enc.word_ids(n) if fast else None)
            self.timings["tokenise"] = self.timings.get("tokenise", 0.0) + time.perf_counter() - start
        return [memo[(special, cut, x)] for x in sentences]

    def _max_length(self) -> int:
        config = self.model.config
        limit = getattr(config, "max_position_embeddings", None) or UNBOUNDED
        if config.model_type in ("roberta", "xlm-roberta", "camembert", "data2vec-text"):
            limit -= (config.pad_token_id or 0) + 1  # positions start after the padding index
        tok_limit = getattr(self.tokenizer, "model_max_length", UNBOUNDED) or UNBOUNDED
        return int(min(limit, tok_limit if tok_limit < UNBOUNDED else UNBOUNDED))

    def problem(self, sentence) -> str | None:
        """Why a sentence cannot be scored (empty, too long), or None when it can."""
        return self.problems([sentence])[0]

    def problems(self, sentences: Sequence) -> list[str | None]:
        """:meth:`problem` for many sentences, with one call of the tokenizer."""
        empty = [not isinstance(s, str) or not s.strip() for s in sentences]
        ids = iter(self._encode_many([s for s, e in zip(sentences, empty) if not e]))
        out: list[str | None] = []
        for e in empty:
            n = 0 if e else len(next(ids))
            if e:
                out.append("the sentence is empty")
            elif n > self.max_length and not self.truncate:
                out.append(
                    f"the sentence has {n} tokens, more than the model's maximum of "
                    f"{self.max_length}; shorten it or pass truncate=True (CLI: --truncate)"
                )
            else:
                out.append(None)
        return out

    def _check_metric(self, metric: str, allowed: Sequence[str]) -> None:
        if metric not in allowed:
            raise InputError(
                f"metric {metric!r} is not available for a {self.kind} LM here; "
                f"choose one of {', '.join(allowed)}"
            )

    def _checked_sentences(self, sentences, metric: str) -> list[str]:
        self._check_metric(metric, self.sentence_metrics)
        sentences = list(sentences)
        refused = [
            f"sentence {k} ({str(s)[:60]!r}): {why}"
            for k, (s, why) in enumerate(zip(sentences, self.problems(sentences)))
            if why
        ]
        if refused:
            raise InputError("\n".join(refused))
        return sentences

    def _checked_pairs(
        self, pairs: pd.DataFrame, metric: str, *, drop_indistinguishable: bool = False
    ) -> tuple[pd.DataFrame, list]:
        """Validate a pair table; return the rows to score and their names (``FILE:LINE`` or pair_id).

        Rows whose two sentences tokenise to the same ids are refused, or with
        ``drop_indistinguishable`` left out (see :func:`~trustkit.scoring.checks.check_pair_rows`).
        """
        self._check_metric(metric, self.sentence_metrics + self.pair_metrics)
        missing = {"sent_more", "sent_less"} - set(pairs.columns)
        if metric in self.pair_metrics:
            missing |= {"direction"} - set(pairs.columns)
        if missing:
            raise InputError(
                f"the pair table lacks column(s) {sorted(missing)}; it needs "
                "sent_more, sent_less (and direction for pair metrics)"
            )
        dropped = check_pair_rows(self, pairs, drop_indistinguishable=drop_indistinguishable)
        if dropped:
            attrs = dict(pairs.attrs)
            names = row_names(pairs)
            pairs = pairs.drop(index=pairs.index[dropped])
            pairs.attrs = {**attrs, DROP_FLAG: [names[k] for k in dropped]}
        return pairs, row_names(pairs)

    def model_label(self) -> str:
        """The model's short name for progress bars: the last part of its id or path, else its kind.

        >>> ScorerInputs.model_label(type("S", (), {"provenance": {"model_id": "/m/bert-tiny"}, "kind": "masked"})())
        'bert-tiny'
        """
        name = (self.provenance or {}).get("model_id") or ""
        return str(name).rstrip("/").rsplit("/", 1)[-1] or f"{self.kind} LM"

    def _pairs_label(self, pairs: pd.DataFrame) -> str:
        """The bar label of a pair table: the one set by :meth:`labelled`, else model · dataset."""
        if self.progress_label:
            return self.progress_label
        source = str(getattr(pairs, "attrs", {}).get("source") or "")
        return " · ".join(filter(None, [self.model_label(), source.rstrip("/").rsplit("/", 1)[-1]]))
