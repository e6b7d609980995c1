"""Seeded sampling for the neural paraphrasers: every generated row has its own random stream.

``transformers``' own sampling draws from one global generator, so a sentence's output changes
with the batch it is in. Here sampling is the Gumbel-max trick on top of greedy decoding: each row
adds noise from its own ``torch.Generator``, seeded from (seed, sentence, candidate index).
"""

from __future__ import annotations

import hashlib

import torch
from transformers import LogitsProcessor, LogitsProcessorList, StoppingCriteria, StoppingCriteriaList

from trustkit.errors import InputError


def row_seed(seed: int, sentence: str, index: int) -> int:
    """A 63-bit seed for candidate ``index`` of ``sentence`` under the run's ``seed``.

    >>> row_seed(0, "Hi.", 0) == row_seed(0, "Hi.", 0) != row_seed(1, "Hi.", 0)
    True
    """
    digest = hashlib.sha256(f"{seed}\x00{index}\x00{sentence}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def outside_nucleus(logits: torch.Tensor, top_p: float, k: int = 64) -> torch.Tensor:
    """Mask of the tokens outside each row's top-p nucleus, without sorting the whole vocabulary.

    A token is dropped when the probability mass of the tokens before it (most likely first)
    already reaches ``top_p``; the top token always stays. Only the ``k`` most likely tokens are
    ranked (``topk``), and ``k`` grows fourfold until they hold ``top_p`` of the mass in every row.

    >>> outside_nucleus(torch.log(torch.tensor([[0.5, 0.3, 0.2]])), 0.7).tolist()
    [[False, False, True]]
    """
    vocab = logits.shape[-1]
    probs = logits.softmax(dim=-1)
    k = min(k, vocab)
    while True:
        top, index = probs.topk(k, dim=-1)
        mass = top.cumsum(dim=-1)
        if k == vocab or bool((mass[..., -1] >= top_p).all()):
            break
        k = min(vocab, 4 * k)
    keep = torch.zeros_like(probs, dtype=torch.bool).scatter(-1, index, (mass - top) < top_p)
    return ~keep


class RowSeededSampler(LogitsProcessor):
    """Turn greedy decoding into temperature / top-p sampling with one generator per row.

    Adding Gumbel noise to the (temperature-scaled, top-p-truncated) log-probabilities and taking
    the argmax draws exactly from the truncated softmax distribution. Rows draw one noise vector
    per step whether finished or not, so a row's tokens depend only on its own seed.

    Parameters
    ----------
    row_seeds : list of int
        One seed per row of the (expanded) batch, in batch order.
    temperature : float
        Softmax temperature (> 0).
    top_p : float
        Nucleus mass kept (0 < top_p <= 1).

    Example
    -------
    >>> sampler = RowSeededSampler([1, 2], temperature=0.7, top_p=0.9)
    >>> model.generate(**batch, do_sample=False, logits_processor=LogitsProcessorList([sampler]))  # doctest: +SKIP
    """

    def __init__(self, row_seeds: list[int], temperature: float = 0.7, top_p: float = 0.9):
        if temperature <= 0:
            raise InputError(f"temperature must be > 0, got {temperature}")
        if not 0 < top_p <= 1:
            raise InputError(f"top_p must be in (0, 1], got {top_p}")
        self.generators = [torch.Generator().manual_seed(int(s)) for s in row_seeds]
        self.temperature = float(temperature)
        self.top_p = float(top_p)

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        """The scores after temperature and top-p, plus each row's Gumbel noise: their argmax is a sample."""
        if scores.shape[0] != len(self.generators):
            raise RuntimeError(f"batch has {scores.shape[0]} rows but {len(self.generators)} seeds")
        logits = scores.float() / self.temperature
        if self.top_p < 1:
            logits = logits.masked_fill(outside_nucleus(logits, self.top_p), float("-inf"))
        uniform = torch.stack([torch.rand(logits.shape[-1], generator=g) for g in self.generators])
        gumbel = -torch.log(-torch.log(uniform.clamp(1e-20, 1 - 1e-7)))
        return (logits + gumbel.to(logits.device)).to(scores.dtype)


class RowStop(StoppingCriteria):
    """Stop each row on its own: at its own token cap, or at a line break after some text.

    Both rules depend only on the row itself, so a row's output does not depend on its batch
    (a shared ``max_new_tokens`` sized for the longest sentence would).
    """

    def __init__(self, tokenizer, start: int, caps: list[int], stop_at_newline: bool, has_text=None):
        self.tokenizer, self.start, self.stop_at_newline = tokenizer, start, stop_at_newline
        self.has_text = has_text or (lambda text: bool(text.strip()))
        self.caps = torch.tensor(caps)

    def __call__(self, input_ids: torch.LongTensor, scores, **kwargs) -> torch.BoolTensor:
        """Per row, whether it is done: at its token cap, or at a line break after some text."""
        generated = input_ids[:, self.start :]
        done = self.caps.to(input_ids.device) <= generated.shape[1]
        if self.stop_at_newline and generated.shape[1] > 1:
            for row in range(generated.shape[0]):
                if not done[row] and "\n" in self.tokenizer.decode(generated[row, -1:]):
                    done[row] = bool(
                        self.has_text(self.tokenizer.decode(generated[row, :-1], skip_special_tokens=True))
                    )
        return done


def seeded_generate(
    model,
    tokenizer,
    texts: list[str],
    row_seeds: list[int],
    *,
    temperature: float,
    top_p: float,
    max_new_tokens: list[int],
    stop_at_newline: bool = False,
    has_text=None,
) -> list[str]:
    """Generate one sampled continuation per text, row ``i`` seeded with ``row_seeds[i]``.

    Works for causal LMs (left padding; only the new tokens are returned) and encoder-decoder
    models. ``max_new_tokens`` is a cap per row; with ``stop_at_newline`` a row also stops at the
    first line break that follows some text (``has_text(reply_so_far)`` decides what counts; by
    default any non-blank text). Special tokens are removed from the returned text.

    >>> seeded_generate(  # doctest: +SKIP
    ...     model, tok, ["paraphrase: Hi."], [7], temperature=1.0, top_p=0.95, max_new_tokens=[20]
    ... )
    ['Hello.']
    """
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    is_causal = not getattr(model.config, "is_encoder_decoder", False)
    previous_side = tokenizer.padding_side
    tokenizer.padding_side = "left" if is_causal else "right"
    try:
        batch = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=not is_causal)
    finally:
        tokenizer.padding_side = previous_side
    device = next(model.parameters()).device
    batch = {k: v.to(device) for k, v in batch.items()}
    sampler = RowSeededSampler(row_seeds, temperature=temperature, top_p=top_p)
    start = batch["input_ids"].shape[1] if is_causal else 1
    stop = RowStop(tokenizer, start, list(max_new_tokens), stop_at_newline, has_text)
    with torch.inference_mode():
        output = model.generate(
            **batch,
            do_sample=False,
            num_beams=1,
            max_new_tokens=max(max_new_tokens),
            logits_processor=LogitsProcessorList([sampler]),
            stopping_criteria=StoppingCriteriaList([stop]),
            pad_token_id=tokenizer.pad_token_id,
            temperature=None,
            top_p=None,
            top_k=None,
        )
    if is_causal:
        output = output[:, batch["input_ids"].shape[1] :]
    return tokenizer.batch_decode(output, skip_special_tokens=True)
