"""Instruction-LM paraphraser: a chat model asked to reword a sentence, sampled with per-row seeds.

Offline default: SmolLM2-135M-Instruct from the model bundle; any hub chat model elsewhere.
"""

from __future__ import annotations

import hashlib
import re

from trustkit.errors import InputError
from trustkit.paraphrase.base import Paraphraser
from trustkit.paraphrase.sampling import row_seed, seeded_generate

SYSTEM_PROMPT = "You rewrite sentences. Reply with the rewritten sentence only."
USER_PROMPT = (
    "Paraphrase the sentence below: say the same thing in different words. Keep every word that "
    "names a person or a group of people exactly as it is.\n\nSentence: {sentence}"
)
# A short lead-in that talks about the task ("Here is the paraphrased sentence:", "The sentence
# can be rephrased to:") is not part of the paraphrase.
_LABEL = re.compile(
    r"^\s*[^:\n]{0,40}\b(sentence|paraphrase\w*|rephrase\w*|rewrit\w*|rewording|answer|here)\b"
    r"[^:\n]{0,25}:\s*",
    re.I,
)
_QUOTES = "\"'“”‘’"


def clean_reply(reply: str) -> str:
    r"""Reduce a chat reply to one sentence, without a task lead-in or enclosing quotes.

    The sentence is the reply's first line with text once a task lead-in ("Here is the
    paraphrase:") is removed, without enclosing quotes.

    >>> clean_reply('Rewritten sentence: "Women are not able to drive."\n\nI changed...')
    'Women are not able to drive.'
    >>> clean_reply("The sentence can be rephrased to: Mom said: no.")
    'Mom said: no.'
    """
    lines = [_LABEL.sub("", line).strip() for line in reply.strip().splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    text = lines[0]
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return text


class InstructionParaphraser(Paraphraser):
    """Paraphrase with an instruction-following causal LM through its chat template.

    Prompt (``SYSTEM_PROMPT`` and ``USER_PROMPT``, part of ``backend_id``): the system message asks
    for the rewritten sentence only; the user message asks for the same meaning in different words
    with the words naming people or groups unchanged. Candidate ``j`` of a sentence is sampled
    (temperature, top-p) with its own generator seeded from ``(seed, sentence, j)``
    (``sampling.row_seed``), so candidates do not depend on the batch and the first ``k`` of ``n``
    equal the ``k`` candidates of a run with ``n = k``. Batches are left-padded. Replies are
    reduced to one sentence by ``clean_reply``.

    Parameters
    ----------
    model : str or LoadedModel
        A bundle name (default ``smollm2-135m-instruct``), local path or hub id for
        ``trustkit.models.load_pretrained``, or an already loaded model.
    temperature, top_p : float
        Sampling settings (default 0.7, 0.9).
    max_new_tokens : int
        Longest reply, in tokens (default 96); each reply is also capped at twice the sentence's
        own token count plus 16, and stops at its first line break after some text other than a
        task lead-in.
    batch_size : int
        Sentences per forward batch (each expanded to ``n`` rows).
    device, dtype : passed to ``load_pretrained``.

    Example
    -------
    >>> llm = InstructionParaphraser()  # doctest: +SKIP
    >>> llm.generate(["Women don't know how to drive."], n_paraphrases=2, seed=0)  # doctest: +SKIP
    [['Women are not equipped to drive.', "Women don't know how to operate a car."]]
    """

    def __init__(
        self,
        model="smollm2-135m-instruct",
        temperature: float = 0.7,
        top_p: float = 0.9,
        max_new_tokens: int = 96,
        batch_size: int = 8,
        device=None,
        dtype=None,
        use_cache: bool = True,
    ):
        if isinstance(model, str) or hasattr(model, "__fspath__"):
            from trustkit.models import load_pretrained

            model = load_pretrained(str(model), kind="causal", device=device, dtype=dtype)
        if not hasattr(model, "model") or not hasattr(model, "tokenizer"):
            raise TypeError("model must be a name/path or a LoadedModel (with .model and .tokenizer)")
        if getattr(model.tokenizer, "chat_template", None) is None:
            raise InputError(
                "this model's tokenizer has no chat template; use an instruction-tuned (chat) model"
            )
        self.loaded = model
        self.temperature, self.top_p = float(temperature), float(top_p)
        self.max_new_tokens = int(max_new_tokens)
        self.batch_size, self.use_cache = int(batch_size), use_cache
        provenance = getattr(model, "provenance", {}) or {}
        fingerprint = (
            provenance.get("fingerprint") or provenance.get("model_id") or type(model.model).__name__
        )
        self.revision = provenance.get("revision") or None
        prompt_hash = hashlib.sha256((SYSTEM_PROMPT + "\x00" + USER_PROMPT).encode()).hexdigest()[:8]
        dtype_name = str(next(model.model.parameters()).dtype).removeprefix("torch.")
        self.backend_id = (
            f"llm:{fingerprint}:{dtype_name}:prompt-{prompt_hash}:t{self.temperature}:"
            f"p{self.top_p}:max{self.max_new_tokens}:gumbel-v2:clean-v3"
        )

    def prompt(self, sentence: str) -> str:
        """The chat-templated prompt for one sentence, ending where the assistant's reply starts."""
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": USER_PROMPT.format(sentence=sentence)},
        ]
        return self.loaded.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def _generate_batch(self, sentences: list[str], n: int, seed: int) -> list[list[str]]:
        texts = [self.prompt(s) for s in sentences for _ in range(n)]
        seeds = [row_seed(seed, s, j) for s in sentences for j in range(n)]
        tokenizer = self.loaded.tokenizer
        caps = [
            min(self.max_new_tokens, 2 * len(tokenizer(s, add_special_tokens=False)["input_ids"]) + 16)
            for s in sentences
            for _ in range(n)
        ]
        replies = seeded_generate(
            self.loaded.model,
            tokenizer,
            texts,
            seeds,
            temperature=self.temperature,
            top_p=self.top_p,
            max_new_tokens=caps,
            stop_at_newline=True,
            has_text=lambda reply: bool(clean_reply(reply)),
        )
        cleaned = [clean_reply(r) for r in replies]
        return [cleaned[i * n : (i + 1) * n] for i in range(len(sentences))]
