"""Pair-consistent rewriting: carry a paraphrase of sent_more over to sent_less.

The two sentences of a CrowS-Pairs pair differ only in the words naming the group; after
paraphrasing sent_more, those words are swapped for sent_less's so the pair stays a minimal pair.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# Apostrophes split (the default rule): group words are matched token by token, so "Jamal's"
# swaps as "Jamal" + "'s". The filters import ``words`` from here too.
from trustkit.paraphrase.rejections import Rejection
from trustkit.text import words


@dataclass(frozen=True)
class GroupSpan:
    """One differing span of a pair: ``more`` words in sent_more stand where ``less`` words stand in sent_less."""

    more: tuple[str, ...]
    less: tuple[str, ...]
    sentence_start: bool


def differing_spans(sent_more: str, sent_less: str) -> list[GroupSpan]:
    """The group-word spans of a pair, from difflib over words.

    An insertion or deletion (a span empty on one side) is widened by the next shared word (the
    previous one at the end of the sentence) so that it has an anchor in both sentences.

    >>> differing_spans("The poor are ignorant.", "The rich are ignorant.")
    [GroupSpan(more=('poor',), less=('rich',), sentence_start=False)]
    """
    a, b = words(sent_more), words(sent_less)
    spans = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i1 == i2 or j1 == j2:
            if i2 < len(a) and j2 < len(b):
                i2, j2 = i2 + 1, j2 + 1
            elif i1 > 0 and j1 > 0:
                i1, j1 = i1 - 1, j1 - 1
        spans.append(GroupSpan(tuple(a[i1:i2]), tuple(b[j1:j2]), sentence_start=i1 == 0))
    return spans


def span_pattern(tokens: tuple[str, ...]) -> re.Pattern:
    """A case-insensitive whole-word regex for a token sequence (any spacing between tokens)."""
    body = r"\s*".join(re.escape(t) for t in tokens)
    left = r"(?<!\w)" if tokens and re.match(r"\w", tokens[0]) else ""
    right = r"(?!\w)" if tokens and re.search(r"\w$", tokens[-1]) else ""
    return re.compile(left + body + right, re.IGNORECASE)


def _render(tokens: tuple[str, ...], source: str) -> str:
    """Write tokens as they appear in the source sentence (keeps its spacing), else joined by spaces."""
    match = span_pattern(tokens).search(source)
    return match.group(0) if match else " ".join(tokens)


def _with_case(replacement: str, matched: str, sentence_start: bool) -> str:
    if matched.isupper() and len(matched) > 1 and not replacement.isupper():
        return replacement.upper()
    if matched[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    if matched[:1].islower() and sentence_start:
        # Capitalised in sent_less only because it opened the sentence.
        return replacement[:1].lower() + replacement[1:]
    return replacement


def transfer_group_words(
    paraphrase: str, sent_more: str, sent_less: str
) -> tuple[str | None, str | Rejection]:
    """Put sent_less's group words into a paraphrase of sent_more.

    Every occurrence (whole words, case-insensitive) of each sent_more group span is replaced by
    the matching sent_less span, with the matched text's capitalisation. Returns
    ``(paraphrase_of_less, "")`` on success, else ``(None, reason)``: a group span is missing from
    the paraphrase, a span also occurs outside the differing parts of sent_more (so which
    occurrence to swap is ambiguous), one span maps to two replacements, or the paraphrase already
    holds sent_less's group words where sent_more did not. The reason is a
    :class:`~trustkit.paraphrase.rejections.Rejection` whose ``kind`` names which
    (``pair_identical``, ``group_words_conflict``, ``group_words_ambiguous``, ``group_words_lost``,
    ``other_group_words``).

    >>> transfer_group_words("Poor people can't manage their money.",
    ...                      "The poor are ignorant about money.", "The rich are ignorant about money.")
    ("Rich people can't manage their money.", '')
    """
    spans = differing_spans(sent_more, sent_less)
    if not spans:
        return None, Rejection("pair_identical", "the pair's sentences do not differ")
    mapping: dict[str, GroupSpan] = {}
    for span in spans:
        key = " ".join(span.more).lower()
        if key in mapping and mapping[key].less != span.less:
            return None, Rejection(
                "group_words_conflict", f"group words {key!r} map to two different replacements"
            )
        mapping[key] = span
    for key, span in mapping.items():
        pattern = span_pattern(span.more)
        in_source = len(pattern.findall(sent_more))
        in_spans = sum(" ".join(s.more).lower() == key for s in spans)
        if in_source > in_spans:
            return None, Rejection(
                "group_words_ambiguous", f"group words {key!r} also occur outside the differing span"
            )
        if not pattern.search(paraphrase):
            return None, Rejection("group_words_lost", f"group words {_render(span.more, sent_more)!r} lost")
        less_pattern = span_pattern(span.less)
        if len(less_pattern.findall(paraphrase)) > len(less_pattern.findall(sent_more)):
            return None, Rejection(
                "other_group_words",
                f"paraphrase already contains the other group's words {_render(span.less, sent_less)!r}",
            )
    # One pass over all spans (longest first) so a replacement is never replaced again.
    ordered = sorted(mapping.values(), key=lambda s: -len(" ".join(s.more)))
    combined = re.compile(
        "|".join(f"(?P<g{i}>{span_pattern(s.more).pattern})" for i, s in enumerate(ordered)), re.IGNORECASE
    )

    def swap(match: re.Match) -> str:
        span = ordered[int(match.lastgroup[1:])]
        return _with_case(_render(span.less, sent_less), match.group(0), span.sentence_start)

    return combined.sub(swap, paraphrase), ""


def is_minimal_pair_like(para_more: str, para_less: str, sent_more: str, sent_less: str) -> bool:
    """True when the paraphrase pair differs only in the original pair's group words.

    Every differing span of the paraphrase pair must be one of the original pair's (sent_more
    words, sent_less words) spans, compared case-insensitively (a sentence-initial capital may
    move); a span may occur more often than in the original when the paraphrase repeats it.

    >>> is_minimal_pair_like("Rich people lie.", "Poor people lie.", "The rich lie.", "The poor lie.")
    True
    """

    def key(spans):
        return {(" ".join(s.more).lower(), " ".join(s.less).lower()) for s in spans}

    found = key(differing_spans(para_more, para_less))
    return bool(found) and found <= key(differing_spans(sent_more, sent_less))
