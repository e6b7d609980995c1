"""Loading a language model for scoring: hub id, local directory, GGUF file or bundle name.

``load_pretrained`` decides masked vs causal from the config, loads safetensors, GGUF or a pickle
(read weights-only and converted to safetensors), refuses a model whose LM head would be randomly
initialised unless a random control is requested, and returns the model with its provenance.
Finding the weight files (bundle, file, directory or hub snapshot) is ``trustkit.models.sources``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustkit import provenance as _provenance
from trustkit.errors import InputError, TrustkitError
from trustkit.fileio import file_identity, sha256_file
from trustkit.models.controls import CONTROL_KEY
from trustkit.models.sources import _locate, weights_dir

KINDS = ("auto", "masked", "causal")
RANDOM_INIT_SEED = 0  # seed of any weights a checkpoint lacks (accepted only with random_control)
_DTYPES = {
    "fp32": "float32",
    "float32": "float32",
    "bf16": "bfloat16",
    "bfloat16": "bfloat16",
    "fp16": "float16",
    "float16": "float16",
    "half": "float16",
}
# Parameter names of LM heads across architectures (BERT/ALBERT/DistilBERT/RoBERTa/ELECTRA/DeBERTa, decoders).
_HEAD_PATTERN = re.compile(
    r"(^|\.)(cls\.predictions|predictions|lm_head|vocab_projector|vocab_transform|vocab_layer_norm"
    r"|generator_lm_head|generator_predictions|lm_predictions|mask_predictions)(\.|$)"
)


@dataclass
class LoadedModel:
    """A model ready for scoring, with its tokenizer, its kind and its provenance.

    The fields are ``model`` (eval mode, on its device), ``tokenizer``, ``kind`` ("masked" or
    "causal") and ``provenance`` (what was loaded, from where, with which hash).
    """

    model: Any
    tokenizer: Any
    kind: str
    provenance: dict = field(default_factory=dict)


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


def _untied_missing(model, missing: set[str]) -> set[str]:
    """Missing keys that are not filled by a tied parameter (a tied decoder absent from the file is fine)."""
    groups: dict[int, set[str]] = {}
    for name, param in model.named_parameters(remove_duplicate=False):
        groups.setdefault(id(param), set()).add(name)
    owner = {name: group for group in groups.values() for name in group}
    return {key for key in missing if not (owner.get(key, {key}) - missing)}


def _check_head(model, info: dict, config, kind: str, location: str) -> list[str]:
    missing = sorted(_untied_missing(model, set(info.get("missing_keys") or ())))
    mismatched = sorted(str(k[0] if isinstance(k, tuple) else k) for k in info.get("mismatched_keys") or ())
    if not missing and not mismatched:
        return []
    archs = list(getattr(config, "architectures", None) or [])
    head = [k for k in missing if _HEAD_PATTERN.search(k)]
    lm_arch = any(a.endswith(("ForMaskedLM", "ForPreTraining", "ForCausalLM", "LMHeadModel")) for a in archs)
    how = (
        "Pass random_control=True (CLI: --random-control) only if you want a random-weights control; "
        "otherwise load a checkpoint that contains its LM head."
    )
    if head and archs and not lm_arch:
        raise InputError(
            f"{location} has no {kind}-LM head: the checkpoint is a bare {', '.join(archs)} "
            f"(e.g. a sentence encoder), so its head would be random ({len(head)} head weights "
            f"missing, e.g. {head[0]}). {how}"
        )
    what = "LM-head" if head else "model"
    shown = (head or missing or mismatched)[:6]
    raise InputError(
        f"{location}: {len(missing)} {what} weights are missing from the checkpoint and "
        f"{len(mismatched)} have mismatched shapes, so they would be randomly initialised "
        f"(e.g. {', '.join(shown)}). {how}"
    )


class CheckpointMismatchError(TrustkitError, RuntimeError):
    """A checkpoint's tensors do not have the shapes its config.json gives (e.g. another vocab_size)."""


@contextlib.contextmanager
def no_transformers_bars():
    """Turn the "Loading weights" bar of transformers off for the block (restored after).

    In Jupyter it is a widget that names no model, reads 100% within a second, and shows as
    "Error displaying widget: model not found" once the notebook is saved and reopened.
    """
    from transformers.utils import logging as hf_logging

    was_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_on:
            hf_logging.enable_progress_bar()


def load_pretrained(
    name_or_path,
    *,
    kind: str = "auto",
    device=None,
    dtype=None,
    allow_pickle: bool = False,
    random_control: bool = False,
    precision: str | None = None,
) -> LoadedModel:
    """Load a masked or causal LM and its tokenizer for scoring, with provenance.

    Parameters
    ----------
    name_or_path : a bundle name (``smollm2-135m-instruct``), a local directory (safetensors, one
        GGUF or one pickle), a ``.gguf`` file, or a hub id ``ORG/NAME[@REVISION]`` (read from its
        snapshot in the Hugging Face cache, fetched first when the hub is reachable). A GGUF is read
        once with ``from_pretrained(dir, gguf_file=...)`` and kept as safetensors (``convert_gguf``).
    kind : "auto" (from the config), "masked" or "causal".
    device : None (CPU), "auto", "cpu", "cuda", "cuda:1", ...
    dtype : None (float32), "fp32", "bf16", "fp16" or a torch dtype.
    allow_pickle : a pickle checkpoint (``.bin``) is always read with torch's weights-only
        unpickler (no code runs) and converted once to safetensors (``convert_pickle``); only
        when that reader refuses a file (it holds more than tensors, e.g. an old training
        checkpoint) does ``allow_pickle=True`` unpickle it fully, which can run code in the file.
    random_control : accept a model whose weights are (partly) random: a config marked
        ``trustkit_random_control`` or LM-head weights missing from the checkpoint.
    precision : a deployment precision applied after loading, without fp32 guard: None/"fp32",
        "bf16" (weights), "fp16" (autocast) or "int8" (dynamic quantization); see
        ``trustkit.models.precision.PRECISIONS``. Recorded in the provenance and the cache key.

    Returns
    -------
    LoadedModel with ``model`` (eval mode), ``tokenizer``, ``kind`` and ``provenance``: model_id,
    bundle, path, gguf_file, converted_from_gguf, files (name -> sha256), revision (hub),
    fingerprint, kind, model_type, architecture, dtype, device, random_control, marked_control,
    missing_keys (accepted only with random_control), random_init_seed, pickle, versions.

    Raises
    ------
    ValueError : a pickle the weights-only reader refuses (without allow_pickle); a control or a missing LM head without
        random_control; an unknown kind, dtype or model type; a masked LM without a mask token.

    Example
    -------
    >>> lm = load_pretrained("smollm2-135m-instruct")  # doctest: +SKIP
    >>> lm.kind, lm.provenance["files"]  # doctest: +SKIP
    ('causal', {'SmolLM2-135M-Instruct.Q4_1.gguf': 'b179c952...'})
    """
    if kind not in KINDS:
        raise InputError(f"kind must be one of {KINDS}, got {kind!r}")
    import torch
    import transformers
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForMaskedLM, AutoTokenizer

    source = _locate(name_or_path)
    torch_dtype, device = parse_dtype(dtype), parse_device(device)
    if source.gguf_file and kind == "masked":
        raise InputError(f"{source.model_id} is a GGUF file; transformers reads GGUF as causal LMs only")
    # Hash before loading and check the files' identity after: the recorded sha256 is then that of
    # the bytes actually loaded, even if a file is replaced while transformers reads it.
    identities = {p: file_identity(p) for p in source.weight_files}
    files = {p.name: sha256_file(p, remember=True) for p in source.weight_files}
    load_from = weights_dir(source, allow_pickle)
    try:
        config = AutoConfig.from_pretrained(load_from)
    except OSError as err:
        offline = ""
        if os.environ.get("HF_HUB_OFFLINE"):
            offline = " (HF_HUB_OFFLINE is set: only the local hub cache is searched)"
        raise InputError(
            f"cannot load a config for {source.model_id!r}{offline}: {err}. Give a local "
            "directory, a .gguf file or a bundle name (trustkit models list)."
        ) from err

    marked = bool(getattr(config, CONTROL_KEY, False))
    if marked and not random_control:
        raise InputError(
            f"{source.model_id} is a trustkit random-weights control (config has "
            f"{CONTROL_KEY}: true); pass random_control=True (CLI: --random-control) to use it"
        )
    check_no_remote_code(config, source.model_id)
    kind = detect_kind(config) if kind == "auto" else kind
    auto_class = AutoModelForMaskedLM if kind == "masked" else AutoModelForCausalLM
    kwargs = dict(dtype=torch_dtype, output_loading_info=True, use_safetensors=True)
    try:
        # Weights missing from a checkpoint are initialised from torch's global generator; a fixed
        # seed makes an accepted random head the same on every load (and keeps score caches valid).
        with torch.random.fork_rng(devices=[]), no_transformers_bars():
            torch.manual_seed(RANDOM_INIT_SEED)
            model, info = auto_class.from_pretrained(load_from, config=config, **kwargs)
    except ValueError as err:
        if "Unrecognized configuration class" in str(err):
            raise InputError(
                f"{source.model_id} (model type {config.model_type}) has no {kind}-LM class in "
                f"transformers {transformers.__version__}: {err}"
            ) from err
        raise
    except OSError as err:
        raise InputError(f"cannot load weights of {source.model_id!r}: {err}") from err
    except RuntimeError as err:  # transformers' refusal of tensors whose shapes differ from the config
        if "size mismatch" not in str(err) and "ignore_mismatched_sizes" not in str(err):
            raise
        raise CheckpointMismatchError(
            f"{source.model_id}: the checkpoint's tensor shapes do not match its config.json "
            "(e.g. vocab_size); use the config saved with these weights"
        ) from err
    missing = [] if random_control else _check_head(model, info, config, kind, source.model_id)
    if random_control:
        missing = sorted(_untied_missing(model, set(info.get("missing_keys") or ())))

    try:
        tokenizer = AutoTokenizer.from_pretrained(load_from)
    except (OSError, ValueError) as err:
        raise InputError(f"cannot load the tokenizer of {source.model_id!r}: {err}") from err
    if kind == "masked" and tokenizer.mask_token_id is None:
        raise InputError(f"{source.model_id} loads as a masked LM but its tokenizer has no mask token")
    model = model.to(device).eval()
    if precision not in (None, "fp32"):
        from trustkit.models.precision import apply_precision

        model = apply_precision(model, precision)

    changed = [p.name for p, identity in identities.items() if file_identity(p) != identity]
    if changed:
        raise InputError(
            f"{source.model_id}: {', '.join(changed)} changed on disk while it was being "
            "loaded; load it again once the copy has finished"
        )
    revision = source.revision
    basis = repr(sorted(files.items())) + (f"@{revision}" if revision else "")  # file hashes and hub commit
    provenance = {
        "model_id": source.model_id,
        "bundle": source.bundle,
        "path": str(Path(source.location).resolve()),
        "gguf_file": source.gguf_file,
        "converted_from_gguf": load_from if source.gguf_file else None,
        "converted_from_pickle": load_from if source.pickle else None,
        "files": files,
        "revision": revision,
        "fingerprint": hashlib.sha256(basis.encode()).hexdigest()[:16],
        "kind": kind,
        "model_type": config.model_type,
        "architecture": type(model).__name__,
        "dtype": str(torch_dtype).removeprefix("torch."),
        "precision": precision or "fp32",
        "device": device,
        "random_control": bool(random_control),
        "marked_control": marked,
        "missing_keys": missing,
        "random_init_seed": RANDOM_INIT_SEED if missing else None,
        "pickle": source.pickle,
        "versions": _provenance.library_versions(),
    }
    return LoadedModel(model=model, tokenizer=tokenizer, kind=kind, provenance=provenance)
