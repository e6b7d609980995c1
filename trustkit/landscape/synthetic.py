"""A synthetic paper table with planted topic communities, shaped like the ACL Anthology table.

The tests check that the study recovers what was planted; it also makes a seconds-long demo.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Planted topics: each a set of words that papers of the topic use together.
PLANTED_TOPICS: dict[str, tuple[str, ...]] = {
    "privacy": (
        "privacy",
        "private",
        "anonymization",
        "leakage",
        "membership",
        "encryption",
        "federated",
        "confidential",
        "deidentification",
        "disclosure",
        "sensitive",
        "redaction",
    ),
    "fairness": (
        "fairness",
        "gender",
        "demographic",
        "bias",
        "stereotype",
        "debiasing",
        "race",
        "ethnicity",
        "discrimination",
        "equity",
        "minority",
        "harm",
    ),
    "translation": (
        "translation",
        "bleu",
        "decoder",
        "bilingual",
        "parallel",
        "alignment",
        "reordering",
        "wmt",
        "nmt",
        "postediting",
        "interpreter",
        "transfer",
    ),
    "parsing": (
        "parsing",
        "treebank",
        "syntax",
        "dependency",
        "constituency",
        "grammar",
        "parser",
        "tree",
        "head",
        "arc",
        "projective",
        "chart",
    ),
}

#: Words every topic uses at the same rate (they should end up with no strong edges).
NOISE_WORDS = tuple(
    [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "zeta",
        "eta",
        "theta",
        "iota",
        "kappa",
        "lambda",
        "sigma",
        "omega",
        "rho",
        "tau",
        "phi",
        "chi",
        "psi",
        "omicron",
        "upsilon",
    ]
)


def planted_papers(
    n_per_topic: int = 100,
    topics: dict[str, tuple[str, ...]] | None = None,
    words_per_paper: int = 10,
    noise_per_paper: int = 3,
    years: tuple[int, ...] = (2021, 2022, 2023),
    positive_topic: str | None = "privacy",
    positive_venue: str = "2022.trustnlp-1",
    n_positive: int = 10,
    seed: int = 0,
) -> pd.DataFrame:
    """Papers whose titles and abstracts draw words from one planted topic plus shared noise.

    Parameters
    ----------
    n_per_topic
        papers per topic.
    topics
        topic -> words (default :data:`PLANTED_TOPICS`).
    words_per_paper
        topic words per abstract (drawn with replacement); the title has 3 more.
    noise_per_paper
        words from :data:`NOISE_WORDS` per abstract.
    years
        publication years, assigned in turn.
    positive_topic
        papers of this topic are the first to get ``positive_venue``.
    positive_venue, n_positive
        the venue (e.g. a TrustNLP volume) and how many papers get it.
    seed
        random seed.

    Returns
    -------
    DataFrame with the ACL Anthology columns (``anthology_id, year, venue, language, title,
    abstract, trustnlp``) plus ``topic`` (the planted truth).

    >>> planted_papers(n_per_topic=2)["topic"].value_counts().tolist()
    [2, 2, 2, 2]
    """
    topics = PLANTED_TOPICS if topics is None else topics
    rng = np.random.default_rng(seed)
    rows = []
    for name, words in topics.items():
        for i in range(n_per_topic):
            title = " ".join(rng.choice(words, 3))
            body = list(rng.choice(words, words_per_paper)) + list(rng.choice(NOISE_WORDS, noise_per_paper))
            rng.shuffle(body)
            abstract = ". ".join(" ".join(body[j : j + 4]) for j in range(0, len(body), 4)) + "."
            positive = name == positive_topic and i < n_positive
            year = years[(len(rows)) % len(years)]
            rows.append(
                {
                    "anthology_id": f"{year}.synthetic-1.{len(rows) + 1}",
                    "year": year,
                    "collection": f"{year}.synthetic",
                    "venue": positive_venue if positive else f"{year}.synthetic-1",
                    "language": "",
                    "title": title.capitalize(),
                    "abstract": abstract.capitalize(),
                    "trustnlp": positive,
                    "topic": name,
                }
            )
    return pd.DataFrame(rows)


#: settings of a small study of :func:`planted_papers`, seconds to run (the docstring examples')
SMALL_SETTINGS = {
    "years": (2021, 2023),
    "phrase_threshold": 2.0,
    "min_df": 5,
    "min_cooccurrence": 5,
    "stability_seeds": 1,
    "n_resamples": 200,
    "top_n": 5,
    "min_community_size": 5,
}


def small_landscape(seed: int = 3):
    """``run_landscape`` with :data:`SMALL_SETTINGS` on ``planted_papers(n_per_topic=80, seed=seed)``.

    The study the examples of the landscape's figures and tables share.

    Example
    -------
    >>> result = small_landscape()
    >>> len(result.top_words) >= 4  # the four planted topics come back as communities
    True
    """
    from trustkit.landscape.study import run_landscape

    papers = planted_papers(n_per_topic=80, seed=seed)
    return run_landscape(SMALL_SETTINGS, papers=papers, progress=False)
