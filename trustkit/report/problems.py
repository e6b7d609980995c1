"""The dataset's known problems and how many of the scored pairs each one touches.

Blodgett et al. (2021) on CrowS-Pairs' validity (the form checks of ``trustkit.data.pair_audit``), and the
pairs that the revisions of Névéol et al. (2022) and Pikuliak et al. (2023) edited, relabelled or removed.
"""

from __future__ import annotations

import warnings

import pandas as pd

__all__ = ["REVISIONS", "known_problems"]

#: the later versions of each CrowS-Pairs file, with who made them
REVISIONS = {
    "crows_pairs": (
        ("crows_pairs_revised", "Névéol et al. 2022"),
        ("crows_pairs_pikuliak", "Pikuliak et al. 2023"),
    ),
    "crows_pairs_revised": (("crows_pairs_pikuliak", "Pikuliak et al. 2023"),),
}
_BLODGETT = "Blodgett et al. 2021"
_SHOWN_IDS = 20


def _entry(source: str, problem: str, ids, n_scored: int, note: str = "") -> dict:
    ids = sorted(int(i) for i in ids)
    return {
        "source": source,
        "problem": problem,
        "pairs_touched": len(ids),
        "share": 100.0 * len(ids) / n_scored if n_scored else None,
        "pair_ids": ids[:_SHOWN_IDS],
        "note": note,
    }


def _form_problems(pairs: pd.DataFrame) -> list[dict]:
    from trustkit.data.pair_audit import pair_differences

    diffs = pair_differences(pairs)
    key = diffs["sent_more"].str.lower().str.strip() + "\t" + diffs["sent_less"].str.lower().str.strip()
    n = len(diffs)
    return [
        _entry(
            _BLODGETT,
            "the two sentences differ in more than one stretch of words (not a minimal pair)",
            diffs.loc[~diffs["single_span"], "pair_id"],
            n,
            "sometimes legitimate (a gender pair also swaps pronouns): pairs to read, not to discard",
        ),
        _entry(
            _BLODGETT,
            "a punctuation mark differs between the sentences (an editing slip)",
            diffs.loc[diffs["punctuation_differs"], "pair_id"],
            n,
        ),
        _entry(
            _BLODGETT,
            "the same two sentences as an earlier pair (duplicate)",
            diffs.loc[key.duplicated(), "pair_id"],
            n,
        ),
    ]


def _revision_problems(pairs: pd.DataFrame, source: str) -> list[dict]:
    from trustkit.data import PairFileWarning, load_pairs
    from trustkit.data.pair_audit import compare_versions

    out = []
    for revision, who in REVISIONS.get(source, ()):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter(
                    "ignore", PairFileWarning
                )  # notebook 01 lists the loaders' normalisations
                revised = load_pairs(revision, errors="drop")
        except Exception as err:  # the report still stands without this comparison; it says why
            out.append(
                {
                    "source": who,
                    "problem": f"could not compare with {revision}: {err}",
                    "pairs_touched": None,
                    "share": None,
                    "pair_ids": [],
                    "note": "unavailable",
                }
            )
            continue
        changes = compare_versions(pairs, revised)
        ids = pairs.set_index("source_row")["pair_id"]
        for status, text in (
            ("edited", "rewritten"),
            ("relabelled", "given another bias type or direction"),
            ("removed", "removed"),
        ):
            rows = changes.loc[changes["status"] == status, "source_row"]
            out.append(
                _entry(who, f"{text} by the revision ({revision})", ids[ids.index.isin(rows)], len(pairs))
            )
    return out


def known_problems(pairs: pd.DataFrame, source: str | None = None) -> list[dict]:
    """The dataset's known problems, each with the scored pairs it touches.

    Parameters
    ----------
    pairs : the scored pairs (``load_pairs`` columns, at least ``pair_id, sent_more, sent_less``;
        ``source_row`` for the comparison with revisions).
    source : the registry name of the dataset (default ``pairs.attrs["source"]``); for the
        CrowS-Pairs versions the later revisions are compared by original row id.

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
    source = source if source is not None else str(pairs.attrs.get("source", ""))
    return _form_problems(pairs) + (
        _revision_problems(pairs, source) if "source_row" in pairs.columns else []
    )
