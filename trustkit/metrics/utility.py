"""A utility score beside the bias score: perplexity on a fixed, seeded sample of held-out text.

Causal LMs get their exact perplexity; masked LMs the pseudo-perplexity of Salazar et al. (2020),
exp(−PLL / tokens), from the same per-token log-probabilities the bias scores use.
"""

from __future__ import annotations

import math

import pandas as pd

from trustkit.errors import InputError

__all__ = ["HELDOUT_TEXT", "heldout_texts", "perplexity"]

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
    >>> texts = heldout_texts(5, seed=0)  # doctest: +SKIP
    >>> len(texts), texts.attrs["seed"]  # doctest: +SKIP
    (5, 0)
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
