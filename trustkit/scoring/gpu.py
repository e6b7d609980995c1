"""CUDA-only setting of a scoring run: which attention kernels run (the token budget is in memory.py).

On any other device this is a no-op, so CPU runs are unchanged. Not exercised on a GPU by the
test suite (no GPU in CI); ``benchmarks/bench_gpu.py`` measures it where one is present.
"""

from __future__ import annotations

import contextlib

import torch


def attention_backends(device):
    """Scaled-dot-product attention without cuDNN's kernel on CUDA; no change elsewhere.

    cuDNN's attention builds an execution plan for every new (batch, length) shape, and every
    batch of a scoring run has a new shape: on an H200 that cost 633 ms of host time in 12 calls
    (BERT-base, 300 CrowS pairs). Flash attention (no padding mask) and the memory-efficient
    kernel (with a mask) need no such plan; the math kernel is the fallback for what neither takes.

    Example
    -------
    >>> with attention_backends("cpu"):
    ...     pass
    """
    if torch.device(device).type != "cuda":
        return contextlib.nullcontext()
    from torch.nn.attention import SDPBackend, sdpa_kernel

    return sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH])
