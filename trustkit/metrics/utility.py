"""Utility scores beside the bias score: perplexity on held-out text, and StereoSet's LMS.

Causal LMs get their exact perplexity; masked LMs the pseudo-perplexity of Salazar et al. (2020),
exp(−PLL / tokens), from the same per-token log-probabilities the bias scores use. StereoSet's
language-modeling score (LMS, Nadeem et al. 2021) comes from ``trustkit.metrics.stereoset``.
"""

from __future__ import annotations

import math

import pandas as pd

from trustkit.errors import InputError

__all__ = ["HELDOUT_TEXT", "heldout_texts", "lms_line", "perplexity", "stereoset_lms"]

#: the default held-out text: English ACL Anthology abstracts (2024) of 200–1,000 characters,
#: a seeded random sample; they are not sentences of any bias benchmark, but a model may have
#: read them in pretraining, so the number compares models and deployment choices, not domains
HELDOUT_TEXT = {"dataset": "acl_anthology", "year": 2024, "min_chars": 200, "max_chars": 1000}


def heldout_texts(n: int = 100, *, seed: int = 0) -> pd.DataFrame:
    """A fixed sample of ``n`` held-out texts (:data:`HELDOUT_TEXT`), the same for every model.

    Returns
    -------
    DataFrame ``anthology_id, text`` sorted by id; ``attrs`` holds the dataset's sha256, seed and n.

    Example
    -------
    >>> texts = heldout_texts(5, seed=0)
    >>> texts.anthology_id.tolist(), texts.attrs["seed"]
    (['2024.ctt-1.5', '2024.ecnlp-1.14', '2024.semeval-1.144', '2024.tacl-1.7', '2024.yrrsds-1.8'], 0)
    """
    from trustkit.data.anthology import load_acl_anthology

    if n < 1:
        raise InputError(f"n must be at least 1, got {n}")
    papers = load_acl_anthology()
    spec = HELDOUT_TEXT
    length = papers["abstract"].str.len()
    pool = papers[
        (papers["year"] == spec["year"])
        & papers["language"].fillna("").isin(["", "eng"])  # unmarked papers are English
        & length.between(spec["min_chars"], spec["max_chars"])
    ]
    if len(pool) < n:
        raise InputError(f"only {len(pool)} held-out abstracts match {spec}; ask for fewer than {n}")
    sample = pool.sample(n, random_state=seed).sort_values("anthology_id")
    out = pd.DataFrame(
        {"anthology_id": sample["anthology_id"].to_numpy(), "text": sample["abstract"].to_numpy()}
    )
    out.attrs.update({**spec, "sha256": papers.attrs.get("sha256"), "seed": seed, "n": n})
    return out


def perplexity(scorer, texts) -> dict:
    """Perplexity of ``scorer``'s model on ``texts``, per token and per byte.

    For a causal LM: exact, every token of each text scored after one prefix token (the
    scorer's policy), ``ll`` summed over all texts. For a masked LM: pseudo-perplexity from the
    PLL (each token masked in turn), which is not comparable with a causal perplexity.

    * ``perplexity`` = exp(−Σ log p / Σ tokens) (tokens of the model's own tokenizer);
    * ``byte_perplexity`` = exp(−Σ log p / Σ UTF-8 bytes) and ``bits_per_byte`` = −Σ log p /
      (Σ bytes · ln 2): comparable across tokenizers.

    Parameters
    ----------
    scorer : a trustkit scorer (``trustkit.scoring.load_scorer``).
    texts : sequence of str, or the DataFrame of :func:`heldout_texts` (its ``text`` column).

    Returns
    -------
    dict ``kind, perplexity, byte_perplexity, bits_per_byte, log_likelihood, n_texts,
    n_tokens, n_bytes``, ``n_left_out`` (texts longer than the model's window, left out, not
    cut) and ``text`` (the sample's description when given a DataFrame).

    Example
    -------
    >>> from trustkit.models import random_control
    >>> from trustkit.scoring import load_scorer
    >>> s = load_scorer(random_control("bert", "tiny"), random_control=True, cache=False, progress=False)
    >>> u = perplexity(s, ["The cat sat on the mat."])
    >>> u["kind"], u["n_tokens"], u["n_bytes"]
    ('pseudo-perplexity', 7, 23)
    """
    described = dict(texts.attrs) if isinstance(texts, pd.DataFrame) else None
    items = list(texts["text"]) if isinstance(texts, pd.DataFrame) else list(texts)
    if not items:
        raise InputError("perplexity needs at least one text")
    # a text longer than the model's window is left out (and counted), never cut: a cut text's
    # bytes and tokens would no longer match
    problems = scorer.problems(items)
    left_out = [i for i, p in enumerate(problems) if p is not None]
    items = [t for t, p in zip(items, problems) if p is None]
    if not items:
        raise InputError(f"none of the {len(problems)} texts can be scored: {problems[0]}")
    metric = "ll" if scorer.kind == "causal" else "pll"
    tokens = scorer.score_tokens(items, metric)
    scored = tokens[tokens["scored"]]
    total = float(scored["log_prob"].sum())
    n_tokens, n_bytes = len(scored), sum(len(t.encode("utf-8")) for t in items)
    return {
        "kind": "perplexity" if metric == "ll" else "pseudo-perplexity",
        "perplexity": math.exp(-total / n_tokens),
        "byte_perplexity": math.exp(-total / n_bytes),
        "bits_per_byte": -total / (n_bytes * math.log(2)),
        "log_likelihood": total,
        "n_texts": len(items),
        "n_tokens": n_tokens,
        "n_bytes": n_bytes,
        "n_left_out": len(left_out),
        "text": described,
    }


def stereoset_lms(scorer, *, n_examples: int | None = None, seed: int = 0, examples=None) -> dict:
    """StereoSet's language-modeling score (LMS) of ``scorer``'s model, with SS and ICAT beside it.

    The intrasentence examples are scored as StereoSet's own code does
    (``trustkit.metrics.stereoset.score_stereoset_original``: the BLANK word's probability for a
    masked LM, the geometric-mean token probability after ``<|endoftext|>`` (when the tokenizer
    has it) for a causal LM) and counted by ``stereoset_scores``: LMS is the share of
    (stereotype, anti-stereotype) candidates that score strictly above the unrelated one, per
    target term, averaged over terms. 100 is ideal; a model that cannot tell a related from an
    unrelated candidate sits near 50. Contexts with more than one BLANK are left out (counted).

    Parameters
    ----------
    scorer : a trustkit scorer (``trustkit.scoring.load_scorer``).
    n_examples : a seeded random sample of this many examples; None: every example.
    seed : the sample's seed.
    examples : the intrasentence examples (default ``trustkit.data.load_stereoset()``).

    Returns
    -------
    dict ``kind`` (``"stereoset_lms"``), ``lms``, ``ss``, ``icat``, ``n``, ``n_targets``,
    ``scorer`` (the original scorer's name), ``n_left_out`` and ``data`` (dataset, sha256, seed).

    Example
    -------
    >>> from trustkit.models import random_control
    >>> from trustkit.scoring import load_scorer
    >>> s = load_scorer(random_control("bert", "tiny"), random_control=True, cache=False, progress=False)
    >>> u = stereoset_lms(s, n_examples=20)
    >>> u["kind"], u["n"], u["scorer"], 0 <= u["lms"] <= 100
    ('stereoset_lms', 20, 'stereoset_blank', True)
    """
    from trustkit.metrics.stereoset import (
        _stereoset_policy_scorer,
        score_stereoset_original,
        stereoset_scores,
    )

    if examples is None:
        from trustkit.data.stereoset import load_stereoset

        examples = load_stereoset("intrasentence")
    one_blank = examples["context"].str.count("BLANK") == 1
    pool = examples[one_blank]
    if n_examples is not None:
        if not 1 <= n_examples <= len(pool):
            raise InputError(
                f"n_examples must be between 1 and {len(pool)} (the StereoSet examples with one BLANK), "
                f"got {n_examples}"
            )
        pool = pool.sample(n_examples, random_state=seed).sort_index()
    scored = score_stereoset_original(pool, _stereoset_policy_scorer(scorer))
    overall = stereoset_scores(scored, kind=None).set_index("domain").loc["overall"]
    return {
        "kind": "stereoset_lms",
        "lms": float(overall["lms"]),
        "ss": float(overall["ss"]),
        "icat": float(overall["icat"]),
        "n": int(overall["n"]),
        "n_targets": int(overall["n_targets"]),
        "scorer": scored.attrs["scorer"],
        "n_left_out": int((~one_blank).sum()),
        "data": {
            "dataset": "stereoset",
            "task": "intrasentence",
            "sha256": examples.attrs.get("sha256"),
            "seed": seed if n_examples is not None else None,
            "n_examples": n_examples,
        },
    }


def lms_line(lms: dict, label: str | None = None) -> str:
    """One line for a StereoSet LMS record (:func:`stereoset_lms`), of the run ``label`` if given.

    Example
    -------
    >>> print(lms_line({"lms": 88.61, "ss": 60.2, "icat": 70.5, "n": 2104, "scorer": "geomean_prob",
    ...     "n_left_out": 2, "data": {"seed": None}}))
    utility: StereoSet LMS 88.6 (SS 60.2, ICAT 70.5; 2104 intrasentence examples, all, scorer geomean_prob)
    """
    seed = (lms.get("data") or {}).get("seed")
    sample = "all" if seed is None else f"seeded sample, seed {seed}"
    run = f" {label}" if label else ""
    return (
        f"utility{run}: StereoSet LMS {lms['lms']:.1f} (SS {lms['ss']:.1f}, ICAT {lms['icat']:.1f}; "
        f"{lms['n']} intrasentence examples, {sample}, scorer {lms['scorer']})"
    )
