"""The paraphrased-dataset tables: Finspector's long format, the wide pair table, parquet and datasets.

Long table: one row per (pair, paraphrase, sent_more/sent_less); ``para_index`` 0 is the original.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from trustkit.errors import InputError
from trustkit.fileio import atomic_path

LONG_COLUMNS = [
    "bias_type",
    "pair_id",
    "para_index",
    "direction",
    "more_or_less",
    "sentence",
    "backend",
    "seed",
    "mode",
    "similarity",
    "diversity",
    "chrf",
    "minimal_pair",
]
REJECTED_COLUMNS = [
    "pair_id",
    "bias_type",
    "direction",
    "more_or_less",
    "para_candidate",
    "source",
    "candidate",
    "kind",
    "reason",
    "similarity",
    "backend",
    "seed",
    "mode",
]
#: leading columns of :func:`to_pair_table` (the pair schema of ``trustkit.data`` plus ``para_index``)
WORDING_PAIR_COLUMNS = ["pair_id", "para_index", "bias_type", "direction", "sent_more", "sent_less"]


def to_pair_table(long: pd.DataFrame) -> pd.DataFrame:
    """Wide table, one row per (pair, paraphrase), ready for ``score_pairs``.

    Columns ``pair_id, para_index, bias_type, direction, sent_more, sent_less`` followed by
    ``backend, seed, mode, minimal_pair`` when present.

    Raises ValueError when a (pair_id, para_index) lacks its "more" or "less" row or has two.

    >>> long = pd.DataFrame({"bias_type": ["gender"] * 2, "pair_id": [3, 3], "para_index": [0, 0],
    ...                      "direction": ["stereo"] * 2, "more_or_less": ["more", "less"],
    ...                      "sentence": ["She cried.", "He cried."]})
    >>> to_pair_table(long)[["sent_more", "sent_less"]].values.tolist()
    [['She cried.', 'He cried.']]
    """
    missing = {"pair_id", "para_index", "bias_type", "direction", "more_or_less", "sentence"} - set(
        long.columns
    )
    if missing:
        raise InputError(f"not a paraphrase long table: missing columns {sorted(missing)}")
    counts = long.groupby(["pair_id", "para_index", "more_or_less"]).size()
    if (counts != 1).any():
        raise InputError(
            f"(pair_id, para_index, more_or_less) repeated: {counts[counts != 1].index.tolist()[:5]}"
        )
    keys = ["pair_id", "para_index"]
    extras = [c for c in ("backend", "seed", "mode", "minimal_pair") if c in long.columns]
    more = long[long["more_or_less"] == "more"].set_index(keys)
    less = long[long["more_or_less"] == "less"].set_index(keys)
    unmatched = more.index.symmetric_difference(less.index)
    if len(unmatched):
        raise InputError(f"pairs without both a 'more' and a 'less' row: {unmatched.tolist()[:5]}")
    wide = more[["bias_type", "direction", "sentence"] + extras].rename(columns={"sentence": "sent_more"})
    wide["sent_less"] = less.loc[wide.index, "sentence"]
    wide = wide.reset_index().sort_values(keys, kind="stable").reset_index(drop=True)
    return wide[WORDING_PAIR_COLUMNS + extras]


def pair_wordings(result, *, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The (pair, wording) table to score: every original pair, then its kept paraphrases.

    The one table the report, ``PLLStudy.wordings`` and the notebooks score, so a bias score,
    τ and a flip rate are computed on the same pairs wherever they appear: the originals of
    *every* pair (``para_index`` 0; the bias score counts them all) followed by the kept
    pair-consistent paraphrases (1, 2, ...); the statistics of wording take the pairs that
    kept one (:func:`trustkit.tables.with_paraphrases`).

    Parameters
    ----------
    result : a :class:`~trustkit.paraphrase.ParaphraseResult`, its long table, or None (originals only).
    pairs : the pair table that was paraphrased; its rows (all columns, ``FILE:LINE`` attrs) are the
        originals. Default: the originals in ``result``.

    Returns
    -------
    DataFrame sorted by ``pair_id, para_index``, one row per (pair, wording).

    Example
    -------
    >>> long = pd.DataFrame({"bias_type": "age", "pair_id": [1, 1, 1, 1, 2, 2],
    ...     "para_index": [0, 0, 1, 1, 0, 0], "direction": "stereo",
    ...     "more_or_less": ["more", "less"] * 3, "sentence": list("abcdef")})
    >>> pair_wordings(long)[["pair_id", "para_index", "sent_more"]].values.tolist()
    [[1, 0, 'a'], [1, 1, 'c'], [2, 0, 'e']]
    """
    long = getattr(result, "table", result)
    wide = to_pair_table(long) if long is not None else pd.DataFrame(columns=WORDING_PAIR_COLUMNS)
    kept = wide[wide["para_index"] > 0]
    if pairs is None:
        originals = wide[wide["para_index"] == 0]
        attrs = dict(getattr(long, "attrs", {}) or {})
    else:
        originals, attrs = pairs.assign(para_index=0), dict(pairs.attrs)
        kept = kept[[c for c in kept.columns if c in originals.columns]]
    out = pd.concat([originals, kept], ignore_index=True) if len(kept) else originals.reset_index(drop=True)
    out = out.sort_values(["pair_id", "para_index"], kind="stable").reset_index(drop=True)
    out.attrs = attrs
    return out


def to_dataset(long: pd.DataFrame):
    """The table as a Hugging Face ``datasets.Dataset`` (index dropped).

    >>> to_dataset(pd.DataFrame({"sentence": ["a"]})).num_rows
    1
    """
    import datasets

    return datasets.Dataset.from_pandas(long.reset_index(drop=True), preserve_index=False)


def _write_parquet_atomic(frame: pd.DataFrame, path: Path, metadata: dict) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    merged = dict(table.schema.metadata or {})
    merged[b"trustkit"] = json.dumps(metadata, sort_keys=True, default=str).encode()
    table = table.replace_schema_metadata(merged)
    with atomic_path(path, suffix=".parquet") as tmp:
        pq.write_table(table, tmp)


def rejected_path(path: str | os.PathLike) -> Path:
    """Where ``save_paraphrases`` puts the rejected candidates next to ``path``.

    >>> rejected_path("out/crows_bt.parquet").name
    'crows_bt.rejected.parquet'
    """
    path = Path(path)
    return path.with_name(path.name.removesuffix(".parquet") + ".rejected.parquet")


def save_paraphrases(
    table: pd.DataFrame, rejected: pd.DataFrame, path: str | os.PathLike, metadata: dict | None = None
) -> Path:
    """Write the long table to ``path`` and the rejected candidates beside it (parquet, atomic).

    ``metadata`` (backend, seed, n, settings, versions) is stored in both files' schema under the
    key ``trustkit`` and comes back from ``read_metadata``. Returns ``path``.
    """
    path = Path(path)
    if path.suffix != ".parquet":
        raise InputError(f"output must be a .parquet file, got {path}")
    _write_parquet_atomic(table, path, metadata or {})
    _write_parquet_atomic(rejected, rejected_path(path), metadata or {})
    return path


def load_paraphrases(path: str | os.PathLike, rejected: bool = False) -> pd.DataFrame:
    """Read a long table (or, with ``rejected=True``, its rejected candidates) written by ``save_paraphrases``."""
    return pd.read_parquet(rejected_path(path) if rejected else Path(path))


def read_metadata(path: str | os.PathLike) -> dict:
    """The provenance stored by ``save_paraphrases`` (empty dict when absent)."""
    import pyarrow.parquet as pq

    raw = (pq.read_schema(path).metadata or {}).get(b"trustkit")
    return json.loads(raw) if raw else {}
