"""Loading a language model for scoring: hub id, local directory, GGUF file or bundle name.

``load_pretrained`` runs named stages: resolve the source and hash its files
(``trustkit.models.sources``; a pickle is read weights-only and converted), the config and the
model's kind (``trustkit.models.config``), the weights with a random LM head refused unless a
random control is requested (``trustkit.models.weights``), the tokenizer, then precision and
device; it returns the model with its provenance.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustkit import provenance as _provenance
from trustkit.errors import InputError
from trustkit.fileio import file_identity, sha256_file
from trustkit.models.config import load_config, parse_device, parse_dtype
from trustkit.models.sources import _locate, weights_dir
from trustkit.models.weights import RANDOM_INIT_SEED, load_weights

KINDS = ("auto", "masked", "causal")


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
    >>> from trustkit.models.controls import random_control
    >>> lm = load_pretrained(random_control("bert", "tiny"), random_control=True)  # a tiny random control
    >>> lm.kind, lm.provenance["model_type"], lm.provenance["random_control"]
    ('masked', 'bert', True)
    """
    if kind not in KINDS:
        raise InputError(f"kind must be one of {KINDS}, got {kind!r}")
    source = _locate(name_or_path)
    torch_dtype, device = parse_dtype(dtype), parse_device(device)
    if source.gguf_file and kind == "masked":
        raise InputError(f"{source.model_id} is a GGUF file; transformers reads GGUF as causal LMs only")
    # Hash before loading and check the files' identity after: the recorded sha256 is then that of
    # the bytes actually loaded, even if a file is replaced while transformers reads it.
    identities = {p: file_identity(p) for p in source.weight_files}
    files = {p.name: sha256_file(p, remember=True) for p in source.weight_files}
    load_from = weights_dir(source, allow_pickle)
    config, kind, marked = load_config(load_from, source.model_id, kind=kind, random_control=random_control)
    model, missing = load_weights(
        load_from,
        config,
        kind=kind,
        torch_dtype=torch_dtype,
        model_id=source.model_id,
        random_control=random_control,
    )
    tokenizer = _load_tokenizer(load_from, source.model_id, kind)
    model = _place(model, device, precision)
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


def _load_tokenizer(load_from, model_id: str, kind: str):
    """Stage 5: the checkpoint's tokenizer; a masked LM's must have a mask token."""
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(load_from)
    except (OSError, ValueError) as err:
        raise InputError(f"cannot load the tokenizer of {model_id!r}: {err}") from err
    if kind == "masked" and tokenizer.mask_token_id is None:
        raise InputError(f"{model_id} loads as a masked LM but its tokenizer has no mask token")
    return tokenizer


def _place(model, device: str, precision: str | None):
    """Stage 6: the model in eval mode on its device, in its deployment precision."""
    model = model.to(device).eval()
    if precision not in (None, "fp32"):
        from trustkit.models.precision import apply_precision

        model = apply_precision(model, precision)
    return model
