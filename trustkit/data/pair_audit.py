"""Audits of CrowS-Pairs-style data: whether each pair is minimal, and what a revision changed.

Supports notebook 01 (``from trustkit.data import pair_audit``): the problems Blodgett et al.
(2021) raised (pairs that differ in more than the group words, duplicates, identical sentences)
and the fixes of Névéol et al. (2022) / Pikuliak et al. (2023).
"""

from __future__ import annotations

import difflib
import warnings

import pandas as pd

from trustkit.data.pairs import PairFileWarning, load_pairs
from trustkit.text import words


def load_versions(names, errors: str = "drop") -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Load several pair datasets; report what their loaders normalised or dropped as a table.

    :func:`trustkit.data.load_pairs` says each normalised label and dropped row in a
    ``PairFileWarning`` and records them in ``attrs["normalised"]`` and ``attrs["dropped"]``; a
    notebook shows these better as one table than as warning text.

    Returns
    -------
    ``({name: pair table}, changes)`` where ``changes`` has one row per normalisation or dropped
    row: ``version, file, change, rows, lines``. Other warnings pass through unchanged.

    Example
    -------
    >>> pairs, changes = load_versions(["crows_pairs_revised"])
    >>> changes.change.iloc[0]
    "bias_type 'autre' read as 'other'"
    """
    pairs, rows = {}, []
    for name in names:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pairs[name] = load_pairs(name, errors=errors)
        for w in caught:
            if not issubclass(w.category, PairFileWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        rows += [{"version": name, **n} for n in pairs[name].attrs["normalised"]]
        rows += [
            {
                "version": name,
                "file": d["file"],
                "change": f"row dropped: {d['reason']}",
                "rows": 1,
                "lines": str(d["line"]),
            }
            for d in pairs[name].attrs["dropped"]
        ]
    return pairs, pd.DataFrame(rows, columns=["version", "file", "change", "rows", "lines"])


def pair_differences(pairs: pd.DataFrame) -> pd.DataFrame:
    """Describe how the two sentences of each pair differ, word by word (difflib alignment).

    A CrowS-Pairs pair is meant to be *minimal*: the sentences differ only in the words naming the
    group. Blodgett et al. (2021) found many that differ elsewhere too; such pairs measure more
    than the group swap.

    Parameters
    ----------
    pairs : a table from :func:`trustkit.data.load_pairs` (``pair_id, sent_more, sent_less, ...``).

    Returns
    -------
    The input columns plus ``words_more`` / ``words_less`` (the differing words of each sentence,
    joined by spaces), ``n_spans`` (number of differing stretches), ``n_changed`` (differing words,
    the longer side), ``identical`` (no difference at all), ``single_span`` (exactly one differing
    stretch of at most three words each side: the plain group swap) and ``punctuation_differs``
    (a punctuation mark differs: an editing slip, not a group word). Several spans can be legitimate
    (gender pairs also swap pronouns), so they flag pairs to read, not pairs to discard.

    Example
    -------
    >>> df = pd.DataFrame({"pair_id": [0], "sent_more": ["Poor people lie."], "sent_less": ["Rich people lie."]})
    >>> pair_differences(df)[["words_more", "words_less", "single_span"]].values.tolist()
    [['poor', 'rich', True]]
    """
    rows = []
    for more, less in zip(pairs["sent_more"], pairs["sent_less"], strict=True):
        # Apostrophes joined: a changed possessive or contraction is one changed word.
        a, b = words(more, apostrophes="joined", lower=True), words(less, apostrophes="joined", lower=True)
        ops = [
            op for op in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes() if op[0] != "equal"
        ]
        diff_more = [w for _, i1, i2, _, _ in ops for w in a[i1:i2]]
        diff_less = [w for _, _, _, j1, j2 in ops for w in b[j1:j2]]
        widest = max((max(i2 - i1, j2 - j1) for _, i1, i2, j1, j2 in ops), default=0)
        rows.append(
            {
                "words_more": " ".join(diff_more),
                "words_less": " ".join(diff_less),
                "n_spans": len(ops),
                "n_changed": max(len(diff_more), len(diff_less)),
                "identical": not ops,
                "single_span": len(ops) == 1 and widest <= 3,
                "punctuation_differs": any(not w[0].isalnum() for w in diff_more + diff_less),
            }
        )
    return pd.concat([pairs.reset_index(drop=True), pd.DataFrame(rows)], axis=1)


def audit_summary(pairs_by_version: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Count the automatically detectable data problems of each dataset version.

    Parameters
    ----------
    pairs_by_version : ``{version name: load_pairs table}``.

    Returns
    -------
    One row per version: ``pairs``, ``stereo``, ``antistereo``, ``bias_types``, ``identical``
    (sent_more equals sent_less), ``duplicate_pairs`` (same two sentences as an earlier pair),
    ``several_spans`` (and its share: pairs that differ in more than one stretch of words),
    ``punctuation_differs`` and the median number of changed words.

    Example
    -------
    >>> from trustkit.data.pairs import load_pairs
    >>> audit = audit_summary({"crows_pairs": load_pairs("crows_pairs")})
    >>> audit.loc["crows_pairs", ["pairs", "stereo", "antistereo", "identical", "several_spans"]].tolist()
    [1508, 1290, 218, 0, 248]
    """
    rows = []
    for version, pairs in pairs_by_version.items():
        diffs = pair_differences(pairs)
        key = diffs["sent_more"].str.lower().str.strip() + "\t" + diffs["sent_less"].str.lower().str.strip()
        rows.append(
            {
                "version": version,
                "pairs": len(diffs),
                "stereo": int((diffs["direction"] == "stereo").sum()),
                "antistereo": int((diffs["direction"] == "antistereo").sum()),
                "bias_types": diffs["bias_type"].nunique(),
                "identical": int(diffs["identical"].sum()),
                "duplicate_pairs": int(key.duplicated().sum()),
                "several_spans": int((~diffs["single_span"]).sum()),
                "several_spans_share": round(float((~diffs["single_span"]).mean()), 3),
                "punctuation_differs": int(diffs["punctuation_differs"].sum()),
                "median_changed_words": float(diffs["n_changed"].median()),
            }
        )
    return pd.DataFrame(rows).set_index("version")


def category_counts(pairs_by_version: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Count pairs per version, bias type and direction (a long table for plotting).

    >>> category_counts({"v": pd.DataFrame({"bias_type": ["age"], "direction": ["stereo"]})}).n.tolist()
    [1]
    """
    frames = [
        pairs.groupby(["bias_type", "direction"]).size().rename("n").reset_index().assign(version=version)
        for version, pairs in pairs_by_version.items()
    ]
    return pd.concat(frames, ignore_index=True)[["version", "bias_type", "direction", "n"]]


def compare_versions(original: pd.DataFrame, revised: pd.DataFrame) -> pd.DataFrame:
    """Align two versions of CrowS-Pairs by ``source_row`` and say what the revision did to each pair.

    Parameters
    ----------
    original, revised : ``load_pairs`` tables whose ``source_row`` is the original row id (the
        revisions keep it; new pairs have ids of their own, e.g. Névéol et al.'s ``LA0``).

    Returns
    -------
    One row per source_row of either version: ``status`` (``unchanged``, ``edited`` — either
    sentence rewritten —, ``relabelled`` — same sentences, new bias type or direction —,
    ``removed``, ``added``), ``bias_type`` (the revised one where it exists), and the sentences
    before and after (``sent_more_before``, ``sent_less_before``, ``sent_more_after``,
    ``sent_less_after``, ``bias_type_before``, ``direction_before``, ``direction_after``).

    Example
    -------
    >>> pairs, _ = load_versions(["crows_pairs", "crows_pairs_revised"])
    >>> compare_versions(pairs["crows_pairs"], pairs["crows_pairs_revised"]).status.value_counts().to_dict()
    {'unchanged': 1315, 'added': 210, 'edited': 150, 'removed': 41, 'relabelled': 2}
    """
    cols = ["source_row", "sent_more", "sent_less", "bias_type", "direction"]
    merged = original[cols].merge(
        revised[cols], on="source_row", how="outer", suffixes=("_before", "_after"), indicator=True
    )

    def status(row) -> str:
        if row["_merge"] == "left_only":
            return "removed"
        if row["_merge"] == "right_only":
            return "added"
        if (row["sent_more_before"], row["sent_less_before"]) != (
            row["sent_more_after"],
            row["sent_less_after"],
        ):
            return "edited"
        if (row["bias_type_before"], row["direction_before"]) != (
            row["bias_type_after"],
            row["direction_after"],
        ):
            return "relabelled"
        return "unchanged"

    merged["status"] = merged.apply(status, axis=1)
    merged["bias_type"] = merged["bias_type_after"].fillna(merged["bias_type_before"])
    return merged.drop(columns="_merge")[
        [
            "source_row",
            "status",
            "bias_type",
            *[
                f"{c}_{w}"
                for w in ("before", "after")
                for c in ("sent_more", "sent_less", "bias_type", "direction")
            ],
        ]
    ]


REVISION_STATUSES = ("edited", "relabelled", "removed", "added")


def edited_sentences(changes: pd.DataFrame) -> pd.DataFrame:
    """The edited pairs with the sentence that changed, before and after (not always ``sent_more``).

    Parameters
    ----------
    changes : :func:`compare_versions` output (any rows; only ``edited`` ones are kept).

    Returns
    -------
    ``source_row, bias_type, changed`` (``sent_more``, ``sent_less`` or ``both``), ``before``,
    ``after`` (the changed sentence; ``sent_more`` when both changed); ``revision`` first when
    ``changes`` has it.

    Example
    -------
    >>> changes = pd.DataFrame({"source_row": [1, 2], "status": "edited", "bias_type": "age",
    ...     "sent_more_before": ["Old men nap.", "A"], "sent_more_after": ["Old men nap.", "B"],
    ...     "sent_less_before": ["Young men nap.", "C"], "sent_less_after": ["Young men sleep.", "C"]})
    >>> edited_sentences(changes)[["changed", "before", "after"]].values.tolist()
    [['sent_less', 'Young men nap.', 'Young men sleep.'], ['sent_more', 'A', 'B']]
    """
    edited = changes[changes["status"] == "edited"]
    more = edited["sent_more_before"] != edited["sent_more_after"]
    less = edited["sent_less_before"] != edited["sent_less_after"]
    changed = (
        pd.Series("sent_more", index=edited.index)
        .where(~less | more, "sent_less")
        .where(~(more & less), "both")
    )
    pick_less = changed == "sent_less"
    out = pd.DataFrame(
        {
            "source_row": edited["source_row"],
            "bias_type": edited["bias_type"],
            "changed": changed,
            "before": edited["sent_less_before"].where(pick_less, edited["sent_more_before"]),
            "after": edited["sent_less_after"].where(pick_less, edited["sent_more_after"]),
        }
    )
    if "revision" in edited.columns:
        out.insert(0, "revision", edited["revision"])
    return out.reset_index(drop=True)


def revision_counts(changes: pd.DataFrame) -> pd.DataFrame:
    """Count changed pairs per revision and bias type, with the same rows and columns for every revision.

    Parameters
    ----------
    changes : :func:`compare_versions` tables stacked with a ``revision`` column.

    Returns
    -------
    A table indexed by (revision, bias_type) with one column per status in ``REVISION_STATUSES``
    (unchanged pairs are left out), zeros where nothing changed — ready for a stacked bar chart.

    Example
    -------
    >>> changes = pd.DataFrame({"revision": ["r"], "bias_type": ["age"], "status": ["removed"]})
    >>> revision_counts(changes).loc[("r", "age")].tolist()
    [0, 0, 1, 0]
    """
    full = pd.MultiIndex.from_product(
        [changes["revision"].unique(), sorted(changes["bias_type"].unique())], names=["revision", "bias_type"]
    )
    counts = pd.crosstab([changes["revision"], changes["bias_type"]], changes["status"])
    return counts.reindex(index=full, columns=list(REVISION_STATUSES), fill_value=0)


def audit_finding(audit: pd.DataFrame, changes: pd.DataFrame) -> str:
    """Markdown sentences stating what the audit and the revision comparison found, with the counts.

    Parameters
    ----------
    audit : :func:`audit_summary`'s table, one row per version (the first is the original).
    changes : :func:`compare_versions` rows with a ``revision`` column naming the revised version.

    Returns
    -------
    str
        One bullet per version (pairs, antistereo share, pairs that differ in several stretches,
        punctuation slips, duplicates) and one per revision (counts per status).

    Examples
    --------
    >>> audit = pd.DataFrame({"pairs": [10], "stereo": [9], "antistereo": [1], "several_spans": [3],
    ...                       "punctuation_differs": [1], "duplicate_pairs": [0], "identical": [0]},
    ...                      index=pd.Index(["orig"], name="version"))
    >>> changes = pd.DataFrame({"revision": ["rev"] * 3, "status": ["unchanged", "edited", "removed"]})
    >>> print(audit_finding(audit, changes))  # doctest: +NORMALIZE_WHITESPACE
    * orig: 10 pairs, 1 (10.0%) antistereo; 3 (30.0%) differ in more than one stretch of words
      (pairs to read, not errors by themselves), 1 with differing punctuation, 0 duplicated, 0 identical.
    * rev against orig: of 3 aligned rows, 1 edited, 0 relabelled, 1 removed, 0 added.
    """

    def share(k, n: int) -> str:
        return f"{int(k):,} ({100 * int(k) / n:.1f}%)" if n else f"{int(k):,}"

    lines = []
    for version, row in audit.iterrows():
        n = int(row["pairs"])
        lines.append(
            f"* {version}: {n:,} pairs, {share(row['antistereo'], n)} antistereo; "
            f"{share(row['several_spans'], n)} differ in more than one stretch of words (pairs to read, "
            f"not errors by themselves), {int(row['punctuation_differs']):,} with differing punctuation, "
            f"{int(row['duplicate_pairs']):,} duplicated, {int(row['identical']):,} identical."
        )
    original = audit.index[0] if len(audit) else "the original"
    for revision, rows in changes.groupby("revision", sort=False):
        counts = rows["status"].value_counts()
        parts = ", ".join(f"{int(counts.get(s, 0)):,} {s}" for s in REVISION_STATUSES)
        lines.append(f"* {revision} against {original}: of {len(rows):,} aligned rows, {parts}.")
    return "\n".join(lines)
