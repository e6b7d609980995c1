"""ACL Anthology titles and abstracts as a table.

The table is read from the registered JSON Lines file, or built the same from the Anthology's
official BibTeX export with abstracts (``anthology+abstracts.bib.gz``).
"""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import pandas as pd

from trustkit.data.fetching import fetch
from trustkit.data.registry import sha256_file
from trustkit.errors import InputError

ANTHOLOGY_COLUMNS = [
    "anthology_id",
    "year",
    "collection",
    "venue",
    "venue_tags",
    "volume_title",
    "title",
    "abstract",
    "language",
    "trustnlp",
]
"""Schema: anthology_id ("2022.trustnlp-1.7", "P15-1001"), year (int), collection ("2022.trustnlp",
"P15"), venue (volume id, "2022.trustnlp-1"), venue_tags (list of venue acronyms), volume_title,
title and abstract (plain text; TeX math kept raw; "" when absent), language ("" = English),
trustnlp (bool: the TrustNLP 2021-2023 volumes)."""

TRUSTNLP_VOLUMES = ("2021.trustnlp-1", "2022.trustnlp-1", "2023.trustnlp-1")
BIBTEX_URL = "https://aclanthology.org/anthology+abstracts.bib.gz"

_NEW_ID = re.compile(r"(?P<year>\d{4})\.(?P<venue>[a-z0-9]+)-(?P<volume>[a-z0-9]+)\.(?P<paper>\d+)")
_OLD_ID = re.compile(r"(?P<letter>[A-Z])(?P<yy>\d{2})-(?P<digits>\d{4})")


def split_anthology_id(anthology_id: str) -> tuple[str, str, int]:
    """Split a paper id into (collection, volume id, paper number) by the Anthology's rules.

    New-style ids are ``YEAR.VENUE-VOLUME.PAPER``. Old-style ids are ``LYY-NNNN``: workshop
    volumes ("W") and EMNLP-IJCNLP 2019 workshops ("D19-5xxx" and up) take two digits for the
    volume, every other collection one.

    >>> split_anthology_id("2022.trustnlp-1.7"), split_anthology_id("W17-0101")
    (('2022.trustnlp', '2022.trustnlp-1', 7), ('W17', 'W17-01', 1))
    """
    match = _NEW_ID.fullmatch(anthology_id)
    if match:
        collection = f"{match['year']}.{match['venue']}"
        return collection, f"{collection}-{match['volume']}", int(match["paper"])
    match = _OLD_ID.fullmatch(anthology_id)
    if match:
        collection, digits = f"{match['letter']}{match['yy']}", match["digits"]
        wide = (
            collection.startswith("W") or collection == "C69" or (collection == "D19" and int(digits[0]) >= 5)
        )
        cut = 2 if wide else 1
        return collection, f"{collection}-{digits[:cut]}", int(digits[cut:])
    raise InputError(f"not an ACL Anthology paper id: {anthology_id!r}")


def load_acl_anthology() -> pd.DataFrame:
    """Load the registered ACL Anthology table (69,639 papers of 2015-2025; about 1.5 s).

    Returns
    -------
    DataFrame with columns ``ANTHOLOGY_COLUMNS``; ``attrs`` carries ``source`` and ``sha256``.

    Example
    -------
    >>> papers = load_acl_anthology()  # doctest: +SKIP
    >>> int(papers.trustnlp.sum())  # doctest: +SKIP
    44
    """
    import pyarrow.json

    path = fetch("acl_anthology")
    table = pyarrow.json.read_json(path).to_pandas()  # gzip is detected from the suffix; 3x pandas' speed
    missing = set(ANTHOLOGY_COLUMNS) - set(table.columns)
    if missing:
        raise InputError(f"{path}: missing fields {sorted(missing)}")
    table = table[ANTHOLOGY_COLUMNS].copy()
    table["venue_tags"] = table["venue_tags"].map(list)  # arrow hands back numpy arrays
    table.attrs.update(source="acl_anthology", sha256=sha256_file(path))
    return table


def _read_bibtex(path: Path) -> str:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return handle.read()


def anthology_from_bibtex(path: str | os.PathLike, min_year: int = 2015) -> pd.DataFrame:
    """Build the ACL Anthology table from the Anthology's BibTeX export with abstracts.

    Download ``anthology+abstracts.bib.gz`` from https://aclanthology.org (the "Full Anthology
    as BibTeX" link) and pass its path. Entries are parsed with bibtexparser and LaTeX is decoded
    to Unicode (math kept raw); volume entries (``@proceedings``) are not papers and are skipped.
    Differences from the registered file: ``venue_tags`` is derived from the collection id (the
    BibTeX carries no venue list; old-style ids get ``[]``), ``language`` is the BibTeX's language
    name ("French") rather than an ISO code, and retracted papers are not marked in the BibTeX.

    Parameters
    ----------
    path : a ``.bib`` or ``.bib.gz`` file.
    min_year : keep papers of this year and later (the registered file starts at 2015).

    Returns
    -------
    DataFrame with columns ``ANTHOLOGY_COLUMNS``, sorted by year, venue and paper number.

    Example
    -------
    >>> papers = anthology_from_bibtex("anthology+abstracts.bib.gz")  # doctest: +SKIP
    >>> papers.loc[papers.anthology_id == "2022.trustnlp-1.7", "title"].item()  # doctest: +SKIP
    'An Empirical Study on Pseudo-log-likelihood Bias Measures for Masked Language Models Using Paraphrased Sentences'
    """
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware

    path = Path(path)
    library = bibtexparser.parse_string(_read_bibtex(path), append_middleware=[LatexDecodingMiddleware()])
    if library.failed_blocks:
        first = library.failed_blocks[0]
        raise InputError(
            f"{path}:{first.start_line + 1}: {len(library.failed_blocks)} BibTeX block(s) could not be parsed "
            f"(unbalanced braces or quotes?); the first begins {first.raw.splitlines()[0][:80]!r}"
        )
    rows = []
    for entry in library.entries:
        if entry.entry_type.lower() not in ("inproceedings", "article"):
            continue
        fields = {key.lower(): field.value for key, field in entry.fields_dict.items()}
        anthology_id = fields.get("url", "").rstrip("/").rsplit("/", 1)[-1]
        try:
            collection, venue, number = split_anthology_id(anthology_id)
        except ValueError:
            continue  # not an Anthology paper (e.g. a hand-written entry without an Anthology url)
        year = int(re.sub(r"\D", "", fields.get("year", "")) or 0)
        if number == 0 or year < min_year:
            continue
        rows.append(
            {
                "anthology_id": anthology_id,
                "year": year,
                "collection": collection,
                "venue": venue,
                "venue_tags": [collection.split(".", 1)[1]] if "." in collection else [],
                "volume_title": _plain(fields.get("booktitle") or fields.get("journal", "")),
                "title": _plain(fields.get("title", "")),
                "abstract": _plain(fields.get("abstract", "")),
                "language": fields.get("language", ""),
                "trustnlp": venue in TRUSTNLP_VOLUMES,
                "_number": number,
            }
        )
    table = pd.DataFrame(rows, columns=ANTHOLOGY_COLUMNS + ["_number"])
    table = table.sort_values(["year", "venue", "_number"], kind="stable").drop(columns="_number")
    table = table.astype({"year": "int64", "trustnlp": "bool"}).reset_index(drop=True)
    table.attrs.update(source=str(path), sha256=sha256_file(path))
    return table


def _plain(text: str) -> str:
    return " ".join(text.split())
