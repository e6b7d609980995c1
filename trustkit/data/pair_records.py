"""Reading a pair file into records: UTF-8 line by line, CSV/TSV (quotes, delimiters) or JSONL.

Each record keeps its first and last line so that every problem can be named ``FILE:LINE`` (or
``FILE:START-END``); the checks of a record's values are in ``trustkit.data.pair_checks``.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

_REQUIRED = ("sent_more", "sent_less", "bias_type")
_DIRECTION_COLUMNS = ("stereo_antistereo", "direction")


@dataclass
class Problem:
    """One problem (or note) about one line of a pair file."""

    file: str
    line: int
    reason: str
    source_row: str | None = None
    end: int | None = None  # last line of a record spanning several lines

    def __str__(self) -> str:
        span = f"{self.line}-{self.end}" if self.end and self.end != self.line else f"{self.line}"
        return f"{self.file}:{span}: {self.reason}"


@dataclass
class ParsedPairs:
    """The outcome of reading a pair file: valid rows, per-row problems, and normalisation notes."""

    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    fatal: bool = False  # a file-level problem (e.g. a missing column): no row can be trusted


def _decode_lines(raw: bytes) -> tuple[str, dict[int, str]]:
    """Decode UTF-8 line by line so that a bad byte is reported on its own line."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    pieces, bad = [], {}
    for number, line in enumerate(raw.splitlines(keepends=True), start=1):
        try:
            pieces.append(line.decode("utf-8"))
        except UnicodeDecodeError as err:
            bad[number] = (
                f"undecodable bytes {line[err.start : err.end]!r} at column {err.start + 1} "
                "(not UTF-8; re-save the file as UTF-8)"
            )
            pieces.append(line.decode("utf-8", errors="replace"))
    return "".join(pieces), bad


def _shown(text: str) -> str:
    r"""A header field as it may be printed: control characters (terminal escapes) as \x.. escapes.

    >>> _shown("sent_more\x1b[31m")
    'sent_more\\x1b[31m'
    """
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _delimited_records(text: str, path: Path):
    """Yield (first_line, last_line, header, fields) for each CSV/TSV record."""
    first = text.split("\n", 1)[0]
    delimiter = "\t" if path.suffix.lower() == ".tsv" or first.count("\t") > first.count(",") else ","
    # a longer field is reported by the validator, not raised by csv as "field larger than field limit"
    csv.field_size_limit(max(csv.field_size_limit(), sys.maxsize >> 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    previous_end = reader.line_num
    for fields in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if fields:  # csv yields [] for a blank line: not a record
            yield start, previous_end, header, fields


def _csv_records(text: str, path: Path, parsed: ParsedPairs, display: str) -> list:
    records, header = [], None
    for start, end, header, fields in _delimited_records(text, path):
        if len(fields) != len(header):
            if end > start:  # csv read on past the line end: a quote that was never closed
                reason = (
                    f"a quote opened on line {start} is not closed, so lines {start}-{end} were read "
                    f"as one record of {len(fields)} fields (expected {len(header)}); close the quote"
                )
            else:
                reason = f"expected {len(header)} fields, found {len(fields)} (stray delimiter or quote?)"
            parsed.problems.append(Problem(display, start, reason, end=end))
            records.append((start, end, None))
            continue
        if end > start and _swallows_rows(fields, len(header)):
            parsed.problems.append(
                Problem(
                    display,
                    start,
                    f"a quote opened on line {start} is not closed "
                    f"and swallows the rows up to line {end}; close the quote",
                    end=end,
                )
            )
            records.append((start, end, None))
            continue
        records.append((start, end, dict(zip(header, fields))))
    if header is None:
        header = next(csv.reader(io.StringIO(text)), [])
    missing = _missing_columns(header)
    if missing:
        parsed.fatal = True
        parsed.problems.insert(
            0,
            Problem(
                display,
                1,
                f"missing column(s) {', '.join(missing)} "
                f"(header has: {', '.join(map(_shown, header)) or 'nothing'})",
            ),
        )
    return records


def _swallows_rows(fields: list[str], width: int) -> bool:
    """Whether a quoted field holds whole rows (a line with the header's number of delimiters)."""
    for value in fields:
        for line in value.splitlines()[1:]:
            if width > 1 and max(line.count(","), line.count("\t")) >= width - 1:
                return True
    return False


def _missing_columns(keys) -> list[str]:
    missing = [c for c in _REQUIRED if c not in keys]
    if not any(c in keys for c in _DIRECTION_COLUMNS):
        missing.append("stereo_antistereo (or direction)")
    return missing


def _jsonl_records(text: str, parsed: ParsedPairs, display: str) -> list:
    records = []
    # the same line breaks as the CSV reader (\n, \r\n, \r), not str.splitlines' wider set (\u2028 ...)
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            parsed.problems.append(Problem(display, number, f"not valid JSON ({err.msg})"))
            records.append((number, number, None))
            continue
        if not isinstance(obj, dict):
            parsed.problems.append(Problem(display, number, "not a JSON object"))
            records.append((number, number, None))
            continue
        missing = _missing_columns(obj)
        if missing:
            parsed.problems.append(Problem(display, number, f"missing field(s) {', '.join(missing)}"))
            records.append((number, number, None))
            continue
        records.append((number, number, {k: "" if v is None else str(v) for k, v in obj.items()}))
    return records
