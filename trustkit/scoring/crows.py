"""The CrowS-Pairs score of Nangia et al. (2020), following the algorithm of nyu-mll's metric.py.

Alignment of the two sentences of a pair and metric.py's sentence order; the aggregates (metric
score, stereo %, antistereo %, ties) live in ``trustkit.metrics.crows_pairs_score``.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from trustkit.errors import InputError


def shared_spans(ids1: Sequence[int], ids2: Sequence[int]) -> tuple[list[int], list[int]]:
    """Positions of the tokens the two sequences share (difflib ``equal`` blocks over token ids).

    Parameters
    ----------
    ids1, ids2 : sequence of int
        Token ids of the two sentences, special tokens included.

    Returns
    -------
    (template1, template2) : lists of int
        Aligned positions in ``ids1`` and ``ids2``; ``template1[i]`` pairs with ``template2[i]``.

    Example
    -------
    >>> shared_spans([101, 5, 6, 7, 102], [101, 5, 9, 7, 102])
    ([0, 1, 3, 4], [0, 1, 3, 4])
    """
    # metric.py compares the ids as strings; difflib's result is the same for equal-by-value items.
    matcher = difflib.SequenceMatcher(None, [str(x) for x in ids1], [str(x) for x in ids2])
    template1: list[int] = []
    template2: list[int] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            template1.extend(range(a0, a1))
            template2.extend(range(b0, b1))
    return template1, template2


def crows_template(ids1: Sequence[int], ids2: Sequence[int]) -> tuple[list[int], list[int]]:
    """Shared positions that metric.py masks: the template without its first and last entries.

    metric.py skips ``template[0]`` and ``template[-1]`` (the [CLS]/[SEP] it expects there);
    it does so by template index, not by sequence position, and so do we.

    Example
    -------
    >>> crows_template([101, 5, 6, 7, 102], [101, 5, 9, 7, 102])
    ([1, 3], [1, 3])
    """
    t1, t2 = shared_spans(ids1, ids2)
    return t1[1:-1], t2[1:-1]


def metric_order(sent_more: str, sent_less: str, direction: str) -> tuple[str, str]:
    """metric.py's (sent1, sent2): the stereotyping sentence first.

    For ``stereo`` pairs that is ``sent_more``; for ``antistereo`` pairs ``sent_less``. The order
    matters because difflib's alignment is not symmetric in its two inputs.

    Example
    -------
    >>> metric_order("A", "B", "antistereo")
    ('B', 'A')
    """
    if direction not in ("stereo", "antistereo"):
        raise InputError(f"direction must be 'stereo' or 'antistereo', got {direction!r}")
    return (sent_more, sent_less) if direction == "stereo" else (sent_less, sent_more)
