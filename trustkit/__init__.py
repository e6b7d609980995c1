"""trustkit: reproducible studies of the TrustNLP 2022 workshop.

PLL bias measures of masked language models under paraphrase (Kwon & Mihindukulasooriya 2022)
and the word co-occurrence map of trustworthy-ML research (Derzsy, Majumdar & Malik 2021).
"""

__version__ = "0.1.0"


def explore(scored, **options):
    """Linked, interactive views of a scored table in JupyterLab (see :func:`trustkit.explorer.explore`).

    >>> trustkit.explore(scored, scorer=scorer)  # doctest: +SKIP
    """
    from trustkit.explorer import explore as _explore

    return _explore(scored, **options)
