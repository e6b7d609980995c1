"""A model's config and placement: load the config, tell masked from causal, refuse custom code.

The config stage of ``trustkit.models.loading.load_pretrained``, and the dtype/device names
every loader accepts.
"""

from __future__ import annotations

import os

from trustkit.errors import InputError
from trustkit.models.controls import CONTROL_KEY

_DTYPES = {
    "fp32": "float32",
    "float32": "float32",
    "bf16": "bfloat16",
    "bfloat16": "bfloat16",
    "fp16": "float16",
    "float16": "float16",
    "half": "float16",
}


def detect_kind(config) -> str:
    """Return "masked" or "causal" for a transformers config.

    Uses, in order: the checkpoint's ``architectures`` (``*ForMaskedLM``/``*ForPreTraining`` vs
    ``*ForCausalLM``/``*LMHeadModel``), ``is_decoder``, then which auto-class mapping knows the
    ``model_type`` (encoder types that have both, like BERT, count as masked).

    Example
    -------
    >>> from transformers import BertConfig, LlamaConfig
    >>> detect_kind(BertConfig()), detect_kind(LlamaConfig())
    ('masked', 'causal')
    """
    from transformers.models.auto.modeling_auto import (
        MODEL_FOR_CAUSAL_LM_MAPPING_NAMES,
        MODEL_FOR_MASKED_LM_MAPPING_NAMES,
    )

    archs = list(getattr(config, "architectures", None) or [])
    if any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in archs) or getattr(config, "is_decoder", False):
        return "causal"
    if any(a.endswith(("ForMaskedLM", "ForPreTraining")) for a in archs):
        return "masked"
    model_type = getattr(config, "model_type", None)
    masked = model_type in MODEL_FOR_MASKED_LM_MAPPING_NAMES
    causal = model_type in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES
    if masked:
        return "masked"
    if causal:
        return "causal"
    raise InputError(
        f"cannot tell whether model type {model_type!r} (architectures {archs}) is a masked "
        "or a causal LM; pass kind='masked' or kind='causal'"
    )


def check_no_remote_code(config, model_id: str) -> None:
    """Refuse a config that asks for its own modelling code (``auto_map``, an architecture transformers lacks).

    transformers would otherwise build the stock class of the ``model_type`` from such a folder and
    say nothing; trustkit never runs a checkpoint's code, so it refuses it by name instead.

    >>> from transformers import BertConfig
    >>> check_no_remote_code(BertConfig(architectures=["BertForMaskedLM"]), "ok")
    >>> check_no_remote_code(BertConfig(architectures=["MyBertForMaskedLM"]), "./custom")
    Traceback (most recent call last):
    trustkit.errors.InputError: ./custom asks for custom modelling code (architectures MyBertForMaskedLM ...
    """
    import transformers

    reasons = []
    auto_map = getattr(config, "auto_map", None)
    if auto_map:
        reasons.append(f"auto_map {', '.join(f'{k}: {v}' for k, v in dict(auto_map).items())}")
    unknown = [a for a in getattr(config, "architectures", None) or [] if not hasattr(transformers, str(a))]
    if unknown:
        reasons.append(f"architectures {', '.join(map(str, unknown))} is not a transformers class")
    if reasons:
        raise InputError(
            f"{model_id} asks for custom modelling code ({'; '.join(reasons)}); trustkit runs no code "
            f"from a checkpoint and will not load it as a stock {getattr(config, 'model_type', '?')} "
            "model. If the weights are a stock model, remove these keys from a copy of its config.json"
        )


def parse_dtype(dtype):
    """Map None/"fp32"/"bf16"/"fp16"/torch.dtype to a torch dtype (None means float32).

    >>> str(parse_dtype("bf16"))
    'torch.bfloat16'
    """
    import torch

    if dtype is None:
        return torch.float32
    if isinstance(dtype, torch.dtype):
        return dtype
    name = _DTYPES.get(str(dtype).lower().removeprefix("torch."))
    if name is None:
        raise InputError(f"unknown dtype {dtype!r}; use one of fp32, bf16, fp16")
    return getattr(torch, name)


def parse_device(device) -> str:
    """Map None (CPU), "auto" (CUDA when present, else CPU) or a device string to a torch device string.

    >>> parse_device(None)
    'cpu'
    """
    import torch

    if device is None:
        return "cpu"
    name = str(device)
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        torch.device(name)
    except (RuntimeError, ValueError):
        raise InputError(f"unknown device {name!r}; use cpu, cuda, cuda:N, mps or auto") from None
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(f"device {name!r} requested but torch sees no CUDA device; use device='cpu'")
    return name


def load_config(load_from, model_id: str, *, kind: str, random_control: bool):
    """Stage 3 of loading: the config, with the controls and custom-code checks, and the model's kind.

    Returns ``(config, kind, marked)``: ``kind`` is ``detect_kind(config)`` when asked for "auto",
    ``marked`` whether the config marks a trustkit random-weights control (refused without
    ``random_control``).

    >>> from trustkit.models.controls import random_control
    >>> config, kind, marked = load_config(random_control("bert", "tiny"), "tiny", kind="auto", random_control=True)
    >>> config.model_type, kind, marked
    ('bert', 'masked', True)
    """
    from transformers import AutoConfig

    try:
        config = AutoConfig.from_pretrained(load_from)
    except OSError as err:
        offline = ""
        if os.environ.get("HF_HUB_OFFLINE"):
            offline = " (HF_HUB_OFFLINE is set: only the local hub cache is searched)"
        raise InputError(
            f"cannot load a config for {model_id!r}{offline}: {err}. Give a local "
            "directory, a .gguf file or a bundle name (trustkit models list)."
        ) from err
    marked = bool(getattr(config, CONTROL_KEY, False))
    if marked and not random_control:
        raise InputError(
            f"{model_id} is a trustkit random-weights control (config has "
            f"{CONTROL_KEY}: true); pass random_control=True (CLI: --random-control) to use it"
        )
    check_no_remote_code(config, model_id)
    return config, detect_kind(config) if kind == "auto" else kind, marked
