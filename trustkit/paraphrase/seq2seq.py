"""Hub seq2seq paraphrasers (T5-style "paraphrase: " models) and round trips through translation pairs.

For the ``paper`` profile: e.g. ``prithivida/parrot_paraphraser_on_T5``,
``humarin/chatgpt_paraphraser_on_T5_base``, MarianMT ``Helsinki-NLP/opus-mt-en-de`` + ``-de-en``.
"""

from __future__ import annotations

from pathlib import Path

from trustkit.paraphrase.base import Paraphraser
from trustkit.paraphrase.sampling import row_seed, seeded_generate


def load_seq2seq(name_or_path: str, allow_pickle: bool = False, device: str | None = None):
    """Load an encoder-decoder model and its tokenizer; return ``(model, tokenizer, model_id)``.

    ``model_id`` names the model and its version: the hub revision when the hub gives one, else
    the sha256 prefix of the local weights file. Pickle checkpoints (``pytorch_model.bin``) are
    refused unless ``allow_pickle=True`` (some paraphrasers on the hub only ship those).

    >>> model, tokenizer, model_id = load_seq2seq("humarin/chatgpt_paraphraser_on_T5_base")  # doctest: +SKIP
    """
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from trustkit.models import file_sha256

    local = Path(name_or_path)
    if local.is_dir():
        safetensors = sorted(local.glob("*.safetensors"))
        if not safetensors and not allow_pickle:
            raise ValueError(f"{local} has no .safetensors weights; pickle checkpoints can run code when "
                             "loaded — pass allow_pickle=True (CLI: --allow-pickle) if you trust them")
    try:
        model = AutoModelForSeq2SeqLM.from_pretrained(name_or_path, use_safetensors=None if allow_pickle else True)
    except OSError as error:
        hint = "" if allow_pickle else " (if it only ships pytorch_model.bin, pass allow_pickle=True)"
        raise ValueError(f"could not load seq2seq model {name_or_path!r}: {error}{hint}") from error
    tokenizer = AutoTokenizer.from_pretrained(name_or_path)
    if not getattr(model.config, "is_encoder_decoder", False):
        raise ValueError(f"{name_or_path} is not an encoder-decoder model; use InstructionParaphraser for chat LMs")
    model.eval()
    if device:
        model.to(device)
    if local.is_dir():
        weights = sorted(local.glob("*.safetensors")) or sorted(local.glob("*.bin"))
        version = file_sha256(weights[0])[:12] if weights else "unknown"
    else:
        version = getattr(model.config, "_commit_hash", None) or "unknown-revision"
    return model, tokenizer, f"{local.name if local.is_dir() else name_or_path}@{version}"


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
    >>> Seq2SeqParaphraser("prithivida/parrot_paraphraser_on_T5", allow_pickle=True).generate(  # doctest: +SKIP
    ...     ["Women don't know how to drive."], n=3, seed=0)
    """

    def __init__(self, model: str, prefix: str = "paraphrase: ", temperature: float = 1.0,
                 top_p: float = 0.95, max_new_tokens: int = 96, batch_size: int = 8,
                 allow_pickle: bool = False, device: str | None = None, use_cache: bool = True):
        self.model, self.tokenizer, model_id = load_seq2seq(str(model), allow_pickle, device)
        self.prefix = prefix
        self.temperature, self.top_p, self.max_new_tokens = float(temperature), float(top_p), int(max_new_tokens)
        self.batch_size, self.use_cache = int(batch_size), use_cache
        self.backend_id = (f"seq2seq:{model_id}:prefix={prefix.strip()}:t{self.temperature}:p{self.top_p}:"
                           f"max{self.max_new_tokens}:gumbel-v2")

    def _caps(self, tokenizer, sentences: list[str], n: int) -> list[int]:
        return [min(self.max_new_tokens, 2 * len(tokenizer(s)["input_ids"]) + 16) for s in sentences for _ in range(n)]

    def _generate_batch(self, sentences: list[str], n: int, seed: int) -> list[list[str]]:
        texts = [self.prefix + s for s in sentences for _ in range(n)]
        seeds = [row_seed(seed, s, j) for s in sentences for j in range(n)]
        outputs = seeded_generate(self.model, self.tokenizer, texts, seeds, temperature=self.temperature,
                                  top_p=self.top_p, max_new_tokens=self._caps(self.tokenizer, sentences, n))
        outputs = [o.strip() for o in outputs]
        return [outputs[i * n:(i + 1) * n] for i in range(len(sentences))]


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
    >>> TranslationPairParaphraser("Helsinki-NLP/opus-mt-en-de", "Helsinki-NLP/opus-mt-de-en").generate(  # doctest: +SKIP
    ...     ["Women don't know how to drive."], n=2)
    """

    def __init__(self, forward: str, backward: str, temperature: float = 1.0, top_p: float = 0.95,
                 max_new_tokens: int = 128, batch_size: int = 8, allow_pickle: bool = False,
                 device: str | None = None, use_cache: bool = True):
        super().__init__(backward, prefix="", temperature=temperature, top_p=top_p, max_new_tokens=max_new_tokens,
                         batch_size=batch_size, allow_pickle=allow_pickle, device=device, use_cache=use_cache)
        self.forward_model, self.forward_tokenizer, forward_id = load_seq2seq(str(forward), allow_pickle, device)
        self.backend_id = (f"translation-pair:{forward_id}>{self.backend_id.split(':', 2)[1]}:t{self.temperature}:"
                           f"p{self.top_p}:max{self.max_new_tokens}:gumbel-v2")

    def _generate_batch(self, sentences: list[str], n: int, seed: int) -> list[list[str]]:
        # temperature -> 0 is the argmax; a tiny temperature with top_p near 0 keeps only the top token.
        pivots = seeded_generate(self.forward_model, self.forward_tokenizer, list(sentences), [0] * len(sentences),
                                 temperature=1.0, top_p=1e-9,
                                 max_new_tokens=self._caps(self.forward_tokenizer, sentences, 1))
        texts = [p.strip() for p in pivots for _ in range(n)]
        seeds = [row_seed(seed, s, j) for s in sentences for j in range(n)]
        outputs = seeded_generate(self.model, self.tokenizer, texts, seeds, temperature=self.temperature,
                                  top_p=self.top_p, max_new_tokens=self._caps(self.tokenizer, sentences, n))
        outputs = [o.strip() for o in outputs]
        return [outputs[i * n:(i + 1) * n] for i in range(len(sentences))]
