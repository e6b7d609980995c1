"""The checks of a pair file's values: labels normalised, each bad row refused as ``FILE:LINE``.

``trustkit.data.pair_records`` reads a file into records; :func:`parse_pair_file` checks each
record (empty or identical sentences, control characters, oversized fields, unknown directions,
repeated ids) and notes every label it normalises; ``trustkit.data.pairs`` loads the result.
"""

from __future__ import annotations

import re
from pathlib import Path

from trustkit.data.pair_records import ParsedPairs, Problem, _csv_records, _decode_lines, _jsonl_records

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


def parse_pair_file(path: Path, display: str) -> ParsedPairs:
    """Read and check the pair file ``path`` (named ``display`` in problems): rows, problems, notes."""
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
