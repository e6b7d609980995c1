"""PLL (Salazar et al. 2020) and PLL-word-l2r (Kauf & Ivanova 2023): one masked position per row.

Each token of the sentence (special tokens excluded) is masked in turn and scored; word-l2r
also masks the later sub-tokens of the scored token's word.
"""

from __future__ import annotations

from trustkit.errors import InputError
from trustkit.scoring.measures.spec import Metric
from trustkit.scoring.rows import Plan

__all__ = ["METRICS", "plan_pll", "plan_pll_word_l2r"]


def _plans(scorer, items: list, *, whole_words: bool) -> list[Plan]:
    plans = []
    for ids, special, words in scorer._encoded(items, special=True, cut=scorer.truncate):
        scored = [p for p, s in enumerate(special) if not s]
        masks = None
        if whole_words:
            if words is None:
                raise InputError(
                    "pll_word_l2r needs a fast tokenizer (word_ids); load the model's "
                    "tokenizer with use_fast=True"
                )
            masks = [
                [
                    (p,)
                    + tuple(
                        q for q in range(p + 1, len(ids)) if words[p] is not None and words[q] == words[p]
                    )
                    for p in scored
                ]
            ]
        plans.append(Plan.one_mask_per_row([ids], [scored], [scored], masks))
    return plans


def plan_pll(scorer, items: list) -> list[Plan]:
    """One row per scored token, that token masked (special tokens are not scored)."""
    return _plans(scorer, items, whole_words=False)


def plan_pll_word_l2r(scorer, items: list) -> list[Plan]:
    """As :func:`plan_pll`, the later sub-tokens of the scored token's word masked too."""
    return _plans(scorer, items, whole_words=True)


PLL = Metric(
    name="pll",
    kind="masked",
    unit="sentence",
    title="pseudo-log-likelihood",
    measures="How likely the masked LM finds the sentence, one token at a time with that token hidden.",
    formula="PLL(S) = sum over tokens t of S (special tokens excluded) of log P(t | S with t masked)",
    ties="3dp",
    reference="minicons MaskedLMScorer (PLL_metric='original'); awslabs/mlm-scoring",
    caveats="Inflated for words split into several sub-tokens (the other sub-tokens of the word "
    "give the masked one away; Kauf & Ivanova 2023). Longer sentences score lower, so "
    "compare only sentences of similar length.",
    citation="Salazar, Liang, Nguyen & Kirchhoff (2020). Masked Language Model Scoring. ACL.",
    plan=plan_pll,
    one_position_per_row=True,
    default_for=("sentences",),
)

PLL_WORD_L2R = Metric(
    name="pll_word_l2r",
    kind="masked",
    unit="sentence",
    title="PLL, within-word left-to-right",
    measures="PLL without the sub-token give-away: when a sub-token is scored, the later "
    "sub-tokens of its word are masked too.",
    formula="sum over tokens t of log P(t | S with t and the later sub-tokens of t's word "
    "masked); words from the fast tokenizer's word_ids",
    ties="3dp",
    reference="minicons MaskedLMScorer (PLL_metric='within_word_l2r')",
    caveats="Needs a fast tokenizer (word_ids). Same length dependence as pll.",
    citation="Kauf & Ivanova (2023). A Better Way to Do Masked Language Model Scoring. ACL.",
    plan=plan_pll_word_l2r,
    one_position_per_row=True,
)

METRICS = (PLL, PLL_WORD_L2R)
