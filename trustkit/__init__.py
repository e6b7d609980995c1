"""trustkit: reproducible studies of the TrustNLP 2022 workshop.

PLL bias measures of masked language models under paraphrase (Kwon & Mihindukulasooriya 2022)
and the word co-occurrence map of trustworthy-ML research (Derzsy, Majumdar & Malik 2021).

The main entry points are available from here, with their own signatures and docstrings; each is
imported on first use, so ``import trustkit`` stays light (no torch, pandas or matplotlib):

>>> import trustkit
>>> trustkit.load_pairs is __import__("trustkit.data", fromlist=["load_pairs"]).load_pairs
True
"""

from trustkit.errors import TrustkitError

__version__ = "0.1.0"

#: entry point -> the module that defines it
_ENTRY_POINTS = {
    "load_pairs": "trustkit.data",
    "load_pretrained": "trustkit.models",
    "load_scorer": "trustkit.scoring",
    "paraphrase_pairs": "trustkit.paraphrase",
    "build_report": "trustkit.report",
    "explore": "trustkit.explorer",
    "PLLStudy": "trustkit.study",
    "StudyParams": "trustkit.study",
    "study_params": "trustkit.study",
    "run_landscape": "trustkit.landscape",
    "LandscapeParams": "trustkit.landscape",
}

__all__ = ["TrustkitError", "__version__", *_ENTRY_POINTS]


def __getattr__(name: str):
    if name in _ENTRY_POINTS:
        import importlib

        value = getattr(importlib.import_module(_ENTRY_POINTS[name]), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'trustkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_ENTRY_POINTS})
