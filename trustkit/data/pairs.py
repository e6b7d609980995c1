"""Sentence-pair loaders: the CrowS-Pairs family and users' own CSV/TSV/JSONL pair files.

Every file goes through one validator that names each bad row as ``FILE:LINE: reason`` (or
``FILE:START-END`` for a record spanning lines, e.g. an unclosed quote); label quirks of the
published revisions are normalised with a warning, never silently. Refused: undecodable bytes,
control characters (NUL included; TAB and line breaks inside quotes are fine), fields over
``MAX_FIELD_CHARS``, repeated pair ids, a quote that is never closed, and a file with no rows.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import pandas as pd

from trustkit.data.fetching import fetch
from trustkit.data.pair_records import ParsedPairs, Problem, _csv_records, _decode_lines, _jsonl_records
from trustkit.data.registry import REGISTRY, get_dataset, sha256_file
from trustkit.errors import InputError, TrustkitError

PAIR_COLUMNS = ["pair_id", "sent_more", "sent_less", "direction", "bias_type", "source_row"]
"""Schema of ``load_pairs``: pair_id (int, 0-based record number in the file), sent_more,
sent_less, direction ("stereo"|"antistereo"), bias_type (normalised), source_row (str: the
file's own row id, e.g. "1293" or "LA0", else the record number)."""

CROWS_BIAS_TYPES = (
    "race-color",
    "socioeconomic",
    "gender",
    "sexual-orientation",
    "religion",
    "age",
    "nationality",
    "disability",
    "physical-appearance",
)
BIAS_TYPES = CROWS_BIAS_TYPES + ("other",)  # the revisions add "other" (Névéol: "autre")
DIRECTIONS = ("stereo", "antistereo")

_BIAS_ALIASES = {
    "race": "race-color",
    "race-colour": "race-color",
    "socioeconomic-status": "socioeconomic",
    "gender-identity": "gender",
    "autre": "other",
}
_DIRECTION_ALIASES = {"anti-stereo": "antistereo", "stereotype": "stereo", "anti-stereotype": "antistereo"}
MAX_FIELD_CHARS = 131_072  # the csv module's default field limit: no sentence is near it
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not TAB, LF, CR
_PAIR_CATALOGUE = ("crows_pairs", "crows_pairs_revised", "crows_pairs_revised_fr", "crows_pairs_pikuliak")


class PairFileError(TrustkitError, ValueError):
    """A pair file has problems; ``problems`` holds each one, printed as ``FILE:LINE: reason``."""

    def __init__(self, problems: list[Problem], hint: str = ""):
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} problem(s) in pair file:\n{lines}{hint}")


class PairFileWarning(UserWarning):
    """A pair file's labels were normalised or rows were dropped; the message says which."""


def normalise_bias_type(value: str) -> str:
    """Return the canonical spelling of a bias type label.

    Lower-cases, turns spaces, underscores and slashes into hyphens and maps known synonyms
    ("race" and "Race-color" to "race-color", Névéol's French "autre" to "other").

    >>> normalise_bias_type("Race-color"), normalise_bias_type("sexual orientation")
    ('race-color', 'sexual-orientation')
    """
    key = re.sub(r"[\s_/]+", "-", value.strip().lower())
    return _BIAS_ALIASES.get(key, key)


def _normalise_direction(value: str) -> str | None:
    key = re.sub(r"[\s_]+", "-", value.strip().lower())
    key = _DIRECTION_ALIASES.get(key, key)
    return key if key in DIRECTIONS else None


#: leading bytes of files that are often passed by mistake, and what they are
_BINARY_MAGIC = {
    b"\x7fELF": "an executable program (ELF)",
    b"PK\x03\x04": "a zip archive (or .xlsx/.docx)",
    b"\x1f\x8b": "a gzip archive",
    b"%PDF": "a PDF document",
    b"PAR1": "a parquet table",
    b"SQLite format 3\x00": "an SQLite database",
}


def binary_kind(head: bytes) -> str | None:
    r"""What a file that is not text looks like from its first bytes, or None for text.

    One stray control character (a NUL inside a field) is a row problem, not a binary file: the
    file counts as binary when more than 10% of its first bytes are control characters.

    >>> binary_kind(b"\x7fELF\x02\x01"), binary_kind(b"id,sent_more\n1,He is\x00 poor.\n")
    ('an executable program (ELF)', None)
    """
    for magic, kind in _BINARY_MAGIC.items():
        if head.startswith(magic):
            return kind
    controls = sum(byte < 32 and byte not in (9, 10, 13) for byte in head)
    return "binary data" if head and controls > 0.1 * len(head) else None


def _parse(path: Path, display: str) -> ParsedPairs:
    parsed = ParsedPairs()
    raw = path.read_bytes()
    kind = binary_kind(raw[:8192])
    if kind is not None:
        parsed.fatal = True
        reason = f"not a text pair file: {kind}; pair files are UTF-8 CSV, TSV or JSONL"
        parsed.problems.append(Problem(display, 1, reason))
        return parsed
    text, bad_lines = _decode_lines(raw)
    is_jsonl = path.suffix.lower() in (".jsonl", ".ndjson", ".json")
    if is_jsonl:
        records = _jsonl_records(text, parsed, display)
    else:
        records = _csv_records(text, path, parsed, display)
        if parsed.fatal:
            return parsed
    if not records and not parsed.problems:
        parsed.fatal = True
        parsed.problems.append(Problem(display, 1, "no pair rows: the file holds a header only (or nothing)"))
        return parsed
    seen_ids: dict[str, int] = {}
    # pair_id counts every data record, malformed ones too, so it stays stable when rows are dropped
    for ordinal, (start, end, record) in enumerate(records):
        if record is None:  # malformed beyond validation; its problem is already recorded
            continue
        reasons = [bad_lines[n] for n in range(start, end + 1) if n in bad_lines]
        row = _validate(record, ordinal, reasons, start, parsed, display)
        given_id = record.get("") or record.get("id")
        if given_id:
            if given_id in seen_ids:
                reasons.append(f"pair id {given_id!r} repeats line {seen_ids[given_id]}; ids must be unique")
            else:
                seen_ids[given_id] = start
        if reasons:
            parsed.problems.append(Problem(display, start, "; ".join(reasons), row["source_row"], end=end))
        else:
            parsed.rows.append(row)
    parsed.problems.sort(key=lambda problem: problem.line)
    return parsed


def _validate(
    record: dict, ordinal: int, reasons: list[str], line: int, parsed: ParsedPairs, display: str
) -> dict:
    """Check one record; append reasons for its problems and notes for its normalised labels."""
    source_row = record.get("") or record.get("id") or str(ordinal)
    more, less = record["sent_more"], record["sent_less"]
    for column, value in record.items():
        if len(value) > MAX_FIELD_CHARS:
            reasons.append(f"{column or 'index'} has {len(value)} characters, more than {MAX_FIELD_CHARS}")
        elif match := _CONTROL.search(value):
            reasons.append(
                f"{column or 'index'} holds control character U+{ord(match.group()):04X} at "
                f"character {match.start() + 1}; remove it"
            )
    if not more.strip():
        reasons.append("empty sent_more")
    if not less.strip():
        reasons.append("empty sent_less")
    if more.strip() and more.strip() == less.strip():
        reasons.append("sent_more and sent_less are identical")
    raw_direction = record.get("stereo_antistereo", record.get("direction", ""))
    direction = _normalise_direction(raw_direction)
    if direction is None:
        reasons.append(f"unknown direction {raw_direction!r} (expected 'stereo' or 'antistereo')")
    elif direction != raw_direction:
        parsed.notes.append(
            Problem(display, line, f"direction {raw_direction!r} read as {direction!r}", source_row)
        )
    raw_bias = record["bias_type"]
    bias = normalise_bias_type(raw_bias)
    if not bias:
        reasons.append("empty bias_type")
    elif _normalise_direction(raw_bias) is not None:
        reasons.append(f"bias_type {raw_bias!r} is a direction label, not a bias type")
    elif bias != raw_bias:
        parsed.notes.append(Problem(display, line, f"bias_type {raw_bias!r} read as {bias!r}", source_row))
    elif bias not in BIAS_TYPES:
        parsed.notes.append(
            Problem(
                display, line, f"bias_type {raw_bias!r} is not one of CrowS-Pairs' types (kept)", source_row
            )
        )
    return {
        "pair_id": ordinal,
        "sent_more": more,
        "sent_less": less,
        "direction": direction,
        "bias_type": bias,
        "source_row": source_row,
        "line": line,
    }


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
    >>> for problem in check_pair_file("my_pairs.csv").problems:  # doctest: +SKIP
    ...     print(problem)
    my_pairs.csv:4: empty sent_less
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
    return _parse(path, str(path))


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
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "my_pairs.csv"
    >>> import pandas as pd
    >>> pd.DataFrame({"sent_more": ["Poor people are lazy.", "Men are strong."],
    ...               "sent_less": ["Rich people are lazy.", "Women are strong."],
    ...               "stereo_antistereo": ["stereo", "stereo"], "bias_type": ["socioeconomic", "gender"]}
    ...              ).to_csv(path, index=False)
    >>> pairs = load_pairs(path)
    >>> pairs[["pair_id", "direction", "bias_type"]].values.tolist()
    [[0, 'stereo', 'socioeconomic'], [1, 'stereo', 'gender']]
    >>> len(load_pairs("crows_pairs"))  # the registered file (a download, or the data mirror)  # doctest: +SKIP
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
        parsed = _parse(path, display)
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
