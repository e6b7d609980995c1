"""The tables behind ``trustkit.explore``: one row per pair, per wording, and per token of each original sentence.

They are plain DataFrames built from a scored table with ``trustkit.stats``; the views only draw them.
"""

from __future__ import annotations

import difflib
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from trustkit.errors import InputError
from trustkit.tables import check_scored

__all__ = ["pair_rows", "read_scored", "token_rows", "wording_rows"]

#: how the flip filter names a pair without a kept paraphrase
NO_PARAPHRASE = "no paraphrase"


def read_scored(path: str | Path) -> pd.DataFrame:
    """Read a table written by ``trustkit score`` (CSV or parquet) and put its sentences back.

    The table holds ``pair_id, bias_type, direction, score_more, score_less, delta``; its sidecar
    (``TABLE.json``) names the dataset and metric. The sentences are joined by ``pair_id`` only
    when the sidecar describes this table (``trustkit.fileio.check_sidecar``) and the pair file it
    names is the one that was scored: a registered dataset, or a path resolved relative to the
    table's folder (not the working directory), whose sha256 equals the sidecar's ``data_sha256``.
    Anything else is refused with one line (ValueError) saying what does not match.

    Example
    -------
    >>> read_scored("/nonexistent/ll.csv")
    Traceback (most recent call last):
    trustkit.errors.InputError: no scored table /nonexistent/ll.csv
    """
    from trustkit.fileio import check_sidecar, sidecar_path

    path = Path(path)
    if not path.is_file():
        raise InputError(f"no scored table {path}")
    table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    if "sent_more" in table.columns:
        return table
    problem = check_sidecar(path)
    if problem is not None:
        raise InputError(f"cannot put the sentences back into {path.name}: {problem}")
    meta = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    table.attrs["metric"] = meta.get("metric")
    pairs = _scored_pairs(path, meta)[["pair_id", "sent_more", "sent_less"]]
    table = table.merge(pairs, on="pair_id", how="left")
    table.attrs["metric"] = meta.get("metric")
    return table


def _scored_pairs(table: Path, meta: dict) -> pd.DataFrame:
    """The pairs a sidecar names, only if their file is byte for byte the one that was scored."""
    from trustkit.data import load_pairs
    from trustkit.data.pairs import PairFileWarning
    from trustkit.data.registry import REGISTRY
    from trustkit.fileio import sha256_file

    name, expected = meta.get("data"), meta.get("data_sha256")
    side = f"{table.name}.json"
    if not name:
        raise InputError(f"cannot put the sentences back into {table.name}: {side} names no data file")
    if not expected:
        raise InputError(
            f"cannot put the sentences back into {table.name}: {side} records no data_sha256 "
            "(score it again with trustkit score)"
        )
    if str(name) in REGISTRY:
        source: str | Path = str(name)
    else:
        source = table.parent / name
        if not source.is_file():
            raise InputError(
                f"cannot put the sentences back into {table.name}: its pair file {source} is not there "
                f"({side} names it relative to the table's folder)"
            )
        actual = sha256_file(source)
        if actual != expected:
            raise InputError(
                f"cannot put the sentences back into {table.name}: {source} is not the file that was "
                f"scored (sha256 {actual[:12]}..., {side} says {str(expected)[:12]}...)"
            )
    with warnings.catch_warnings():  # rows dropped at scoring time were reported then
        warnings.simplefilter("ignore", PairFileWarning)
        pairs = load_pairs(source, errors="drop")
    if pairs.attrs.get("sha256") != expected:
        raise InputError(
            f"cannot put the sentences back into {table.name}: dataset {name} is not the version "
            f"that was scored (sha256 {str(pairs.attrs.get('sha256'))[:12]}..., {side} says "
            f"{str(expected)[:12]}...)"
        )
    return pairs


def _one_model(scored: pd.DataFrame, model: str | None) -> pd.DataFrame:
    if "model" not in scored.columns:
        return scored
    names = list(dict.fromkeys(scored["model"]))
    if model is None and len(names) > 1:
        raise InputError(
            f"the table holds {len(names)} models ({', '.join(map(str, names))}); pass model=... to explore one"
        )
    if model is not None:
        if model not in names:
            raise InputError(f"model {model!r} is not in the table; it holds {', '.join(map(str, names))}")
        scored = scored[scored["model"] == model]
    return scored


def pair_rows(scored: pd.DataFrame, model: str | None = None) -> pd.DataFrame:
    """One row per pair, with its Δ, its paraphrase count, whether it flipped, and its sentences.

    The columns are ``pair_id, bias_type, direction, delta, abs_delta, n_paraphrases, flipped,
    flag, sent_more, sent_less`` (the original sentences; empty when the table has none).
    ``flag`` holds the known-problems audit's reasons ("" when none): a report's own flags, or for
    a plain table the checks that read the sentences (not a minimal pair, punctuation, duplicate).

    ``flipped`` is ``"yes"`` when some paraphrase reverses the sign of Δ
    (``trustkit.stats.paraphrase_sensitivity``), ``"no"``, or ``"no paraphrase"``.

    Example
    -------
    >>> t = pd.DataFrame({"pair_id": [1, 1, 2], "para_index": [0, 1, 0], "bias_type": "age",
    ...                   "direction": "stereo", "delta": [0.5, -0.5, 2.0]})
    >>> pair_rows(t)[["pair_id", "flipped", "n_paraphrases"]].values.tolist()
    [[1, 'yes', 1], [2, 'no paraphrase', 0]]
    """
    from trustkit import stats

    table = check_scored(_one_model(scored, model))
    orig = table[table["para_index"] == 0].copy()
    n_para = table[table["para_index"] > 0].groupby("pair_id").size()
    orig["n_paraphrases"] = orig["pair_id"].map(n_para).fillna(0).astype(int)
    orig["flipped"] = NO_PARAPHRASE
    if (table["para_index"] > 0).any():
        sens = stats.paraphrase_sensitivity(table).set_index("pair_id")["flipped"]
        has = orig["pair_id"].isin(sens.index)
        orig.loc[has, "flipped"] = np.where(sens.loc[orig.loc[has, "pair_id"]].to_numpy(), "yes", "no")
    for column in ("sent_more", "sent_less"):
        orig[column] = orig[column].astype(str) if column in orig.columns else ""
    orig["abs_delta"] = orig["delta"].abs()
    orig["flag"] = _flags(orig)
    columns = [
        "pair_id",
        "bias_type",
        "direction",
        "delta",
        "abs_delta",
        "n_paraphrases",
        "flipped",
        "flag",
        "sent_more",
        "sent_less",
    ]
    return orig[columns].reset_index(drop=True)


def _flags(orig: pd.DataFrame) -> pd.Series:
    """The known-problems reasons of each original pair: a report's ``flag`` column, else the form checks.

    A table without the dataset's row ids cannot be compared with the revisions, so for a plain scored
    table only the checks that read the two sentences apply (``trustkit.data.pair_flags``).
    """
    from trustkit.data.pair_flags import flag_column, pair_problems

    if "flag" in orig.columns:
        return orig["flag"].map(lambda v: "" if pd.isna(v) else str(v))  # a CSV reads "" as NaN
    if (orig["sent_more"] == "").all():
        return pd.Series("", index=orig.index)
    found = pair_problems(orig[["pair_id", "sent_more", "sent_less"]], source="")
    return pd.Series(flag_column(orig["pair_id"], found), index=orig.index)


def wording_rows(scored: pd.DataFrame, model: str | None = None) -> pd.DataFrame:
    """One row per (pair, wording): ``pair_id, para_index, wording, sent_more, sent_less, delta``.

    >>> t = pd.DataFrame({"pair_id": [1, 1], "para_index": [0, 1], "bias_type": "age",
    ...                   "direction": "stereo", "delta": [0.5, -0.5]})
    >>> wording_rows(t).wording.tolist()
    ['original', 'paraphrase 1']
    """
    table = check_scored(_one_model(scored, model)).sort_values(["pair_id", "para_index"], kind="stable")
    out = pd.DataFrame(
        {
            "pair_id": table["pair_id"].to_numpy(),
            "para_index": table["para_index"].astype(int).to_numpy(),
            "delta": table["delta"].to_numpy(float),
        }
    )
    out["wording"] = ["original" if k == 0 else f"paraphrase {k}" for k in out["para_index"]]
    for column in ("sent_more", "sent_less"):
        out[column] = table[column].astype(str).to_numpy() if column in table.columns else ""
    return out[["pair_id", "para_index", "wording", "sent_more", "sent_less", "delta"]]


def _shown(token: str) -> str:
    """A sub-word token as a reader writes it: the tokenizers' space markers become a visible ␣."""
    return str(token).replace("Ġ", "␣").replace("▁", "␣").replace("Ċ", "⏎")


def token_rows(tokens: pd.DataFrame) -> pd.DataFrame:
    """Per-token log-probabilities of both sentences of each pair, marked where the sentences differ.

    Parameters
    ----------
    tokens : ``Scorer.score_tokens`` of the original pairs (``item`` = pair_id, ``role`` more/less).

    Returns
    -------
    ``pair_id, sentence (sent_more/sent_less), position, token, label, log_prob, differs``:
    ``differs`` is True for tokens outside the blocks the two sentences share (difflib over
    token ids), which are the ones that carry the group words. Tokens without a log-probability
    (a causal model's prefix) are left out.

    Example
    -------
    >>> t = pd.DataFrame({"item": [1] * 4, "role": ["more", "more", "less", "less"], "position": [0, 1, 0, 1],
    ...                   "token_id": [5, 7, 6, 7], "token": ["poor", "men", "rich", "men"],
    ...                   "log_prob": [-3.0, -1.0, -4.0, -1.2]})
    >>> token_rows(t)[["sentence", "token", "differs"]].values.tolist()
    [['sent_more', 'poor', True], ['sent_more', 'men', False], ['sent_less', 'rich', True], ['sent_less', 'men', False]]
    """
    frames = []
    for item, part in tokens.groupby("item", sort=False):
        pair_id = item[0] if isinstance(item, tuple) else item
        more = part[part["role"] == "more"].sort_values("position")
        less = part[part["role"] == "less"].sort_values("position")
        matcher = difflib.SequenceMatcher(
            a=more["token_id"].tolist(), b=less["token_id"].tolist(), autojunk=False
        )
        shared_more, shared_less = set(), set()
        for block in matcher.get_matching_blocks():
            shared_more.update(range(block.a, block.a + block.size))
            shared_less.update(range(block.b, block.b + block.size))
        for name, side, shared in (("sent_more", more, shared_more), ("sent_less", less, shared_less)):
            frames.append(
                pd.DataFrame(
                    {
                        "pair_id": pair_id,
                        "sentence": name,
                        "position": side["position"].to_numpy(int),
                        "token": [_shown(t) for t in side["token"]],
                        "log_prob": side["log_prob"].to_numpy(float),
                        "differs": [i not in shared for i in range(len(side))],
                    }
                )
            )
    if not frames:
        return pd.DataFrame(
            columns=["pair_id", "sentence", "position", "token", "label", "log_prob", "differs"]
        )
    out = pd.concat(frames, ignore_index=True)
    out = out[out["log_prob"].notna()].reset_index(drop=True)
    out["label"] = [f"{p:02d} {t}" for p, t in zip(out["position"], out["token"], strict=True)]
    return out[["pair_id", "sentence", "position", "token", "label", "log_prob", "differs"]]
