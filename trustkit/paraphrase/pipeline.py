"""From benchmark pairs to a filtered, paraphrased dataset: ``paraphrase_pairs``.

Runs a backend over the pairs, rewrites pair-consistently (or independently), applies the
filters, and returns the kept long table with every rejected candidate and its reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from trustkit.errors import InputError
from trustkit.paraphrase.base import Paraphraser, input_problem
from trustkit.paraphrase.consistent import is_minimal_pair_like, transfer_group_words
from trustkit.paraphrase.filters import (
    FilterSettings,
    SimilarityScorer,
    chrf,
    diversity,
    fluency_rejection,
    similarity_rejection,
    surface_rejection,
)
from trustkit.paraphrase.rejections import Rejection
from trustkit.paraphrase.table import LONG_COLUMNS, REJECTED_COLUMNS
from trustkit.summary import Summary

MODES = ("consistent", "independent")
#: what paraphrase_pairs needs of a pair table (``trustkit.data.PAIR_COLUMNS`` without ``source_row``)
PAIR_INPUT_COLUMNS = {"pair_id", "sent_more", "sent_less", "direction", "bias_type"}


@dataclass
class ParaphraseResult:
    """What a paraphrase run made: the kept table, the rejections, and the settings.

    ``table``: kept long table (``table.LONG_COLUMNS``); ``rejected``: every rejected candidate
    and bad input row with its ``kind`` (``rejections.REJECTION_KINDS``) and human-readable
    ``reason`` (``table.REJECTED_COLUMNS``); ``settings``: what produced them.
    """

    table: pd.DataFrame
    rejected: pd.DataFrame
    settings: dict = field(default_factory=dict)

    def summary(self) -> Summary:
        """The run in numbers: pairs, yield, kept and rejected counts, similarity, diversity.

        Yield is the share of pairs with at least one kept paraphrase pair; similarity and
        diversity are the means over kept paraphrases; rejections are also counted by kind.
        A :class:`~trustkit.summary.Summary` (a dict) titled by the backend.
        """
        pairs = self.settings.get("pairs", self.table["pair_id"].nunique())
        para = self.table[self.table["para_index"] > 0]
        values = {
            "pairs": int(pairs),
            "pairs_with_paraphrase": int(para["pair_id"].nunique()),
            "yield": para["pair_id"].nunique() / pairs if pairs else math.nan,
            "kept_paraphrase_pairs": int(len(para) // 2),
            "mean_similarity": float(para["similarity"].mean()) if len(para) else math.nan,
            "mean_diversity": float(para["diversity"].mean()) if len(para) else math.nan,
            "rejected": len(self.rejected),
            "rejected_by_kind": self.rejected["kind"].value_counts().to_dict(),
        }
        return Summary(values, title=str(self.settings.get("backend", "")))


def _check_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(pairs, pd.DataFrame):
        raise TypeError("pairs must be a DataFrame from trustkit.data.load_pairs")
    missing = PAIR_INPUT_COLUMNS - set(pairs.columns)
    if missing:
        raise InputError(f"pairs lack columns {sorted(missing)}; load them with trustkit.data.load_pairs")
    if pairs["pair_id"].duplicated().any():
        raise InputError("pair_id must be unique")
    return pairs.reset_index(drop=True)


def paraphrase_pairs(
    pairs: pd.DataFrame,
    paraphraser: Paraphraser,
    *,
    n_paraphrases: int = 5,
    seed: int = 0,
    mode: str = "consistent",
    settings: FilterSettings | None = None,
    scorer: SimilarityScorer | None = None,
    fluency=None,
    progress: bool = True,
) -> ParaphraseResult:
    """Paraphrase benchmark pairs and keep the candidates that pass every filter.

    ``consistent`` mode paraphrases sent_more and puts sent_less's group words into each
    candidate (``transfer_group_words``); ``independent`` mode paraphrases both sentences on their
    own and pairs the k-th kept paraphrase of each (``minimal_pair`` then says whether the pair
    still differs only in the group words). Each candidate must differ from its source, not repeat
    an earlier one, keep its length within bounds, reach the similarity threshold and read about
    as fluently as its source (``settings.max_fluency_drop``); in consistent mode both sentences of
    the new pair must.

    Parameters
    ----------
    pairs : DataFrame with ``pair_id, sent_more, sent_less, direction, bias_type``.
    paraphraser : a ``Paraphraser`` backend.
    n_paraphrases, seed : candidates per sentence and the seed (``Paraphraser.generate``).
    mode : "consistent" or "independent".
    settings : FilterSettings (default thresholds when None).
    scorer : SimilarityScorer (all-MiniLM-L6-v2 loaded when None).
    fluency : :class:`~trustkit.paraphrase.fluency.FluencyScorer` (SmolLM2-135M-Instruct loaded when
        None and ``settings.max_fluency_drop`` is set).

    Returns
    -------
    ParaphraseResult with ``table`` (para_index 0 = the original pair, then 1, 2, ... for kept
    paraphrase pairs) and ``rejected`` (bad input rows have ``para_candidate`` -1).

    Example
    -------
    >>> from trustkit.paraphrase.similarity import SimilarityScorer
    >>> class WordSwap(Paraphraser):  # a toy backend: two fixed rewrites per sentence
    ...     backend_id, use_cache = "word-swap", False
    ...     def _generate_batch(self, sentences, n, seed):
    ...         return [[s.replace("are", "seem to be"), s.replace("people", "folks")][:n] for s in sentences]
    >>> pairs = pd.DataFrame({"pair_id": [0], "sent_more": ["Poor people are lazy."],
    ...     "sent_less": ["Rich people are lazy."], "direction": ["stereo"], "bias_type": ["socioeconomic"]})
    >>> result = paraphrase_pairs(pairs, WordSwap(), n_paraphrases=2, scorer=SimilarityScorer(cache=False),
    ...                           settings=FilterSettings(max_fluency_drop=None), progress=False)
    >>> result.table.query("more_or_less == 'less'").sentence.tolist()  # the original, then the kept pairs
    ['Rich people are lazy.', 'Rich people seem to be lazy.', 'Rich folks are lazy.']
    >>> result.table.similarity.round(2).tolist()
    [1.0, 1.0, 0.97, 0.97, 0.96, 0.98]
    """
    if mode not in MODES:
        raise InputError(f"mode must be one of {MODES}, got {mode!r}")
    pairs = _check_pairs(pairs)
    settings = settings or FilterSettings()
    scorer = scorer or SimilarityScorer()
    if settings.max_fluency_drop is not None and fluency is None:
        from trustkit.paraphrase.fluency import default_fluency_scorer

        fluency = default_fluency_scorer()
    common = {"backend": paraphraser.backend_id, "seed": int(seed), "mode": mode}
    rejected = _Rejections(common)
    good = _usable_pairs(pairs, rejected)
    sides = ("more",) if mode == "consistent" else ("more", "less")
    candidates = _generate(good, sides, paraphraser, n_paraphrases, seed, progress)
    # Surface checks and group-word transfer first; similarity in one batch afterwards.
    provisional = _surface_checks(good, sides, candidates, mode, settings, rejected)
    accepted = _similarity_checks(provisional, scorer, fluency, settings, rejected)
    rows = _rows(good, accepted, common, rejected)
    table = pd.DataFrame(rows, columns=LONG_COLUMNS)
    order = {"more": 0, "less": 1}
    table = table.sort_values(
        ["pair_id", "para_index", "more_or_less"],
        key=lambda c: c.map(order) if c.name == "more_or_less" else c,
        kind="stable",
    ).reset_index(drop=True)
    return ParaphraseResult(
        table=table,
        rejected=pd.DataFrame(rejected.rows, columns=REJECTED_COLUMNS),
        settings={
            **common,
            "revision": paraphraser.revision,
            "n": int(n_paraphrases),  # the key that saved results carry
            "pairs": len(pairs),
            "min_similarity": settings.min_similarity,
            "min_length_ratio": settings.min_length_ratio,
            "max_length_ratio": settings.max_length_ratio,
            "similarity_model": scorer.model_id,
            "max_fluency_drop": settings.max_fluency_drop,
            "fluency_model": fluency.model_id if settings.max_fluency_drop is not None else None,
        },
    )


# The stages of paraphrase_pairs, in order.


class _Rejections:
    """The rejected candidates, one row each, in the order the stages find them."""

    def __init__(self, common: dict):
        self.common, self.rows = common, []

    def add(self, pair, side, index, source, candidate, reason: Rejection, similarity=math.nan) -> None:
        self.rows.append(
            {
                "pair_id": pair.pair_id,
                "bias_type": pair.bias_type,
                "direction": pair.direction,
                "more_or_less": side,
                "para_candidate": index,
                "source": source,
                "candidate": candidate,
                "kind": reason.kind,
                "reason": str(reason),
                "similarity": similarity,
                **self.common,
            }
        )


def _usable_pairs(pairs: pd.DataFrame, rejected: _Rejections) -> list:
    """The pairs whose two sentences can be paraphrased; the others are rejected as bad input."""
    good = []
    for pair in pairs.itertuples(index=False):
        problems = [
            (side, text, input_problem(text))
            for side, text in (("more", pair.sent_more), ("less", pair.sent_less))
        ]
        problems = [p for p in problems if p[2]]
        for side, text, problem in problems:
            rejected.add(pair, side, -1, text, None, Rejection("bad_input", f"bad input: {problem}"))
        if not problems:
            good.append(pair)
    return good


def _generate(good: list, sides, paraphraser: Paraphraser, n_paraphrases, seed, progress) -> dict:
    """``{(pair_id, side): candidates}``: every source sentence in one ``generate`` call."""
    sources = [getattr(p, f"sent_{side}") for p in good for side in sides]
    generated = paraphraser.generate(sources, n_paraphrases=n_paraphrases, seed=seed, progress=progress)
    return {
        (p.pair_id, side): generated[i * len(sides) + k]
        for i, p in enumerate(good)
        for k, side in enumerate(sides)
    }


def _surface_checks(good: list, sides, candidates: dict, mode: str, settings, rejected: _Rejections) -> list:
    """``[(pair, candidate index, {side: (source, paraphrase)})]`` that pass the surface checks.

    In consistent mode the other sentence is made by transferring the group words, and must pass too.
    """
    provisional = []
    for pair in good:
        kept_text = {side: [] for side in ("more", "less")}
        for side in sides:
            source = getattr(pair, f"sent_{side}")
            for j, candidate in enumerate(candidates[(pair.pair_id, side)]):
                reason = surface_rejection(candidate, source, kept_text[side], settings)
                versions = {side: (source, candidate)}
                if reason is None and mode == "consistent":
                    less, reason = transfer_group_words(candidate, pair.sent_more, pair.sent_less)
                    if less is not None:
                        reason = surface_rejection(less, pair.sent_less, kept_text["less"], settings)
                        reason = reason and reason.detail(f"less sentence: {less!r}")
                        versions["less"] = (pair.sent_less, less)
                if reason is not None:
                    rejected.add(pair, side, j, source, candidate, reason)
                    continue
                for s, (_, text) in versions.items():
                    kept_text[s].append(text)
                provisional.append((pair, j, versions))
    return provisional


def _similarity_checks(provisional: list, scorer, fluency, settings, rejected: _Rejections) -> dict:
    """``{(pair_id, side): [(source, paraphrase, similarity)]}`` of what passes similarity and fluency.

    Fluency is checked only with ``settings.max_fluency_drop`` set (then ``fluency`` is a FluencyScorer).
    """
    flat = [(src, text) for _, _, versions in provisional for src, text in versions.values()]
    texts, sources = [t for _, t in flat], [s for s, _ in flat]
    sims = iter(scorer.similarity(texts, sources))
    checked = settings.max_fluency_drop is not None and flat
    drops = iter(fluency.drop(texts, sources) if checked else [math.nan] * len(flat))
    accepted: dict = {}
    for pair, j, versions in provisional:
        scored = {side: (src, text, next(sims)) for side, (src, text) in versions.items()}
        drop = {side: next(drops) for side in versions}
        failed = [
            (side, similarity_rejection(sim, settings) or fluency_rejection(drop[side], settings))
            for side, (_, _, sim) in scored.items()
        ]
        failed = [(side, reason) for side, reason in failed if reason]
        if failed:
            side, reason = failed[0]
            src, text, sim = scored[side]
            reason = reason if len(scored) == 1 else reason.detail(f"{side} sentence")
            rejected.add(pair, side, j, src, text, reason, sim)
            continue
        for side, value in scored.items():
            accepted.setdefault((pair.pair_id, side), []).append(value)
    return accepted


def _rows(good: list, accepted: dict, common: dict, rejected: _Rejections) -> list[dict]:
    """The long table's rows: each original pair, then its k-th kept more and less paraphrases paired."""
    rows: list[dict] = []
    for pair in good:
        base = {"bias_type": pair.bias_type, "pair_id": pair.pair_id, "direction": pair.direction, **common}
        for side in ("more", "less"):
            rows.append(
                {
                    **base,
                    "para_index": 0,
                    "more_or_less": side,
                    "sentence": getattr(pair, f"sent_{side}"),
                    "similarity": 1.0,
                    "diversity": 0.0,
                    "chrf": 100.0,
                    "minimal_pair": True,
                }
            )
        more = accepted.get((pair.pair_id, "more"), [])
        less = accepted.get((pair.pair_id, "less"), [])
        for k, ((src_m, para_m, sim_m), (src_l, para_l, sim_l)) in enumerate(zip(more, less), start=1):
            minimal = is_minimal_pair_like(para_m, para_l, pair.sent_more, pair.sent_less)
            for side, src, text, sim in (("more", src_m, para_m, sim_m), ("less", src_l, para_l, sim_l)):
                rows.append(
                    {
                        **base,
                        "para_index": k,
                        "more_or_less": side,
                        "sentence": text,
                        "similarity": sim,
                        "diversity": diversity(text, src),
                        "chrf": chrf(text, src),
                        "minimal_pair": minimal,
                    }
                )
        no_partner = Rejection("no_partner", "no partner: the other sentence has fewer kept paraphrases")
        for side, extra in (("more", more[len(less) :]), ("less", less[len(more) :])):
            for src, text, sim in extra:
                rejected.add(pair, side, -1, src, text, no_partner, sim)
    return rows
