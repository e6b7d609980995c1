"""Sentence-pair loaders: the CrowS-Pairs family and users' own CSV/TSV/JSONL pair files.

Every file goes through one validator that names each bad row as ``FILE:LINE: reason`` (or
``FILE:START-END`` for a record spanning lines, e.g. an unclosed quote); label quirks of the
published revisions are normalised with a warning, never silently (the checks are in
``trustkit.data.pair_checks``). Refused: undecodable bytes, control characters (NUL included; TAB
and line breaks inside quotes are fine), fields over ``MAX_FIELD_CHARS``, repeated pair ids, a
quote that is never closed, and a file with no rows.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pandas as pd

from trustkit.data.fetching import fetch
from trustkit.data.pair_checks import parse_pair_file
from trustkit.data.pair_records import ParsedPairs, Problem
from trustkit.data.registry import REGISTRY, get_dataset, sha256_file
from trustkit.errors import InputError, TrustkitError

PAIR_COLUMNS = ["pair_id", "sent_more", "sent_less", "direction", "bias_type", "source_row"]
"""Schema of ``load_pairs``: pair_id (int, 0-based record number in the file), sent_more,
sent_less, direction ("stereo"|"antistereo"), bias_type (normalised), source_row (str: the
file's own row id, e.g. "1293" or "LA0", else the record number)."""

_PAIR_CATALOGUE = ("crows_pairs", "crows_pairs_revised", "crows_pairs_revised_fr", "crows_pairs_pikuliak")


class PairFileError(TrustkitError, ValueError):
    """A pair file has problems; ``problems`` holds each one, printed as ``FILE:LINE: reason``."""

    def __init__(self, problems: list[Problem], hint: str = ""):
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} problem(s) in pair file:\n{lines}{hint}")


class PairFileWarning(UserWarning):
    """A pair file's labels were normalised or rows were dropped; the message says which."""


def check_pair_file(path: str | os.PathLike) -> ParsedPairs:
    """Validate a pair file without loading it; return its problems and normalisation notes.

    Parameters
    ----------
    path : a CSV, TSV (or TAB-separated .csv) or JSONL file with columns ``sent_more``,
        ``sent_less``, ``stereo_antistereo`` (or ``direction``) and ``bias_type``.

    Returns
    -------
    ParsedPairs: ``problems`` (each prints as ``FILE:LINE: reason``, header = line 1), ``notes``
    (labels that were normalised) and ``rows`` (the valid records).

    Example
    -------
    >>> import os, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "my_pairs.csv"
    >>> rows = ["sent_more,sent_less,stereo_antistereo,bias_type",
    ...         "Poor people are lazy.,Rich people are lazy.,stereo,socioeconomic",
    ...         "Men are strong.,Women are strong.,stereo,gender", "Old people forget.,,stereo,age"]
    >>> _ = path.write_text(os.linesep.join(rows))
    >>> for problem in check_pair_file(path).problems:
    ...     print(problem.line, problem.reason)
    4 empty sent_less
    """
    path = Path(path)
    if path.exists() and not path.is_file():  # a directory, a FIFO, a device such as /dev/zero
        kind = "a directory" if path.is_dir() else "not a regular file (a pipe, socket or device)"
        raise InputError(f"{path}: is {kind}, not a pair file; give a CSV, TSV or JSONL file")
    if not path.is_file():
        from trustkit.errors import did_you_mean

        raise FileNotFoundError(
            f"{path}: no such pair file{did_you_mean(str(path), _PAIR_CATALOGUE)}; "
            f"registered pair datasets: {', '.join(_PAIR_CATALOGUE)}"
        )
    return parse_pair_file(path, str(path))


def _summarise_notes(notes: list[Problem]) -> list[dict]:
    """One record per kind of normalisation: ``file, change, rows, lines`` (lines as shown text)."""
    grouped: dict[str, list[int]] = {}
    for note in notes:
        grouped.setdefault(note.reason, []).append(note.line)
    return [
        {
            "file": notes[0].file,
            "change": reason,
            "rows": len(lines),
            "lines": ", ".join(map(str, lines[:20])) + (", ..." if len(lines) > 20 else ""),
        }
        for reason, lines in grouped.items()
    ]


def load_pairs(name_or_path: str | os.PathLike, errors: str = "raise") -> pd.DataFrame:
    """Load sentence pairs from a registered dataset or a user's CSV/TSV/JSONL file.

    Parameters
    ----------
    name_or_path : a registered name (``crows_pairs``, ``crows_pairs_revised``,
        ``crows_pairs_revised_fr``, ``crows_pairs_pikuliak``; ``winobias`` gives
        :func:`trustkit.data.winobias.load_winobias_pairs`) or a path to a pair file.
    errors : ``"raise"`` (default) raises PairFileError listing every bad row as
        ``FILE:LINE: reason``; ``"drop"`` drops those rows and reports them in a warning and in
        ``df.attrs["dropped"]``. A missing column always raises. Known bad rows of a registered
        file (e.g. Pikuliak's bias_type "stereo") are always dropped with a warning.

    Returns
    -------
    DataFrame with columns ``PAIR_COLUMNS``; ``attrs`` carries ``source``, ``sha256`` and
    ``dropped`` (list of dicts: file, line, source_row, reason).

    Example
    -------
    >>> from trustkit.examples import two_pair_file
    >>> path = two_pair_file()  # a CSV pair file of two pairs
    >>> pairs = load_pairs(path)
    >>> pairs[["pair_id", "direction", "bias_type"]].values.tolist()
    [[0, 'stereo', 'socioeconomic'], [1, 'stereo', 'gender']]
    >>> len(load_pairs("crows_pairs"))  # the registered file (a download, or the data mirror)
    1508
    """
    if errors not in ("raise", "drop"):
        raise InputError(f"errors must be 'raise' or 'drop', not {errors!r}")
    key = str(name_or_path)
    known_bad: dict[str, str] = {}
    if key == "winobias":  # pairs built from the pro/anti files (trustkit.data.winobias)
        from trustkit.data.winobias import load_winobias_pairs

        return load_winobias_pairs()
    if key in REGISTRY:
        if key not in _PAIR_CATALOGUE:
            raise InputError(f"{key!r} is not a pair dataset; pair datasets: {', '.join(_PAIR_CATALOGUE)}")
        path = fetch(key)
        display = path.name
        known_bad = get_dataset(key).extra.get("known_bad_rows", {})
        parsed = parse_pair_file(path, display)
    else:
        path = Path(name_or_path)
        parsed = check_pair_file(path)
        display = str(path)
    if parsed.fatal:
        header = parsed.problems[0].reason.startswith("missing column")  # not: empty, binary
        raise PairFileError(
            parsed.problems, hint="\nFix the header: pair files need these columns." if header else ""
        )
    expected = [p for p in parsed.problems if p.source_row in known_bad]
    unexpected = [p for p in parsed.problems if p.source_row not in known_bad]
    if unexpected and errors == "raise":
        raise PairFileError(
            unexpected,
            hint="\nFix these rows, or pass errors='drop' (CLI: trustkit score --errors drop) to skip them "
            "with a report.",
        )
    normalised = _summarise_notes(parsed.notes)
    for n in normalised:
        warnings.warn(
            f"{n['file']}: {n['change']} ({n['rows']} row(s), line {n['lines']})",
            PairFileWarning,
            stacklevel=2,
        )
    dropped = expected + unexpected
    if dropped:
        listing = "\n".join(f"{p} -> row dropped" for p in dropped)
        warnings.warn(
            f"{len(dropped)} row(s) dropped from {display}:\n{listing}", PairFileWarning, stacklevel=2
        )
    frame = pd.DataFrame(parsed.rows, columns=PAIR_COLUMNS + ["line"]).drop(columns="line")
    frame["pair_id"] = frame["pair_id"].astype("int64")
    frame.attrs["source"] = key
    frame.attrs["file"] = display  # with "lines", lets the scorer name refused rows FILE:LINE
    frame.attrs["lines"] = {int(r["pair_id"]): int(r["line"]) for r in parsed.rows}
    frame.attrs["sha256"] = sha256_file(path)
    frame.attrs["normalised"] = normalised
    frame.attrs["dropped"] = [
        {"file": p.file, "line": p.line, "source_row": p.source_row, "reason": p.reason} for p in dropped
    ]
    return frame


def sample_pairs(pairs: pd.DataFrame, n: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Return ``n`` pairs drawn at random (all pairs when ``n`` is None or too large), in file order.

    Parameters
    ----------
    pairs : a pair table (``load_pairs``); its ``attrs`` (source, sha256) are kept.
    n : how many pairs; None keeps all.
    seed : the random draw's seed.

    Example
    -------
    >>> len(sample_pairs(pd.DataFrame({"pair_id": range(10)}), 3))
    3
    """
    if n is None or n >= len(pairs):
        return pairs.copy()
    out = pairs.sample(int(n), random_state=seed).sort_index()
    out.attrs = dict(pairs.attrs)
    return out
