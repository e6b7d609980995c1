"""The dataset's known problems as the report lists them: how many of the scored pairs each one touches.

The problems themselves and the pairs they touch are ``trustkit.data.pair_flags``' (Blodgett et al. 2021's form
checks, the revisions of Névéol et al. 2022 and Pikuliak et al. 2023); this module counts and truncates them.
"""

from __future__ import annotations

import pandas as pd

from trustkit.data.pair_flags import REVISIONS, pair_problems

__all__ = ["REVISIONS", "known_problems"]

_SHOWN_IDS = 20


def known_problems(pairs: pd.DataFrame, source: str | None = None, *, problems=None) -> list[dict]:
    """The dataset's known problems, each with the scored pairs it touches.

    Parameters
    ----------
    pairs : the scored pairs (``load_pairs`` columns, at least ``pair_id, sent_more, sent_less``;
        ``source_row`` for the comparison with revisions).
    source : the registry name of the dataset (default ``pairs.attrs["source"]``); for the
        CrowS-Pairs versions the later revisions are compared by original row id.
    problems : :func:`trustkit.data.pair_flags.pair_problems` of these pairs, when already computed.

    Returns
    -------
    A list of ``{source, problem, pairs_touched, share, pair_ids, note}`` (share in % of the
    scored pairs, the first 20 pair ids): the form checks that Blodgett et al. (2021) motivate,
    then per revision the pairs it rewrote, relabelled or removed. Most of Blodgett et al.'s
    problems (is this a stereotype? are these the contrasted groups?) need a human reader; the
    revisions are the record of those readings.

    Example
    -------
    >>> p = pd.DataFrame({"pair_id": [0, 1], "sent_more": ["Poor people lie.", "He is, lazy."],
    ...                   "sent_less": ["Rich people lie.", "She is lazy."], "source_row": ["0", "1"]})
    >>> [e["pairs_touched"] for e in known_problems(p, source="my_file")]
    [1, 1, 0]
    """
    if problems is None:
        problems = pair_problems(pairs, source)
    n = len(pairs)
    out = []
    for entry in problems:
        ids = entry["pair_ids"]
        out.append(
            {
                "source": entry["source"],
                "problem": entry["problem"],
                "pairs_touched": None if ids is None else len(ids),
                "share": None if ids is None or not n else 100.0 * len(ids) / n,
                "pair_ids": [] if ids is None else ids[:_SHOWN_IDS],
                "note": entry["note"],
            }
        )
    return out
