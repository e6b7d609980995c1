"""Loading a language model for scoring: hub id, local directory, GGUF file or bundle name.

``load_pretrained`` decides masked vs causal from the config, loads safetensors or GGUF (pickle
only when allowed), refuses a model whose LM head would be randomly initialised unless a random
control is requested, and returns the model with its provenance.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustkit.models.bundles import BUNDLES, resolve
from trustkit.models.controls import CONTROL_KEY
from trustkit.models.hashing import file_sha256

KINDS = ("auto", "masked", "causal")
RANDOM_INIT_SEED = 0  # seed of any weights a checkpoint lacks (accepted only with random_control)
_DTYPES = {"fp32": "float32", "float32": "float32", "bf16": "bfloat16", "bfloat16": "bfloat16",
           "fp16": "float16", "float16": "float16", "half": "float16"}
_PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
# Parameter names of LM heads across architectures (BERT/ALBERT/DistilBERT/RoBERTa/ELECTRA/DeBERTa, decoders).
_HEAD_PATTERN = re.compile(
    r"(^|\.)(cls\.predictions|predictions|lm_head|vocab_projector|vocab_transform|vocab_layer_norm"
    r"|generator_lm_head|generator_predictions|lm_predictions|mask_predictions)(\.|$)"
)


@dataclass
class LoadedModel:
    """A model ready for scoring: ``model`` (eval mode, on its device), ``tokenizer``,
    ``kind`` ("masked" or "causal") and ``provenance`` (what was loaded, from where, with which hash)."""

    model: Any
    tokenizer: Any
    kind: str
    provenance: dict = field(default_factory=dict)


@dataclass
class _Source:
    model_id: str
    location: str  # what from_pretrained receives: a local directory or a hub id
    local: bool
    gguf_file: str | None = None
    weight_files: list[Path] = field(default_factory=list)
    pickle: bool = False
    bundle: str | None = None


def _pickle_refusal(what: str) -> ValueError:
    return ValueError(
        f"refusing {what}: it is a PyTorch pickle checkpoint, and unpickling can run arbitrary code. "
        "Convert it to safetensors, or pass allow_pickle=True (CLI: --allow-pickle) if you trust its source."
    )


def _locate(name_or_path, allow_pickle: bool) -> _Source:
    model_id = str(name_or_path)
    bundle = model_id if model_id in BUNDLES else None
    path = Path(resolve(model_id)).expanduser()
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix == ".gguf":
            return _Source(model_id, str(path.parent), True, path.name, [path], bundle=bundle)
        if suffix in _PICKLE_SUFFIXES:
            if not allow_pickle:
                raise _pickle_refusal(str(path))
            return _Source(model_id, str(path.parent), True, None, [path], pickle=True)
        if suffix == ".safetensors":
            return _Source(model_id, str(path.parent), True, None, [path])
        raise ValueError(f"{path} is not a model: give a directory with config.json, a .gguf file, "
                         "a .safetensors file beside its config.json, or a hub id")
    if path.is_dir():
        safetensors = sorted(path.glob("*.safetensors"))
        ggufs = sorted(path.glob("*.gguf"))
        pickles = sorted(p for p in path.iterdir() if p.suffix.lower() in _PICKLE_SUFFIXES)
        if safetensors:
            return _Source(model_id, str(path), True, None, safetensors)
        if ggufs:
            if len(ggufs) > 1:
                raise ValueError(f"{path} holds several GGUF files ({', '.join(p.name for p in ggufs)}); "
                                 "pass the path of the one to load")
            return _Source(model_id, str(path), True, ggufs[0].name, ggufs, bundle=bundle)
        if pickles:
            if not allow_pickle:
                raise _pickle_refusal(f"{path} ({', '.join(p.name for p in pickles)})")
            return _Source(model_id, str(path), True, None, pickles, pickle=True)
        raise ValueError(f"{path} has no weights: expected model.safetensors, a .gguf file or "
                         "(with allow_pickle=True) pytorch_model.bin")
    if model_id.startswith((".", "/", "~")) or os.sep + os.sep in model_id or model_id.count("/") > 1:
        raise FileNotFoundError(f"no such model file or directory: {model_id}")
    return _Source(model_id, model_id, False)


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
    raise ValueError(f"cannot tell whether model type {model_type!r} (architectures {archs}) is a masked "
                     "or a causal LM; pass kind='masked' or kind='causal'")


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
        raise ValueError(f"unknown dtype {dtype!r}; use one of fp32, bf16, fp16")
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
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device {name!r} requested but torch sees no CUDA device; use device='cpu'")
    return name


def _untied_missing(model, missing: set[str]) -> set[str]:
    """Missing keys that are not filled by a tied parameter (a tied decoder absent from the file is fine)."""
    groups: dict[int, set[str]] = {}
    for name, param in model.named_parameters(remove_duplicate=False):
        groups.setdefault(id(param), set()).add(name)
    owner = {name: group for group in groups.values() for name in group}
    return {key for key in missing if not (owner.get(key, {key}) - missing)}


def library_versions() -> dict[str, str]:
    """Versions of the libraries that decide the numbers (for provenance records).

    >>> "torch" in library_versions()
    True
    """
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("trustkit", "torch", "transformers", "tokenizers", "safetensors", "gguf"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            pass
    return found


def _check_head(model, info: dict, config, kind: str, location: str) -> list[str]:
    missing = sorted(_untied_missing(model, set(info.get("missing_keys") or ())))
    mismatched = sorted(str(k[0] if isinstance(k, tuple) else k) for k in info.get("mismatched_keys") or ())
    if not missing and not mismatched:
        return []
    archs = list(getattr(config, "architectures", None) or [])
    head = [k for k in missing if _HEAD_PATTERN.search(k)]
    lm_arch = any(a.endswith(("ForMaskedLM", "ForPreTraining", "ForCausalLM", "LMHeadModel")) for a in archs)
    how = ("Pass random_control=True (CLI: --random-control) only if you want a random-weights control; "
           "otherwise load a checkpoint that contains its LM head.")
    if head and archs and not lm_arch:
        raise ValueError(f"{location} has no {kind}-LM head: the checkpoint is a bare {', '.join(archs)} "
                         f"(e.g. a sentence encoder), so its head would be random ({len(head)} head weights "
                         f"missing, e.g. {head[0]}). {how}")
    what = "LM-head" if head else "model"
    shown = (head or missing or mismatched)[:6]
    raise ValueError(f"{location}: {len(missing)} {what} weights are missing from the checkpoint and "
                     f"{len(mismatched)} have mismatched shapes, so they would be randomly initialised "
                     f"(e.g. {', '.join(shown)}). {how}")


def load_pretrained(name_or_path, kind: str = "auto", device=None, dtype=None,
                    allow_pickle: bool = False, random_control: bool = False) -> LoadedModel:
    """Load a masked or causal LM and its tokenizer for scoring, with provenance.

    Parameters
    ----------
    name_or_path : a bundle name (``smollm2-135m-instruct``), a local directory (safetensors or one
        GGUF), a ``.gguf`` file, or a hub id (needs the hub or its local cache). A GGUF is read
        once with ``from_pretrained(dir, gguf_file=...)`` and kept as safetensors (``convert_gguf``).
    kind : "auto" (from the config), "masked" or "causal".
    device : None (CPU), "auto", "cpu", "cuda", "cuda:1", ...
    dtype : None (float32), "fp32", "bf16", "fp16" or a torch dtype.
    allow_pickle : accept PyTorch pickle checkpoints (``.bin``); refused by default.
    random_control : accept a model whose weights are (partly) random: a config marked
        ``trustkit_random_control`` or LM-head weights missing from the checkpoint.

    Returns
    -------
    LoadedModel with ``model`` (eval mode), ``tokenizer``, ``kind`` and ``provenance``: model_id,
    bundle, path, gguf_file, converted_from_gguf, files (name -> sha256), revision (hub),
    fingerprint, kind, model_type, architecture, dtype, device, random_control, marked_control,
    missing_keys (accepted only with random_control), random_init_seed, pickle, versions.

    Raises
    ------
    ValueError : pickle without allow_pickle; a control or a missing LM head without
        random_control; an unknown kind, dtype or model type; a masked LM without a mask token.

    Example
    -------
    >>> lm = load_pretrained("smollm2-135m-instruct")  # doctest: +SKIP
    >>> lm.kind, lm.provenance["files"]  # doctest: +SKIP
    ('causal', {'SmolLM2-135M-Instruct.Q4_1.gguf': 'b179c952...'})
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    import torch
    import transformers
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForMaskedLM, AutoTokenizer

    source = _locate(name_or_path, allow_pickle)
    torch_dtype, device = parse_dtype(dtype), parse_device(device)
    load_from = source.location
    if source.gguf_file:
        if kind == "masked":
            raise ValueError(f"{source.model_id} is a GGUF file; transformers reads GGUF as causal LMs only")
        from trustkit.models.gguf_conversion import convert_gguf

        # Same tensors, config and tokenizer as from_pretrained(dir, gguf_file=...), read in a second.
        load_from = str(convert_gguf(Path(source.location) / source.gguf_file))
    try:
        config = AutoConfig.from_pretrained(load_from)
    except OSError as err:
        offline = ""
        if os.environ.get("HF_HUB_OFFLINE"):
            offline = " (HF_HUB_OFFLINE is set: only the local hub cache is searched)"
        raise ValueError(f"cannot load a config for {source.model_id!r}{offline}: {err}. Give a local "
                         "directory, a .gguf file or a bundle name (trustkit models list).") from err

    marked = bool(getattr(config, CONTROL_KEY, False))
    if marked and not random_control:
        raise ValueError(f"{source.model_id} is a trustkit random-weights control (config has "
                         f"{CONTROL_KEY}: true); pass random_control=True (CLI: --random-control) to use it")
    kind = detect_kind(config) if kind == "auto" else kind
    auto_class = AutoModelForMaskedLM if kind == "masked" else AutoModelForCausalLM
    kwargs = dict(dtype=torch_dtype, output_loading_info=True, use_safetensors=None if allow_pickle else True)
    try:
        # Weights missing from a checkpoint are initialised from torch's global generator; a fixed
        # seed makes an accepted random head the same on every load (and keeps score caches valid).
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(RANDOM_INIT_SEED)
            model, info = auto_class.from_pretrained(load_from, config=config, **kwargs)
    except ValueError as err:
        if "Unrecognized configuration class" in str(err):
            raise ValueError(f"{source.model_id} (model type {config.model_type}) has no {kind}-LM class in "
                             f"transformers {transformers.__version__}: {err}") from err
        raise
    except OSError as err:
        if not source.local and not allow_pickle and "safetensors" in str(err).lower():
            raise _pickle_refusal(f"hub model {source.model_id!r} (no safetensors weights found)") from err
        raise ValueError(f"cannot load weights of {source.model_id!r}: {err}") from err
    missing = [] if random_control else _check_head(model, info, config, kind, source.model_id)
    if random_control:
        missing = sorted(_untied_missing(model, set(info.get("missing_keys") or ())))

    try:
        tokenizer = AutoTokenizer.from_pretrained(load_from)
    except (OSError, ValueError) as err:
        raise ValueError(f"cannot load the tokenizer of {source.model_id!r}: {err}") from err
    if kind == "masked" and tokenizer.mask_token_id is None:
        raise ValueError(f"{source.model_id} loads as a masked LM but its tokenizer has no mask token")
    model = model.to(device).eval()

    files = {p.name: file_sha256(p) for p in source.weight_files}
    revision = None if source.local else getattr(config, "_commit_hash", None)
    basis = repr(sorted(files.items())) if files else f"hub:{source.model_id}@{revision}"
    provenance = {
        "model_id": source.model_id,
        "bundle": source.bundle,
        "path": str(Path(source.location).resolve()) if source.local else None,
        "gguf_file": source.gguf_file,
        "converted_from_gguf": load_from if source.gguf_file else None,
        "files": files,
        "revision": revision,
        "fingerprint": hashlib.sha256(basis.encode()).hexdigest()[:16],
        "kind": kind,
        "model_type": config.model_type,
        "architecture": type(model).__name__,
        "dtype": str(torch_dtype).removeprefix("torch."),
        "device": device,
        "random_control": bool(random_control),
        "marked_control": marked,
        "missing_keys": missing,
        "random_init_seed": RANDOM_INIT_SEED if missing else None,
        "pickle": source.pickle,
        "versions": library_versions(),
    }
    return LoadedModel(model=model, tokenizer=tokenizer, kind=kind, provenance=provenance)
