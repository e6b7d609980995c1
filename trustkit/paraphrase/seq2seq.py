"""Hub seq2seq paraphrasers (T5-style "paraphrase: " models) and round trips through translation pairs.

For the ``paper`` profile: e.g. ``prithivida/parrot_paraphraser_on_T5``,
``humarin/chatgpt_paraphraser_on_T5_base``, MarianMT ``Helsinki-NLP/opus-mt-en-de`` + ``-de-en``.
"""

from __future__ import annotations

from pathlib import Path

from trustkit.errors import InputError
from trustkit.paraphrase.base import Paraphraser
from trustkit.paraphrase.sampling import row_seed, seeded_generate


def load_seq2seq(name_or_path: str, allow_pickle: bool = False, device: str | None = None):
    """Load an encoder-decoder model and its tokenizer; return ``(model, tokenizer, model_id)``.

    ``hub_revision(name_or_path)`` gives the hub commit on its own (None for a local directory).

    ``model_id`` names the model and its version: ``ID@COMMIT`` for a hub id (``ID[@REVISION]``,
    read from its cache snapshot), ``NAME@<sha256 prefix of the weights>`` for a local directory.
    A pickle-only checkpoint (``pytorch_model.bin``, as Parrot ships) is read weights-only and
    converted once to safetensors (``trustkit.models.pickle_conversion``); ``allow_pickle`` is
    needed only for a pickle that holds more than tensors.

    >>> model, tokenizer, model_id = load_seq2seq("prithivida/parrot_paraphraser_on_T5")  # doctest: +SKIP
    >>> model_id  # doctest: +SKIP
    'prithivida/parrot_paraphraser_on_T5@<commit>'
    """
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from trustkit.models.hub import split_revision
    from trustkit.models.sources import _locate, weights_dir
    from trustkit.models.weights import no_transformers_bars

    source = _locate(name_or_path)
    load_from = weights_dir(source, allow_pickle)
    try:
        with no_transformers_bars():
            model = AutoModelForSeq2SeqLM.from_pretrained(load_from, use_safetensors=True)
    except (OSError, ValueError) as error:
        raise InputError(f"could not load seq2seq model {name_or_path!r}: {error}") from error
    try:
        tokenizer = AutoTokenizer.from_pretrained(load_from)
    except (OSError, ValueError, ImportError) as error:
        raise InputError(
            f"could not load the tokenizer of {name_or_path!r}: {error} (T5 and ALBERT "
            "tokenizers need the paper extra: pip install -e '.[paper]')"
        ) from error
    if not getattr(model.config, "is_encoder_decoder", False):
        raise InputError(
            f"{name_or_path} is not an encoder-decoder model; use InstructionParaphraser for chat LMs"
        )
    model.eval()
    if device:
        model.to(device)
    if source.revision:
        return model, tokenizer, f"{split_revision(source.model_id)[0]}@{source.revision}"
    from trustkit.fileio import sha256_file

    return (
        model,
        tokenizer,
        f"{Path(source.location).name}@{sha256_file(source.weight_files[0], remember=True)[:12]}",
    )


def hub_revision(name_or_path: str) -> str | None:
    """The hub commit a seq2seq model resolves to (its cache snapshot), or None for a local directory.

    >>> hub_revision("prithivida/parrot_paraphraser_on_T5")  # doctest: +SKIP
    '<40-hex commit>'
    """
    from trustkit.models.sources import _locate

    return _locate(name_or_path).revision or None


class Seq2SeqParaphraser(Paraphraser):
    """A seq2seq paraphrase model: input ``prefix + sentence``, ``n`` sampled outputs.

    Candidate ``j`` is sampled (temperature, top-p) with a generator seeded from
    ``(seed, sentence, j)``, like ``InstructionParaphraser``, so it does not depend on the batch.

    Parameters
    ----------
    model : str
        Hub id or local directory of an encoder-decoder model.
    prefix : str
        Task prefix (``"paraphrase: "`` for the T5 paraphrasers).
    temperature, top_p : float
        Sampling settings (default 1.0, 0.95).
    max_new_tokens : int
        Cap per output; each output is also capped at twice the sentence's token count plus 16.
    allow_pickle, device : see ``load_seq2seq``.

    Example
    -------
    >>> Seq2SeqParaphraser("prithivida/parrot_paraphraser_on_T5").generate(  # doctest: +SKIP
    ...     ["Women don't know how to drive."], n_paraphrases=3, seed=0)
    """

    def __init__(
        self,
        model: str,
        prefix: str = "paraphrase: ",
        temperature: float = 1.0,
        top_p: float = 0.95,
        max_new_tokens: int = 96,
        batch_size: int = 8,
        allow_pickle: bool = False,
        device: str | None = None,
        use_cache: bool = True,
    ):
        self.model, self.tokenizer, model_id = load_seq2seq(str(model), allow_pickle, device)
        self.prefix = prefix
        self.temperature, self.top_p, self.max_new_tokens = (
            float(temperature),
            float(top_p),
            int(max_new_tokens),
        )
        self.batch_size, self.use_cache = int(batch_size), use_cache
        self.revision = hub_revision(str(model))
        self.backend_id = (
            f"seq2seq:{model_id}:prefix={prefix.strip()}:t{self.temperature}:p{self.top_p}:"
            f"max{self.max_new_tokens}:gumbel-v2"
        )

    def _caps(self, tokenizer, sentences: list[str], n: int) -> list[int]:
        return [
            min(self.max_new_tokens, 2 * len(tokenizer(s)["input_ids"]) + 16)
            for s in sentences
            for _ in range(n)
        ]

    def _sample(self, texts: list[str], sentences: list[str], n: int, seed: int) -> list[list[str]]:
        """Sample ``n`` outputs per sentence from ``texts`` (n inputs per sentence), each row seeded."""
        seeds = [row_seed(seed, s, j) for s in sentences for j in range(n)]
        outputs = seeded_generate(
            self.model,
            self.tokenizer,
            texts,
            seeds,
            temperature=self.temperature,
            top_p=self.top_p,
            max_new_tokens=self._caps(self.tokenizer, sentences, n),
        )
        outputs = [o.strip() for o in outputs]
        return [outputs[i * n : (i + 1) * n] for i in range(len(sentences))]

    def _generate_batch(self, sentences: list[str], n: int, seed: int) -> list[list[str]]:
        texts = [self.prefix + s for s in sentences for _ in range(n)]
        return self._sample(texts, sentences, n, seed)


class TranslationPairParaphraser(Seq2SeqParaphraser):
    """Back-translation through a pair of translation models (e.g. MarianMT en→de, de→en).

    The forward model translates each sentence once, deterministically (its most likely tokens);
    the backward model samples ``n`` translations back to English, candidate ``j`` seeded from
    ``(seed, sentence, j)``.

    Parameters
    ----------
    forward, backward : str
        Hub ids or local directories, e.g. ``Helsinki-NLP/opus-mt-en-de`` and ``Helsinki-NLP/opus-mt-de-en``.
    temperature, top_p, max_new_tokens, batch_size, allow_pickle, device, use_cache : as in
        ``Seq2SeqParaphraser``.

    Example
    -------
    >>> TranslationPairParaphraser(  # doctest: +SKIP
    ...     "Helsinki-NLP/opus-mt-en-de", "Helsinki-NLP/opus-mt-de-en"
    ... ).generate(["Women don't know how to drive."], n_paraphrases=2)
    """

    def __init__(
        self,
        forward: str,
        backward: str,
        temperature: float = 1.0,
        top_p: float = 0.95,
        max_new_tokens: int = 128,
        batch_size: int = 8,
        allow_pickle: bool = False,
        device: str | None = None,
        use_cache: bool = True,
    ):
        super().__init__(
            backward,
            prefix="",
            temperature=temperature,
            top_p=top_p,
            max_new_tokens=max_new_tokens,
            batch_size=batch_size,
            allow_pickle=allow_pickle,
            device=device,
            use_cache=use_cache,
        )
        self.forward_model, self.forward_tokenizer, forward_id = load_seq2seq(
            str(forward), allow_pickle, device
        )
        # The forward model's commit first, as the backend id names it first.
        self.revision = hub_revision(str(forward)) or self.revision
        self.backend_id = (
            f"translation-pair:{forward_id}>{self.backend_id.split(':', 2)[1]}:t{self.temperature}:"
            f"p{self.top_p}:max{self.max_new_tokens}:gumbel-v2"
        )

    def _generate_batch(self, sentences: list[str], n: int, seed: int) -> list[list[str]]:
        # temperature -> 0 is the argmax; a tiny temperature with top_p near 0 keeps only the top token.
        pivots = seeded_generate(
            self.forward_model,
            self.forward_tokenizer,
            list(sentences),
            [0] * len(sentences),
            temperature=1.0,
            top_p=1e-9,
            max_new_tokens=self._caps(self.forward_tokenizer, sentences, 1),
        )
        texts = [p.strip() for p in pivots for _ in range(n)]
        return self._sample(texts, sentences, n, seed)
