"""Benchmark data for trustkit: a hash-verified registry and loaders returning pandas DataFrames.

See data/README.md for each dataset's origin, license, citation and known problems.
"""

from trustkit.data.anthology import (
    ANTHOLOGY_COLUMNS,
    anthology_from_bibtex,
    load_acl_anthology,
    split_anthology_id,
)
from trustkit.data.fetching import DataIntegrityError, fetch, verify_file
from trustkit.data.pair_checks import BIAS_TYPES, CROWS_BIAS_TYPES, normalise_bias_type
from trustkit.data.pairs import (
    PAIR_COLUMNS,
    PairFileError,
    PairFileWarning,
    check_pair_file,
    load_pairs,
    sample_pairs,
)
from trustkit.data.registry import REGISTRY, DataFile, Dataset, get_dataset, sha256_file
from trustkit.data.stereoset import STEREOSET_COLUMNS, load_stereoset
from trustkit.data.winobias import (
    WINOBIAS_COLUMNS,
    WINOBIAS_PAIR_COLUMNS,
    load_winobias,
    load_winobias_occupations,
    load_winobias_pairs,
)

__all__ = [
    "ANTHOLOGY_COLUMNS",
    "BIAS_TYPES",
    "CROWS_BIAS_TYPES",
    "PAIR_COLUMNS",
    "REGISTRY",
    "STEREOSET_COLUMNS",
    "WINOBIAS_COLUMNS",
    "WINOBIAS_PAIR_COLUMNS",
    "DataFile",
    "DataIntegrityError",
    "Dataset",
    "PairFileError",
    "PairFileWarning",
    "anthology_from_bibtex",
    "check_pair_file",
    "fetch",
    "get_dataset",
    "load_acl_anthology",
    "load_pairs",
    "load_stereoset",
    "load_winobias",
    "load_winobias_occupations",
    "load_winobias_pairs",
    "normalise_bias_type",
    "sample_pairs",
    "sha256_file",
    "split_anthology_id",
    "verify_file",
]
