"""Deployment precisions of a loaded model: bf16 weights, fp16 autocast, int8 dynamic quantization.

A deployment choice changes the numbers a model gives; these are applied as asked, without any
fp32 guard, so that ``trustkit compare`` can say what the choice changes. The scorer's own
log-softmax stays fp32 (``trustkit.scoring.heads.gather_log_probs``) in every precision.
"""

from __future__ import annotations

import contextlib
import warnings

from trustkit.errors import InputError

__all__ = ["PRECISIONS", "apply_precision", "precision_context"]

#: name -> what is done to the model
PRECISIONS = {
    "fp32": "the weights as loaded, float32",
    "bf16": "every weight cast to bfloat16: the whole forward pass runs in bf16",
    "fp16": "weights float32, forward pass under torch.autocast(float16) on the model's device",
    "int8": "every nn.Linear dynamically quantized to int8 (torch.ao.quantization.quantize_dynamic, "
    "qint8 weights, activations quantized per batch; CPU only); embeddings and norms float32",
}

_AUTOCAST = "_trustkit_autocast"


def apply_precision(model, precision: str | None):
    """Convert ``model`` (in place where torch allows) to a deployment precision; return it.

    Parameters
    ----------
    model : a torch module (eval mode).
    precision : one of :data:`PRECISIONS` (None means fp32).

    Example
    -------
    >>> import torch
    >>> m = apply_precision(torch.nn.Sequential(torch.nn.Linear(4, 2)), "int8")
    >>> type(m[0]).__name__
    'Linear'
    >>> m[0].__module__
    'torch.ao.nn.quantized.dynamic.modules.linear'
    """
    import torch

    precision = precision or "fp32"
    if precision not in PRECISIONS:
        raise InputError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision == "bf16":
        return model.to(torch.bfloat16)
    if precision == "fp16":
        setattr(model, _AUTOCAST, torch.float16)
        return model
    if precision == "int8":
        device = next(model.parameters()).device
        if device.type != "cpu":
            raise InputError(f"int8 dynamic quantization runs on CPU only; the model is on {device}")
        from torch.ao.quantization import quantize_dynamic

        with warnings.catch_warnings():  # torch deprecates torch.ao for torchao; the kernels are the same
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", UserWarning)
            return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
    return model


def precision_context(model):
    """The autocast a model's precision asks for while it runs (fp16), else a no-op context.

    Example
    -------
    >>> import torch
    >>> m = apply_precision(torch.nn.Linear(4, 2), "fp16")
    >>> with precision_context(m):
    ...     m(torch.ones(1, 4)).dtype
    torch.float16
    """
    import torch

    dtype = getattr(model, _AUTOCAST, None)
    if dtype is None:
        return contextlib.nullcontext()
    device = next(model.parameters()).device.type
    return torch.autocast(device_type=device, dtype=dtype)
