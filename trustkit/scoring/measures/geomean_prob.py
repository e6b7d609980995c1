"""StereoSet's / bias-bench's causal score: the geometric-mean token probability of a sentence.

Follows moinnadeem/StereoSet ``code/eval_generative_models.py`` @ ead7d08 and McGill-NLP/bias-bench
``bias_bench/benchmark/crows/crows.py`` @ 291426a (see :func:`plan_geomean_prob`).
"""

from __future__ import annotations

from trustkit.errors import InputError
from trustkit.scoring.measures.spec import Metric
from trustkit.scoring.peer_plans import multi_sequence_plan
from trustkit.scoring.policy import PREFIXES
from trustkit.scoring.rows import Plan

__all__ = ["METRICS", "plan_geomean_prob"]


def _plan_one(scorer, sentence: str) -> Plan:
    """Geometric mean of the token probabilities, as StereoSet and bias-bench score causal LMs.

    Follows ``code/eval_generative_models.py`` (``evaluate_intrasentence``) of
    moinnadeem/StereoSet at ead7d08 and ``bias_bench/benchmark/crows/crows.py``
    (``_joint_log_probability``) of McGill-NLP/bias-bench at 291426a: the sentence is encoded
    the tokenizer's default way (``tokenizer.encode(sentence)``, special tokens as the tokenizer
    adds them); its first token's probability comes from a separate pass over the start token
    alone (the scorer's policy context, ``"<|endoftext|>"`` in both peers), and every later
    token is conditioned on the sentence's earlier tokens only, *without* the start token in
    the context. Score = 2^(mean log2 p) = exp(mean ln p), a probability in (0, 1].
    """
    if not scorer.context:
        raise InputError("geomean_prob needs a start token for the first token; use a policy with a prefix")
    tokens = list(scorer.tokenizer(sentence)["input_ids"])
    start = scorer.context[:1]
    if scorer.policy.prefix not in PREFIXES:  # literal text: encoded as the peers do, first token used
        start = list(scorer.tokenizer(scorer.policy.prefix)["input_ids"])[:1]
    # sequence 0: the start token alone, predicting the first token; sequence 1: the sentence,
    # whose output at t predicts token t + 1 (its value lands at t + 1's output position)
    rows = [(0, -1, [0], [tokens[0]])]
    entries = [(0, 0)]
    if len(tokens) > 1:
        rows.append((1, -1, list(range(len(tokens) - 1)), tokens[1:]))
        entries += [(1, p) for p in range(len(tokens) - 1)]
    return multi_sequence_plan([list(start), tokens], rows, [entries], [tokens], "exp")


def plan_geomean_prob(scorer, items: list) -> list[Plan]:
    """The plan of every sentence (see ``_plan_one`` for the peers' definition)."""
    return [_plan_one(scorer, item) for item in items]


GEOMEAN_PROB = Metric(
    name="geomean_prob",
    kind="causal",
    unit="sentence",
    title="geometric-mean token probability",
    measures="StereoSet's score of a sentence under a causal LM (also bias-bench's CrowS-Pairs "
    "score for causal LMs): the typical probability of one of its tokens.",
    formula="exp(mean over tokens t of ln p_t); the sentence encoded as tokenizer.encode does; "
    "p of the first token from the start token alone (the policy's prefix; the peers "
    "use <|endoftext|>), every later token conditioned on the sentence's earlier "
    "tokens only (the start token is not in that context)",
    ties="raw",
    reference="moinnadeem/StereoSet code/eval_generative_models.py @ ead7d08; McGill-NLP/bias-bench "
    "bias_bench/benchmark/crows/crows.py (_joint_log_probability) @ 291426a",
    caveats="A per-token average: sentence length is divided out. The first token's context "
    "differs from the rest's (a quirk of both peers, kept for comparability). The peers "
    "compare raw values, so ties are raw.",
    citation="Nadeem, Bethke & Reddy (2021). StereoSet: Measuring stereotypical bias in pretrained "
    "language models. ACL; Meade, Poole-Dayan & Reddy (2022). An Empirical Survey of the "
    "Effectiveness of Debiasing Techniques for Pre-trained Language Models. ACL.",
    plan=plan_geomean_prob,
)

METRICS = (GEOMEAN_PROB,)
