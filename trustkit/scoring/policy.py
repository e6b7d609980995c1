"""The causal-LM scoring policy as explicit data: what a sentence is conditioned on and how it is summed.

Tools disagree on "the log-likelihood of a sentence" by exactly these choices (prefix token, first
token, chat template, length normalisation); trustkit states them, keys its cache on them and
records them in every result's provenance.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from trustkit.errors import InputError

__all__ = ["NORMALISATIONS", "PREFIXES", "CausalPolicy"]

#: the named prefixes; any other string is literal text encoded without special tokens
PREFIXES = ("bos", "eos", "none")
NORMALISATIONS = ("sum", "mean", "per_char", "per_byte")


@dataclass(frozen=True)
class CausalPolicy:
    """How a causal LM scores a sentence.

    Parameters
    ----------
    prefix : ``"bos"`` (the tokenizer's BOS, else its EOS: lm-evaluation-harness's
        ``prefix_token_id``), ``"eos"``, ``"none"``, or any other string, used as literal text
        (e.g. ``"<|endoftext|>"``), encoded without special tokens.
    score_first : whether the sentence's first token counts. With ``prefix="none"`` and no chat
        template there is nothing to condition it on, so it must be False.
    chat_template : wrap the sentence in the tokenizer's chat template: the context is the
        rendered conversation (``system_prompt`` if given, then an empty user turn) with the
        assistant's generation prompt, and the sentence is the assistant's reply. The context
        comes after ``prefix``; the rendered template usually starts with its own special token,
        so ``prefix="none"`` is the usual choice (the CLI's ``--chat-template`` implies it).
        Only the reply's tokens are scored; lm-evaluation-harness's ``--apply_chat_template``
        also scores the template's trailing newline, which shifts both sentences of a pair by
        the same amount (README, below the table of metric defaults).
    system_prompt : the system message when ``chat_template`` is on (None: the template's own
        default, if it has one).
    normalise : ``"sum"`` (total log-probability, nats), ``"mean"`` (per scored token),
        ``"per_char"`` (per character of the sentence) or ``"per_byte"`` (per UTF-8 byte).

    The default is lm-evaluation-harness's crows_pairs convention: every token of the sentence
    scored, conditioned on one prefix token, summed, no chat template.

    Example
    -------
    >>> CausalPolicy().describe()
    'prefix bos, first token scored, no chat template, sum'
    >>> CausalPolicy(prefix="none")
    Traceback (most recent call last):
    ...
    trustkit.errors.InputError: prefix 'none' without a chat template leaves the first token with nothing to ...
    """

    prefix: str = "bos"
    score_first: bool = True
    chat_template: bool = False
    system_prompt: str | None = None
    normalise: str = "sum"

    def __post_init__(self):
        if not isinstance(self.prefix, str) or not self.prefix:
            raise InputError(f"prefix must be one of {PREFIXES} or a non-empty string, not {self.prefix!r}")
        if self.normalise not in NORMALISATIONS:
            raise InputError(f"normalise must be one of {NORMALISATIONS}, not {self.normalise!r}")
        if self.prefix == "none" and not self.chat_template and self.score_first:
            raise InputError(
                "prefix 'none' without a chat template leaves the first token with nothing to "
                "condition on; pass score_first=False or a prefix"
            )
        if self.system_prompt is not None and not self.chat_template:
            raise InputError("system_prompt needs chat_template=True")

    def context_ids(self, tokenizer) -> list[int]:
        """Token ids every sentence is conditioned on: the prefix, then the rendered chat template."""
        if self.prefix == "bos":
            prefix = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
            if prefix is None:
                raise InputError(
                    f"the tokenizer {type(tokenizer).__name__} has neither a BOS nor an EOS "
                    "token, so a sentence's first token has nothing to condition on; pass "
                    "a prefix string or score_first=False with prefix 'none'"
                )
            ids = [prefix]
        elif self.prefix == "eos":
            if tokenizer.eos_token_id is None:
                raise InputError(
                    f"the tokenizer {type(tokenizer).__name__} has no EOS token; choose another prefix"
                )
            ids = [tokenizer.eos_token_id]
        elif self.prefix == "none":
            ids = []
        else:
            ids = list(tokenizer(self.prefix, add_special_tokens=False)["input_ids"])
            if not ids:
                raise InputError(f"prefix {self.prefix!r} encodes to no tokens")
        if self.chat_template:
            ids += _chat_context(tokenizer, self.system_prompt)
        return ids

    def divisor(self, sentence: str, n_counted: int) -> float:
        """What the summed log-probability is divided by (1 for ``"sum"``).

        >>> CausalPolicy(normalise="per_byte").divisor("café", 3)
        5
        """
        return {
            "sum": 1,
            "mean": n_counted,
            "per_char": len(sentence),
            "per_byte": len(sentence.encode("utf-8")),
        }[self.normalise]

    def describe(self) -> str:
        """One line for summaries and figure captions."""
        chat = (
            "no chat template"
            if not self.chat_template
            else ("chat template" + (f" (system: {self.system_prompt!r})" if self.system_prompt else ""))
        )
        first = "first token scored" if self.score_first else "first token not scored"
        return f"prefix {self.prefix}, {first}, {chat}, {self.normalise}"

    def record(self, tokenizer=None) -> dict:
        """The policy as provenance: every field, plus the context token ids it resolves to."""
        out = asdict(self)
        if tokenizer is not None:
            out["context_ids"] = self.context_ids(tokenizer)
        return out


def _chat_context(tokenizer, system_prompt: str | None) -> list[int]:
    if not getattr(tokenizer, "chat_template", None):
        raise InputError(
            f"the tokenizer {type(tokenizer).__name__} has no chat template; score "
            "without one (chat_template=False)"
        )
    messages = ([{"role": "system", "content": system_prompt}] if system_prompt else []) + [
        {"role": "user", "content": ""}
    ]
    text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])
