"""The metric registry: every metric trustkit scores, with its card, in one place.

The scoring engine (which metrics a masked or causal scorer accepts), the CLI (``trustkit score
--metric`` choices, ``trustkit metrics``), the tie rule of the CrowS-style counts and the docs
(``docs/metrics.md``, checked against :func:`metric_cards_markdown` by the tests) all read this
table. Adding a metric means one :class:`Metric` entry here plus the rows it scores in the scorer
of its model kind (``trustkit/scoring/masked.py`` or ``causal.py``).

Example
-------
>>> [m.name for m in metrics(kind="causal")]
['ll', 'll_shared', 'geomean_prob']
>>> get_metric("aula").ties
'raw'
"""

from __future__ import annotations

from dataclasses import dataclass

from trustkit.errors import UnknownNameError

__all__ = [
    "METRIC_TABLE",
    "Metric",
    "get_metric",
    "metric_card",
    "metric_cards_markdown",
    "metric_names",
    "metrics",
]


@dataclass(frozen=True)
class Metric:
    """One metric and its card.

    Parameters
    ----------
    name : the name every API and the CLI use.
    kind : the model kind it scores, ``"masked"`` or ``"causal"``.
    unit : ``"sentence"`` (one score per sentence), ``"pair"`` (needs both sentences) or
        ``"blank"`` (a StereoSet candidate scored in its BLANK context).
    title : a short human name.
    measures : what the number is, in one or two sentences.
    formula : the score of a sentence (or pair), in plain text.
    ties : ``"raw"`` (two scores tie only when exactly equal) or ``"3dp"`` (scores rounded to
        3 decimals before comparing, as nyu-mll metric.py does).
    reference : the peer implementation trustkit's scores are tested against.
    caveats : what a reader should keep in mind.
    citation : the paper that defines it.
    """

    name: str
    kind: str
    unit: str
    title: str
    measures: str
    formula: str
    ties: str
    reference: str
    caveats: str
    citation: str

    @property
    def tie_decimals(self) -> int | None:
        """Decimals sentence scores are rounded to before a pair is compared (None: raw floats).

        >>> get_metric("crows").tie_decimals, get_metric("aul").tie_decimals
        (3, None)
        """
        return None if self.ties == "raw" else 3


METRIC_TABLE: tuple[Metric, ...] = (
    Metric(
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
    ),
    Metric(
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
    ),
    Metric(
        name="aul",
        kind="masked",
        unit="sentence",
        title="all unmasked likelihood",
        measures="How likely the masked LM finds the sentence when it sees all of it: one forward "
        "pass, no mask.",
        formula="AUL(S) = (1/|S|) sum over tokens t of S (special tokens excluded) of log P(t | S)",
        ties="raw",
        reference="kanekomasahiro/evaluate_bias_in_mlm evaluate.py (--method aul)",
        caveats="The model sees the token it predicts, so AUL rewards copying as much as "
        "plausibility. Ties compare raw floats, as evaluate.py does.",
        citation="Kaneko & Bollegala (2022). Unmasking the Mask - Evaluating Social Biases in "
        "Masked Language Models. AAAI.",
    ),
    Metric(
        name="aula",
        kind="masked",
        unit="sentence",
        title="AUL weighted by attention",
        measures="AUL with each token's log-probability weighted by the attention it receives.",
        formula="AULA(S) = (1/|S|) sum over t of a_t log P(t | S), a_t = attention paid to t "
        "averaged over layers, heads and query positions (not renormalised)",
        ties="raw",
        reference="kanekomasahiro/evaluate_bias_in_mlm evaluate.py (--method aula)",
        caveats="Needs attention weights, so it runs the model with eager attention (restored "
        "afterwards). Values are small (about -0.7), so rounding would make false ties; "
        "ties compare raw floats.",
        citation="Kaneko & Bollegala (2022). Unmasking the Mask - Evaluating Social Biases in "
        "Masked Language Models. AAAI.",
    ),
    Metric(
        name="crows",
        kind="masked",
        unit="pair",
        title="CrowS-Pairs shared-token PLL",
        measures="How likely the masked LM finds the words the two sentences share, given the "
        "words that differ: the score CrowS-Pairs was published with.",
        formula="difflib over the token ids of (stereotyping sentence, other); the shared "
        "positions (without the template's first and last entries) masked one at a time; "
        "score = sum of their log P",
        ties="3dp",
        reference="nyu-mll/crows-pairs metric.py",
        caveats="The shared tokens depend on difflib's alignment, which is not symmetric in its "
        "inputs; trustkit keeps metric.py's order. Uncased tokenizers lowercase first.",
        citation="Nangia, Vania, Bhalerao & Bowman (2020). CrowS-Pairs: A Challenge Dataset for "
        "Measuring Social Biases in Masked Language Models. EMNLP.",
    ),
    Metric(
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
    ),
    Metric(
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
    ),
    Metric(
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
    ),
    Metric(
        name="stereoset_blank",
        kind="masked",
        unit="blank",
        title="StereoSet BLANK-word probability",
        measures="StereoSet's original masked-LM score of a candidate: how likely the model finds "
        "the word that fills the BLANK, in the context sentence.",
        formula="mean over the BLANK word's sub-tokens w_k (word encoded alone) of "
        "P(w_k | context with BLANK -> decode(w_1..w_k-1) + [MASK]); plain mean of "
        "probabilities",
        ties="raw",
        reference="moinnadeem/StereoSet code/dataloader.py (IntrasentenceLoader) and "
        "code/eval_discriminative_models.py @ ead7d08",
        caveats="Needs the BLANK context, so it scores StereoSet candidates only "
        "(trustkit.metrics.score_stereoset_original). The word is tokenized without its "
        "leading space, as the original does (for RoBERTa-style BPE this differs from "
        "the word inside a sentence). Later sub-tokens are absent, not masked.",
        citation="Nadeem, Bethke & Reddy (2021). StereoSet: Measuring stereotypical bias in pretrained "
        "language models. ACL.",
    ),
)

_BY_NAME = {m.name: m for m in METRIC_TABLE}


def get_metric(name: str) -> Metric:
    """The registered metric called ``name``; an unknown name gets a "did you mean".

    >>> get_metric("pll").citation.split(" (")[0]
    'Salazar, Liang, Nguyen & Kirchhoff'
    """
    try:
        return _BY_NAME[name]
    except (KeyError, TypeError):
        raise UnknownNameError("metric", name, _BY_NAME) from None


def metrics(kind: str | None = None, unit: str | None = None) -> list[Metric]:
    """The registered metrics, optionally of one model ``kind`` and one ``unit``, in table order.

    >>> [m.name for m in metrics(kind="masked", unit="pair")]
    ['crows']
    """
    return [m for m in METRIC_TABLE if (kind is None or m.kind == kind) and (unit is None or m.unit == unit)]


def metric_names(kind: str | None = None, unit: str | None = None) -> tuple[str, ...]:
    """Names of :func:`metrics` as a tuple.

    >>> metric_names("masked", "sentence")
    ('pll', 'pll_word_l2r', 'aul', 'aula')
    """
    return tuple(m.name for m in metrics(kind, unit))


def metric_card(name: str) -> str:
    """The card of one metric as Markdown: what it measures, formula, ties, reference, caveats.

    >>> print(metric_card("aul").splitlines()[0])
    ### `aul`: all unmasked likelihood (masked LMs, per sentence)
    """
    m = get_metric(name)
    kind = {"masked": "masked LMs", "causal": "causal LMs"}[m.kind]
    unit = {"sentence": "per sentence", "pair": "per pair", "blank": "per candidate in its context"}[m.unit]
    ties = (
        "raw floats: a tie only when the two scores are exactly equal"
        if m.ties == "raw"
        else "sentence scores rounded to 3 decimals before comparing, as nyu-mll/crows-pairs metric.py does"
    )
    return "\n".join(
        [
            f"### `{m.name}`: {m.title} ({kind}, {unit})",
            "",
            f"- **Measures**: {m.measures}",
            f"- **Formula**: {m.formula}",
            f"- **Ties**: {ties}",
            f"- **Reference implementation**: {m.reference}",
            f"- **Caveats**: {m.caveats}",
            f"- **Citation**: {m.citation}",
        ]
    )


def metric_cards_markdown() -> str:
    """Every metric card, as ``docs/metrics.md`` holds them (the tests check that file is current).

    >>> metric_cards_markdown().count("### `")
    9
    """
    head = (
        "# Metric cards\n\nGenerated from `trustkit/metrics/registry.py` "
        "(`trustkit metrics --markdown > docs/metrics.md`); do not edit by hand.\n"
    )
    return head + "\n" + "\n\n".join(metric_card(m.name) for m in METRIC_TABLE) + "\n"
