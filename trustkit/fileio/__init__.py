"""File primitives every module shares: sha256 of a file, atomic replacement, and result tables.

One place knows how files are hashed (:mod:`~trustkit.fileio.hashing`) and how results reach disk
without ever leaving a half-written file (:mod:`~trustkit.fileio.atomic`): outputs get the
permissions the umask allows, and a result table and its JSON sidecar are written as one unit
(:mod:`~trustkit.fileio.sidecar`: the sidecar names the table's sha256; CSV text cells that a
spreadsheet would run as a formula are neutralised).
"""

from trustkit.fileio.atomic import atomic_dir, atomic_path, atomic_write_text, check_output_path
from trustkit.fileio.hashing import file_identity, sha256_file
from trustkit.fileio.sidecar import (
    FORMULA_STARTS,
    check_sidecar,
    finite_json,
    neutralise_csv_cells,
    read_json,
    read_table_with_sidecar,
    sidecar_path,
    write_table_with_sidecar,
)

__all__ = [
    "FORMULA_STARTS",
    "atomic_dir",
    "atomic_path",
    "atomic_write_text",
    "check_output_path",
    "check_sidecar",
    "file_identity",
    "finite_json",
    "neutralise_csv_cells",
    "read_json",
    "read_table_with_sidecar",
    "sha256_file",
    "sidecar_path",
    "write_table_with_sidecar",
]
