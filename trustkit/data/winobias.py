"""WinoBias (Zhao et al. 2018) as one tidy table: pro/anti x type 1/2 x dev/test.

Each plain-text line is "<n> sentence" with [brackets] around the gold entity and its pronoun(s).
"""

from __future__ import annotations

import re

import pandas as pd

from trustkit.data.fetching import fetch
from trustkit.errors import InputError

WINOBIAS_COLUMNS = [
    "stereotype",
    "type",
    "split",
    "item",
    "sentence",
    "entity",
    "occupation",
    "pronoun",
    "pronoun_gender",
    "n_mentions",
    "raw",
]
"""Schema of ``load_winobias``: stereotype ("pro"|"anti"), type (1|2), split ("dev"|"test"),
item (the file's own line number), sentence (brackets removed), entity (first bracketed span),
occupation (the entity lower-cased without its article, e.g. "developer"), pronoun (second
span), pronoun_gender ("female"|"male"), n_mentions (bracketed spans: 2, or 3 when a
possessive is also marked), raw (the line as published)."""

_MENTION = re.compile(r"\[([^\]]*)\]")
_PRONOUN_GENDER = {
    "he": "male",
    "him": "male",
    "his": "male",
    "she": "female",
    "her": "female",
    "hers": "female",
}
_FILE = re.compile(r"(pro|anti)_stereotyped_type([12])\.txt\.(dev|test)")


def _parse_line(line: str, where: str) -> dict:
    number, _, text = line.partition(" ")
    mentions = _MENTION.findall(text)
    if not number.isdigit() or len(mentions) < 2:
        raise InputError(f"{where}: expected '<n> sentence' with two [bracketed] mentions, got {line!r}")
    pronoun = mentions[1]
    return {
        "item": int(number),
        "sentence": _MENTION.sub(r"\1", text),
        "entity": mentions[0],
        "occupation": re.sub(r"^(the|a|an)\s+", "", mentions[0].strip().lower()),
        "pronoun": pronoun,
        "pronoun_gender": _PRONOUN_GENDER.get(pronoun.lower(), "unknown"),
        "n_mentions": len(mentions),
        "raw": text,
    }


def load_winobias(
    stereotype: str | None = None, sentence_type: int | None = None, split: str | None = None
) -> pd.DataFrame:
    """Load WinoBias sentences, optionally one stereotype/type/split only.

    Parameters
    ----------
    stereotype : ``"pro"`` or ``"anti"`` (None: both).
    sentence_type : 1 (semantic cues only) or 2 (syntactic cues) (None: both); the ``type`` column.
    split : ``"dev"`` or ``"test"`` (None: both).

    Returns
    -------
    DataFrame with columns ``WINOBIAS_COLUMNS`` (396 rows per file, 3,168 in all).

    Example
    -------
    >>> wb = load_winobias("pro", 1, "dev")  # doctest: +SKIP
    >>> wb.loc[0, ["sentence", "entity", "pronoun"]].tolist()  # doctest: +SKIP
    ['The developer argued with the designer because he did not like the design.', 'The developer', 'he']
    """
    for value, allowed, label in (
        (stereotype, ("pro", "anti"), "stereotype"),
        (sentence_type, (1, 2), "sentence_type"),
        (split, ("dev", "test"), "split"),
    ):
        if value is not None and value not in allowed:
            raise InputError(f"{label} must be one of {allowed} or None, not {value!r}")
    folder = fetch("winobias")
    rows = []
    for path in sorted(folder.glob("*_stereotyped_type*.txt.*")):
        match = _FILE.fullmatch(path.name)
        if match is None:
            continue
        kind, kind_type, kind_split = match.group(1), int(match.group(2)), match.group(3)
        wanted = zip((stereotype, sentence_type, split), (kind, kind_type, kind_split))
        if any(want is not None and want != have for want, have in wanted):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                parsed = _parse_line(line, f"{path.name}:{number}")
                rows.append({"stereotype": kind, "type": kind_type, "split": kind_split, **parsed})
    table = pd.DataFrame(rows, columns=WINOBIAS_COLUMNS)
    order = {"pro": 0, "anti": 1}
    table = table.sort_values(
        ["split", "type", "stereotype", "item"], key=lambda s: s.map(order) if s.name == "stereotype" else s
    )
    return table.reset_index(drop=True)


def load_winobias_occupations() -> dict[str, list[str]]:
    """Return WinoBias' occupation lists: ``{"male": [...], "female": [...]}``.

    "male"/"female" are the occupations the paper found male- or female-dominated (US labour
    statistics), i.e. the stereotype the pro-stereotyped sentences follow.

    >>> load_winobias_occupations()["female"][:2]  # doctest: +SKIP
    ['attendant', 'cashier']
    """
    return {
        gender: [
            line.strip()
            for line in fetch("winobias", f"{gender}_occupations.txt")
            .read_text(encoding="utf-8")
            .splitlines()
            if line.strip()
        ]
        for gender in ("male", "female")
    }


WINOBIAS_PAIR_COLUMNS = [
    "pair_id",
    "sent_more",
    "sent_less",
    "direction",
    "bias_type",
    "source_row",
    "type",
    "split",
    "item",
    "occupation",
    "pronoun_gender",
    "only_pronoun_differs",
]
"""Schema of ``load_winobias_pairs``: one likelihood pair per (type, split, item): sent_more = the
pro-stereotyped sentence, sent_less = the anti-stereotyped one of the same line number; direction
is always "stereo", bias_type "gender"; source_row "type1.dev:12"; pronoun_gender is that of the
*pro-stereotyped* pronoun (the gender the occupation is stereotyped with); only_pronoun_differs
is False for the few lines where the published files differ beyond the pronoun (upstream typos)."""

_GENDERED = {"he", "him", "his", "himself", "she", "her", "hers", "herself"}


def _only_pronouns_differ(pro: str, anti: str) -> bool:
    a, b = pro.split(), anti.split()
    if len(a) != len(b):
        return False
    diff = [(x, y) for x, y in zip(a, b) if x != y]
    clean = lambda w: w.strip("[].,;:!?").lower()  # noqa: E731
    return bool(diff) and all(clean(x) in _GENDERED and clean(y) in _GENDERED for x, y in diff)


def load_winobias_pairs(sentence_type: int | None = None, split: str | None = None) -> pd.DataFrame:
    """WinoBias as likelihood pairs: each pro-stereotyped sentence against its anti-stereotyped twin.

    The pro and anti files of one type and split hold the same sentences line by line with the
    pronoun's gender swapped, so line n of ``pro_stereotyped_typeT.txt.S`` pairs with line n of
    ``anti_stereotyped_typeT.txt.S``. A pair counts as stereotyped when the pro sentence scores
    higher; score it with any metric (``Scorer.score_pairs``) and report it like CrowS-Pairs
    (``trustkit.stats.winobias_scores``: overall, per type, per split, per pronoun gender).

    Parameters
    ----------
    sentence_type : 1 or 2 (None: both); the ``type`` column.
    split : ``"dev"`` or ``"test"`` (None: both).

    Returns
    -------
    DataFrame with columns ``WINOBIAS_PAIR_COLUMNS`` (396 pairs per type and split, 1,584 in all);
    ``attrs`` carries ``source``, ``sha256`` (of the file hashes, in order) and ``dropped`` (empty).

    Example
    -------
    >>> pairs = load_winobias_pairs(1, "dev")  # doctest: +SKIP
    >>> pairs.loc[0, ["sent_more", "sent_less"]].tolist()  # doctest: +SKIP
    ['The developer argued with the designer because he did not like the design.',
     'The developer argued with the designer because she did not like the design.']
    """
    import hashlib

    from trustkit.data.registry import get_dataset

    sentences = load_winobias(None, sentence_type, split)
    keys = ["type", "split", "item"]
    pro = sentences[sentences["stereotype"] == "pro"].set_index(keys)
    anti = sentences[sentences["stereotype"] == "anti"].set_index(keys)
    if not pro.index.equals(anti.index):
        missing = pro.index.symmetric_difference(anti.index)[:5].tolist()
        raise InputError(
            f"WinoBias pro and anti files do not pair line by line; unmatched (type, split, item): {missing}"
        )
    table = pd.DataFrame(
        {
            "sent_more": pro["sentence"],
            "sent_less": anti["sentence"],
            "direction": "stereo",
            "bias_type": "gender",
            "occupation": pro["occupation"],
            "pronoun_gender": pro["pronoun_gender"],
            "only_pronoun_differs": [_only_pronouns_differ(p, a) for p, a in zip(pro["raw"], anti["raw"])],
        }
    ).reset_index()
    table["source_row"] = [
        f"type{t}.{s}:{i}" for t, s, i in zip(table["type"], table["split"], table["item"])
    ]
    table["pair_id"] = range(len(table))
    table = table[WINOBIAS_PAIR_COLUMNS]
    files = get_dataset("winobias").files
    digest = hashlib.sha256("".join(f.sha256 for f in files).encode()).hexdigest()
    table.attrs.update(source="winobias", sha256=digest, dropped=[], normalised=[])
    return table
