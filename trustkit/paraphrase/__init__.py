"""Paraphrases of bias-benchmark pairs: seeded backends, pair-consistent rewriting, filters, tables.

``paraphrase_pairs(load_pairs("crows_pairs"), BackTranslationParaphraser(), n_paraphrases=3)`` gives a long
table (Finspector's columns, ``para_index`` 0 = the original); ``to_pair_table`` makes it scoreable.
"""

from trustkit.errors import InputError, UnknownNameError
from trustkit.paraphrase.backtranslation import (
    BackTranslationParaphraser,
    input_variants,
    toggle_contractions,
)
from trustkit.paraphrase.base import Paraphraser, input_problem
from trustkit.paraphrase.cache import ParaphraseCache
from trustkit.paraphrase.consistent import differing_spans, is_minimal_pair_like, transfer_group_words
from trustkit.paraphrase.filters import (
    FilterSettings,
    SimilarityScorer,
    chrf,
    diversity,
    fluency_rejection,
    length_ratio,
    normalise,
    similarity_rejection,
    surface_rejection,
    word_edit_distance,
)
from trustkit.paraphrase.fluency import FluencyScorer
from trustkit.paraphrase.llm import InstructionParaphraser
from trustkit.paraphrase.pipeline import MODES, ParaphraseResult, paraphrase_pairs
from trustkit.paraphrase.rejections import REJECTION_KINDS, Rejection
from trustkit.paraphrase.seq2seq import Seq2SeqParaphraser, TranslationPairParaphraser, load_seq2seq
from trustkit.paraphrase.table import (
    LONG_COLUMNS,
    REJECTED_COLUMNS,
    WORDING_PAIR_COLUMNS,
    load_paraphrases,
    pair_wordings,
    read_metadata,
    rejected_path,
    save_paraphrases,
    to_dataset,
    to_pair_table,
)

METHODS = ("backtranslation", "llm", "seq2seq")


def make_paraphraser(method: str, model: str | None = None, **options) -> Paraphraser:
    """Build a backend by name: "backtranslation", "llm" or "seq2seq".

    ``model`` is the LLM (default ``smollm2-135m-instruct``) or the seq2seq model (required; two
    models separated by a comma make a translation pair, e.g.
    ``Helsinki-NLP/opus-mt-en-de,Helsinki-NLP/opus-mt-de-en``). ``options`` go to the backend.

    >>> make_paraphraser("backtranslation").backend_id.startswith("backtranslation:")
    True
    """
    if method == "backtranslation":
        return BackTranslationParaphraser(**options)
    if method == "llm":
        return InstructionParaphraser(model or "smollm2-135m-instruct", **options)
    if method == "seq2seq":
        if not model:
            raise InputError(
                "the seq2seq method needs a model, e.g. humarin/chatgpt_paraphraser_on_T5_base "
                "or 'Helsinki-NLP/opus-mt-en-de,Helsinki-NLP/opus-mt-de-en'"
            )
        if "," in model:
            forward, backward = (m.strip() for m in model.split(",", 1))
            options.pop("prefix", None)
            return TranslationPairParaphraser(forward, backward, **options)
        return Seq2SeqParaphraser(model, **options)
    raise UnknownNameError("paraphrase method", method, METHODS)


def paraphraser_from_spec(spec: str, **options) -> Paraphraser:
    """Build a backend from ``"<method>"`` or ``"<method>:<model>"`` (the notebooks' and profiles' form).

    Methods are those of :func:`make_paraphraser`: ``backtranslation`` (offline), ``llm`` (an
    instruction LM, default SmolLM2), ``seq2seq`` (a hub model such as
    ``prithivida/parrot_paraphraser_on_T5``).

    >>> paraphraser_from_spec("backtranslation").backend_id.startswith("backtranslation:")
    True
    """
    method, _, model = str(spec).partition(":")
    return make_paraphraser(method, model or None, **options)


__all__ = [
    "LONG_COLUMNS",
    "METHODS",
    "MODES",
    "REJECTED_COLUMNS",
    "REJECTION_KINDS",
    "WORDING_PAIR_COLUMNS",
    "BackTranslationParaphraser",
    "FilterSettings",
    "FluencyScorer",
    "InstructionParaphraser",
    "ParaphraseCache",
    "ParaphraseResult",
    "Paraphraser",
    "Rejection",
    "Seq2SeqParaphraser",
    "SimilarityScorer",
    "TranslationPairParaphraser",
    "chrf",
    "differing_spans",
    "diversity",
    "fluency_rejection",
    "input_problem",
    "input_variants",
    "is_minimal_pair_like",
    "length_ratio",
    "load_paraphrases",
    "load_seq2seq",
    "make_paraphraser",
    "normalise",
    "pair_wordings",
    "paraphrase_pairs",
    "paraphraser_from_spec",
    "read_metadata",
    "rejected_path",
    "save_paraphrases",
    "similarity_rejection",
    "surface_rejection",
    "to_dataset",
    "to_pair_table",
    "toggle_contractions",
    "transfer_group_words",
    "word_edit_distance",
]
