"""Causal log-likelihood ``ll`` and its shared-token variant ``ll_shared``: one row per sentence.

Convention of lm-evaluation-harness's crows_pairs task, as the scorer's ``CausalPolicy`` states it.
"""

from __future__ import annotations

from trustkit.scoring.crows import shared_spans
from trustkit.scoring.measures.spec import Metric
from trustkit.scoring.peer_plans import normalised
from trustkit.scoring.rows import Plan

__all__ = ["METRICS", "plan_ll", "plan_ll_shared"]


def plan_ll(scorer, items: list) -> list[Plan]:
    """Every token from the policy's first scored one on, each with its full left context."""
    first = scorer._first()
    return [
        normalised(scorer._rows([ids], [list(range(first, len(ids)))]), scorer.policy, [item])
        for item, ids in zip(items, scorer._truncated_many(items))
    ]


def plan_ll_shared(scorer, items: list) -> list[Plan]:
    """As :func:`plan_ll` for both sentences of a pair, counting only the tokens they share."""
    first = scorer._first()
    ids = scorer._truncated_many([s for pair in items for s in pair])
    c = len(scorer.context)
    plans = []
    for item, ids1, ids2 in zip(items, ids[0::2], ids[1::2]):
        t1, t2 = shared_spans(ids1[c:], ids2[c:])  # align the sentences, not the context
        counted = [[p + c for p in t1 if p + c >= first], [p + c for p in t2 if p + c >= first]]
        plans.append(normalised(scorer._rows([ids1, ids2], counted), scorer.policy, list(item)))
    return plans


LL = Metric(
    name="ll",
    kind="causal",
    unit="sentence",
    title="log-likelihood",
    measures="How likely the causal LM finds the sentence, left to right.",
    formula="LL(S) = sum over every token t of S (encoded without special tokens) of "
    "log P(t | prefix token, earlier tokens); prefix = BOS, else EOS. Every choice is "
    "the scorer's CausalPolicy (prefix bos/eos/none/text, first token scored or not, "
    "chat template, normalisation sum/mean/per_char/per_byte); this is its default",
    ties="3dp",
    reference="EleutherAI lm-evaluation-harness crows_pairs task (log-likelihood after the "
    "prefix token); minicons IncrementalLMScorer",
    caveats="Longer sentences score lower (normalise='mean', 'per_char' or 'per_byte' divides "
    "it out). Instruct models are scored without a chat template unless the policy "
    "asks for one.",
    citation="The standard left-to-right log-likelihood, with the prefix convention of "
    "lm-evaluation-harness (Gao et al., A framework for few-shot language model "
    "evaluation, Zenodo).",
    plan=plan_ll,
    default_for=("sentences", "pairs"),
)

LL_SHARED = Metric(
    name="ll_shared",
    kind="causal",
    unit="pair",
    title="shared-token log-likelihood",
    measures="The causal counterpart of crows: log-likelihood of only the tokens the two "
    "sentences share, each with its full left context.",
    formula="sum of log P(t | prefix, earlier tokens) over the difflib 'equal' blocks of the "
    "two sentences' token ids, in metric.py's order",
    ties="3dp",
    reference="trustkit's own definition, checked against the sum of ll's per-token terms",
    caveats="Unlike crows, a shared token's context includes the differing words before it.",
    citation="Nangia et al. (2020), adapted to causal LMs.",
    plan=plan_ll_shared,
)

METRICS = (LL, LL_SHARED)
