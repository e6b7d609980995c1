"""Which pairs of a pair table have a known problem, and why: one flag per pair, with its reasons.

The form checks of ``pair_audit`` (Blodgett et al. 2021) and the CrowS-Pairs revisions (Névéol et al. 2022,
Pikuliak et al. 2023), each with every pair id it touches; the report and the explorer mark these pairs.
"""

from __future__ import annotations

import warnings

import pandas as pd

__all__ = ["REVISIONS", "flag_column", "flag_reasons", "pair_problems"]

#: the later versions of each CrowS-Pairs file, with who made them
REVISIONS = {
    "crows_pairs": (
        ("crows_pairs_revised", "Névéol et al. 2022"),
        ("crows_pairs_pikuliak", "Pikuliak et al. 2023"),
    ),
    "crows_pairs_revised": (("crows_pairs_pikuliak", "Pikuliak et al. 2023"),),
}
_BLODGETT = "Blodgett et al. 2021"


def _problem(source: str, problem: str, flag: str, ids, note: str = "") -> dict:
    return {
        "source": source,
        "problem": problem,
        "flag": flag,
        "pair_ids": None if ids is None else sorted(int(i) for i in ids),
        "note": note,
    }


def _form_problems(pairs: pd.DataFrame) -> list[dict]:
    from trustkit.data.pair_audit import pair_differences

    diffs = pair_differences(pairs)
    key = diffs["sent_more"].str.lower().str.strip() + "\t" + diffs["sent_less"].str.lower().str.strip()
    return [
        _problem(
            _BLODGETT,
            "the two sentences differ in more than one stretch of words (not a minimal pair)",
            "not a minimal pair",
            diffs.loc[~diffs["single_span"], "pair_id"],
            "sometimes legitimate (a gender pair also swaps pronouns): pairs to read, not to discard",
        ),
        _problem(
            _BLODGETT,
            "a punctuation mark differs between the sentences (an editing slip)",
            "punctuation differs",
            diffs.loc[diffs["punctuation_differs"], "pair_id"],
        ),
        _problem(
            _BLODGETT,
            "the same two sentences as an earlier pair (duplicate)",
            "duplicate of an earlier pair",
            diffs.loc[key.duplicated(), "pair_id"],
        ),
    ]


def _revision_problems(pairs: pd.DataFrame, source: str) -> list[dict]:
    from trustkit.data.pair_audit import compare_versions
    from trustkit.data.pairs import PairFileWarning, load_pairs

    out = []
    for revision, who in REVISIONS.get(source, ()):
        try:
            with warnings.catch_warnings():
                # notebook 01 lists the loaders' normalisations
                warnings.simplefilter("ignore", PairFileWarning)
                revised = load_pairs(revision, errors="drop")
        except Exception as err:  # the flags still stand without this comparison; the entry says why
            out.append(_problem(who, f"could not compare with {revision}: {err}", "", None, "unavailable"))
            continue
        changes = compare_versions(pairs, revised)
        ids = pairs.set_index("source_row")["pair_id"]
        for status, text, flag in (
            ("edited", "rewritten", "rewritten"),
            ("relabelled", "given another bias type or direction", "relabelled"),
            ("removed", "removed", "removed"),
        ):
            rows = changes.loc[changes["status"] == status, "source_row"]
            out.append(
                _problem(
                    who,
                    f"{text} by the revision ({revision})",
                    f"{flag} by {who}",
                    ids[ids.index.isin(rows)],
                )
            )
    return out


def pair_problems(pairs: pd.DataFrame, source: str | None = None) -> list[dict]:
    """The known problems of a pair table, each with every pair id it touches.

    Parameters
    ----------
    pairs : ``load_pairs`` columns, at least ``pair_id, sent_more, sent_less``; with ``source_row``
        the later revisions of the CrowS-Pairs versions are compared by original row id.
    source : the registry name of the dataset (default ``pairs.attrs["source"]``).

    Returns
    -------
    A list of ``{source, problem, flag, pair_ids, note}``: ``flag`` is the short reason shown next
    to a flagged pair; ``pair_ids`` is None (and ``note`` "unavailable") when a revision could not
    be loaded.

    Example
    -------
    >>> p = pd.DataFrame({"pair_id": [0, 1], "sent_more": ["Poor people lie.", "He is, lazy."],
    ...                   "sent_less": ["Rich people lie.", "She is lazy."]})
    >>> [(e["flag"], e["pair_ids"]) for e in pair_problems(p, source="my_file")]
    [('not a minimal pair', [1]), ('punctuation differs', [1]), ('duplicate of an earlier pair', [])]
    """
    source = source if source is not None else str(pairs.attrs.get("source", ""))
    return _form_problems(pairs) + (
        _revision_problems(pairs, source) if "source_row" in pairs.columns else []
    )


def flag_reasons(problems: list[dict]) -> dict[int, str]:
    """Each flagged pair id with its reasons joined by "; " (pairs without a problem are absent).

    Parameters
    ----------
    problems : :func:`pair_problems`' list.

    Example
    -------
    >>> p = pd.DataFrame({"pair_id": [0, 1], "sent_more": ["Poor people lie.", "He is, lazy."],
    ...                   "sent_less": ["Rich people lie.", "She is lazy."]})
    >>> flag_reasons(pair_problems(p))
    {1: 'not a minimal pair; punctuation differs'}
    """
    reasons: dict[int, list[str]] = {}
    for entry in problems:
        for pair_id in entry["pair_ids"] or ():
            if entry["flag"] not in reasons.setdefault(pair_id, []):
                reasons[pair_id].append(entry["flag"])
    return {pair_id: "; ".join(reasons[pair_id]) for pair_id in sorted(reasons)}


def flag_column(pair_ids, problems: list[dict]) -> list[str]:
    """The ``flag`` column of a table with these pair ids: each pair's reasons, "" where none.

    Example
    -------
    >>> p = pd.DataFrame({"pair_id": [0, 1], "sent_more": ["Poor people lie.", "He is, lazy."],
    ...                   "sent_less": ["Rich people lie.", "She is lazy."]})
    >>> flag_column(p["pair_id"], pair_problems(p))
    ['', 'not a minimal pair; punctuation differs']
    """
    reasons = flag_reasons(problems)
    return [reasons.get(pair_id, "") for pair_id in pair_ids]
