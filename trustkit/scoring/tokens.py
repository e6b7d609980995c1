"""Per-token output of a scored item: one record per token, for plots and inspection."""

from __future__ import annotations

import math


def token_records(tokenizer, entries) -> list[dict]:
    """One record per token of each ``(item, role, ItemScore, slot)`` entry.

    Fields: ``item``, ``role``, ``position``, ``token_id``, ``token``, ``log_prob`` (NaN where
    not computed), ``scored`` (whether it counts in the sentence score), and ``attention``
    where the result has weights (``aula``).

    Example
    -------
    >>> from trustkit.models import bert_uncased_tokenizer
    >>> from trustkit.scoring.results import ItemScore
    >>> v = ItemScore([-1.5], [[101, 2002, 102]], [[None, -1.5, None]], [[1]])
    >>> [r["token"] for r in token_records(bert_uncased_tokenizer(), [(0, "sentence", v, 0)])]
    ['[CLS]', 'he', '[SEP]']
    """
    records = []
    for item, role, v, slot in entries:
        ids = v.token_ids[slot]
        tokens = tokenizer.convert_ids_to_tokens(ids)
        counted = set(v.counted[slot])
        for pos, (tid, tok) in enumerate(zip(ids, tokens)):
            lp = v.log_probs[slot][pos]
            rec = {
                "item": item,
                "role": role,
                "position": pos,
                "token_id": tid,
                "token": tok,
                "log_prob": math.nan if lp is None else lp,
                "scored": pos in counted,
            }
            if v.weights is not None:
                w = v.weights[slot][pos]
                rec["attention"] = math.nan if w is None else w
            records.append(rec)
    return records
