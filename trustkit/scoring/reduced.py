"""The reduced-precision pass: the model's weights cast to bf16/fp16 once, not per batch.

Autocast over fp32 weights casts every weight at every forward pass (its cast cache lives only
as long as one autocast block, one batch here) and runs the ops it keeps in fp32 (softmax,
layer norm) on upcast copies. The reduced pass instead swaps each fp32 parameter and floating
buffer of the model for a copy cast to the reduced dtype (what ``model.to(dtype)`` does), runs
every batch without autocast, and swaps the fp32 tensors back, bit for bit, when the pass ends;
the fp32 passes of the guard use the fp32 weights as loaded. The guard's calibration and audit
measure the error of the path actually taken, so its exactness argument does not change.

Memory: the copy is made when a reduced pass starts and freed when it ends, so a reduced pass
holds the fp32 weights and a half-size copy (1.5× the fp32 weights) and an fp32 pass holds the
fp32 weights only. Where the copy does not fit, the pass warns and runs under autocast over the
fp32 weights; ``dtype="bf16-autocast"`` (``"fp16-autocast"``, ``"bf16-raw-autocast"``, ...) asks
for autocast outright.
"""

from __future__ import annotations

import contextlib
import math
import warnings

import torch

from trustkit.scoring.heads import autocast_for
from trustkit.scoring.memory import is_out_of_memory

__all__ = ["copy_bytes", "non_finite", "pass_autocast", "reduced_weights"]


def _fp32_tensors(model) -> tuple[list, list]:
    """The model's fp32 parameters (each once: tied weights are one parameter) and fp32 buffers."""
    params = [p for p in model.parameters() if p.dtype == torch.float32]
    buffers = [
        (module, name, buf)
        for module in model.modules()
        for name, buf in module._buffers.items()
        if buf is not None and buf.dtype == torch.float32
    ]
    return params, buffers


def copy_bytes(model, dtype: torch.dtype | None) -> int:
    """Bytes the reduced copy of ``model``'s fp32 weights takes in ``dtype`` (0 for fp32).

    >>> copy_bytes(torch.nn.Linear(4, 2), torch.bfloat16)  # 8 weights + 2 biases, 2 bytes each
    20
    """
    if dtype in (None, torch.float32):
        return 0
    params, buffers = _fp32_tensors(model)
    size = torch.empty((), dtype=dtype).element_size()
    return size * (sum(p.numel() for p in params) + sum(b.numel() for _m, _n, b in buffers))


@contextlib.contextmanager
def reduced_weights(model, dtype: torch.dtype | None):
    """Run the block with ``model``'s fp32 weights swapped for copies cast to ``dtype``.

    Yields True when the weights are cast, False when nothing was done (fp32, or the copy did
    not fit: then a warning, and the caller autocasts). The fp32 tensors themselves are put
    back on exit, also when the block raises.

    Example
    -------
    >>> layer = torch.nn.Linear(4, 2)
    >>> before = layer.weight.detach().clone()
    >>> with reduced_weights(layer, torch.bfloat16) as cast:
    ...     cast, layer.weight.dtype, layer(torch.ones(1, 4, dtype=torch.bfloat16)).dtype
    (True, torch.bfloat16, torch.bfloat16)
    >>> layer.weight.dtype, bool(torch.equal(layer.weight, before))
    (torch.float32, True)
    """
    if dtype in (None, torch.float32):
        yield False
        return
    params, buffers = _fp32_tensors(model)
    try:
        with torch.no_grad():
            cast_params = [p.data.to(dtype) for p in params]
            cast_buffers = [b.to(dtype) for _m, _n, b in buffers]
    except Exception as err:
        if not is_out_of_memory(err):
            raise
        del err
        warnings.warn(
            f"no room for a {dtype} copy of the weights ({copy_bytes(model, dtype) / 2**30:.2f} GiB); "
            "this pass autocasts over the fp32 weights instead (same guard, slower)",
            ResourceWarning,
            stacklevel=3,
        )
        yield False
        return
    originals = [p.data for p in params]
    try:
        for p, cast in zip(params, cast_params):
            p.data = cast
        for (module, name, _b), cast in zip(buffers, cast_buffers):
            module._buffers[name] = cast
        del cast_params, cast_buffers
        yield True
    finally:
        for p, original in zip(params, originals):
            p.data = original
        for module, name, buf in buffers:
            module._buffers[name] = buf


def pass_autocast(model, device: torch.device, dtype: torch.dtype | None):
    """The autocast a pass in ``dtype`` needs: none in fp32, none when the weights are already cast.

    >>> m = torch.nn.Linear(2, 2)
    >>> type(pass_autocast(m, torch.device("cpu"), torch.bfloat16)).__name__
    'autocast'
    >>> with reduced_weights(m, torch.bfloat16):
    ...     type(pass_autocast(m, torch.device("cpu"), torch.bfloat16)).__name__
    'nullcontext'
    """
    first = next((p for p in model.parameters() if p.is_floating_point()), None)
    if dtype is not None and first is not None and first.dtype == dtype:
        return contextlib.nullcontext()
    return autocast_for(device, dtype)


def non_finite(values) -> list[int]:
    """Indices of the values with a score that is not finite (an fp16 overflow gives inf, then NaN).

    >>> from trustkit.scoring.results import ItemScore
    >>> non_finite([ItemScore([-1.0], [], [], []), ItemScore([-1.0, math.nan], [], [], [])])
    [1]
    """
    return [n for n, v in enumerate(values) if not all(math.isfinite(s) for s in v.scores)]
