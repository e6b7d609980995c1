"""Memory of a scoring run: bounded by the token budget on every device, and handed back on CPU.

The budget (padded tokens per forward pass) bounds activations; the LM head runs in chunks so its
fp32 logits are bounded too. On CUDA the default budget is chosen from the free memory measured
when the scorer is built. When a batch does not fit, the budget is halved for the rest of the run;
a single row that does not fit raises :class:`RowDoesNotFitError` with one line saying what to do.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import time
from collections.abc import Callable

import torch

from trustkit.errors import TrustkitError

CPU_BATCH_TOKENS = 2048  # larger budgets were not faster on 2 cores (activations leave the cache)
HEAD_BYTES_CPU = 256 * 2**20  # fp32 logits (and their log-softmax) of one head chunk
#: CUDA token budget cap: batches small enough that the host prepares batch n + 1 while the
#: device runs batch n (one or two giant batches of 2^20 tokens left nothing to overlap and
#: peaked at 23 GB for BERT-base on an H200), large enough to keep the device busy. Unmeasured.
CUDA_MAX_BATCH_TOKENS = 1 << 16


class RowDoesNotFitError(TrustkitError, ValueError):
    """One row (one sentence with its masks) needs more memory than the device has, even alone."""


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    libc = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(libc), "malloc_trim", None) if libc else None
    except OSError:  # pragma: no cover - no C library to load
        return None


def release_freed_memory() -> None:
    """Hand memory freed by earlier batches back to the operating system (glibc; no-op elsewhere).

    Every batch has a different shape, so glibc's heap keeps a patchwork of freed activation
    buffers that later batches cannot reuse whole; with BERT-base on CPU that held ~150 MB of
    resident memory per run. :class:`Trimmer` decides how often this runs.

    Example
    -------
    >>> release_freed_memory()
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


class Trimmer:
    """Calls :func:`release_freed_memory` at most once per ``interval × (its measured cost)``.

    A trim is not free: it takes ~2 ms, and the memory it returns is faulted back in by the next
    batches (measured with a near-free model: trimming after each of 469 batches made a 3.2 s run
    take 7.6 s). Waiting 500 times the trim's own duration between trims keeps that cost near 1%
    of the run, while a BERT-base run (~0.5 s per batch) still trims every second or so.

    Example
    -------
    >>> t = Trimmer(interval=0)
    >>> t.maybe(); t.calls
    1
    """

    def __init__(self, interval: float = 500.0):
        self.interval = interval
        self.calls = 0
        self._cost = 0.0
        self._last = time.perf_counter()

    def maybe(self) -> None:
        """Trim now if enough time has passed since the last trim (measured against its cost)."""
        now = time.perf_counter()
        if now - self._last < self.interval * self._cost:
            return
        release_freed_memory()
        self._last = time.perf_counter()
        self._cost = max(self._last - now, 1e-4)
        self.calls += 1


def _config_int(config, names: tuple[str, ...], default: int) -> int:
    """The first of ``names`` that ``config`` sets (BERT and DistilBERT spell sizes differently)."""
    for name in names:
        value = getattr(config, name, None)
        if value:
            return int(value)
    return default


def bytes_per_token(config, element_bytes: int) -> int:
    """Estimated activation bytes per padded token of one forward pass (inference, one layer live).

    Hidden states, query/key/value, the feed-forward block, and a row of attention scores per
    head over a 512-token key range, each in the compute precision, twice for temporaries.

    Example
    -------
    >>> from transformers import BertConfig
    >>> bytes_per_token(BertConfig(), 2)
    67584
    """
    hidden = _config_int(config, ("hidden_size", "dim"), 768)
    ffn = _config_int(config, ("intermediate_size", "hidden_dim"), 4 * hidden)
    heads = _config_int(config, ("num_attention_heads", "n_heads"), 12)
    return 2 * element_bytes * (6 * hidden + 2 * ffn + heads * 512)


def budget_from_free_memory(
    free_bytes: int,
    config,
    element_bytes: int,
    *,
    fraction: float = 0.5,
    lowest: int = 1024,
    highest: int = 1 << 20,
) -> int:
    """Padded tokens per batch that fit in ``fraction`` of ``free_bytes``, as a power of two.

    Rounded down to a power of two because the budget is part of the score cache's key (batch
    shapes move last digits), so it must not change with a few MB of free memory from one run to
    the next.

    Example
    -------
    >>> from transformers import BertConfig
    >>> budget_from_free_memory(80 * 2**30, BertConfig(), 2)
    524288
    """
    tokens = int(fraction * free_bytes // bytes_per_token(config, element_bytes))
    return max(lowest, min(highest, 1 << max(tokens, 1).bit_length() - 1))


def default_batch_tokens(model, device: torch.device, dtype: torch.dtype | None) -> int:
    """The default token budget: 2048 on CPU; on CUDA one from the free memory measured now.

    See :func:`budget_from_free_memory`, capped at :data:`CUDA_MAX_BATCH_TOKENS`; in bf16/fp16
    the reduced copy of the weights (``trustkit.scoring.reduced``) is counted as taken. Not yet
    exercised on a GPU by the test suite.
    """
    if device.type != "cuda":
        return CPU_BATCH_TOKENS
    free, _total = torch.cuda.mem_get_info(device)
    weights = sum(p.numel() * p.element_size() for p in model.parameters())
    element = 4 if dtype in (None, torch.float32) else 2
    if element == 2:  # a reduced pass also holds a copy of the weights cast to its dtype
        weights += weights // 2
    return budget_from_free_memory(
        max(free - weights, 0), model.config, element, highest=CUDA_MAX_BATCH_TOKENS
    )


def head_chunk_rows(vocab: int, device: torch.device, batch_tokens: int) -> int:
    """Scored positions per LM-head chunk, so that fp32 logits and their log-probabilities stay bounded.

    The bound is 256 MiB on CPU; on CUDA as many rows as the token budget, which bounds them by the budget).

    Example
    -------
    >>> head_chunk_rows(30522, torch.device("cpu"), 2048)
    1099
    """
    if device.type == "cuda":
        return max(1, batch_tokens)
    return max(1, HEAD_BYTES_CPU // (8 * vocab))


def is_out_of_memory(err: BaseException) -> bool:
    """Whether an exception from a forward pass means the device ran out of memory."""
    if isinstance(err, (torch.OutOfMemoryError, MemoryError)):
        return True
    return isinstance(err, RuntimeError) and "can't allocate memory" in str(err)


def row_does_not_fit(length: int, device: torch.device, err: BaseException) -> RowDoesNotFitError:
    """The one-line error for a single row that does not fit in memory."""
    where = str(device)
    if device.type == "cuda":
        free, total = torch.cuda.mem_get_info(device)
        where += f" ({free / 2**30:.1f} of {total / 2**30:.1f} GiB free)"
    return RowDoesNotFitError(
        f"one row of {length} tokens does not fit in the memory of {where} even alone "
        f"({type(err).__name__}); shorten or truncate the sentence (--truncate), use bf16/fp16 on "
        "a GPU (--dtype), or a device with more memory"
    )
