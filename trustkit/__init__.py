"""trustkit: reproducible studies of the TrustNLP 2022 workshop.

PLL bias measures of masked language models under paraphrase (Kwon & Mihindukulasooriya 2022)
and the word co-occurrence map of trustworthy-ML research (Derzsy, Majumdar & Malik 2021).
"""

__version__ = "0.1.0"
