"""PyTorch pickle checkpoints (``pytorch_model.bin``) read safely and kept as safetensors.

A ``.bin`` is read only with ``torch.load(weights_only=True)``: torch's restricted unpickler
accepts tensors and plain containers and refuses any other global, so nothing in the file runs.
The tensors are written once to a safetensors directory in trustkit's cache (keyed by the file's
sha256 and the transformers version), beside copies of the checkpoint's config and tokenizer
files, as GGUF bundles are (``gguf_conversion``); later loads read that directory.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import sys
from pathlib import Path

from trustkit.errors import InputError
from trustkit.fileio import atomic_dir, sha256_file
from trustkit.models.hashing import conversion_dir

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
_WEIGHT_SUFFIXES = (*PICKLE_SUFFIXES, ".safetensors", ".h5", ".msgpack", ".ot", ".onnx", ".gguf")
# Pickles that training libraries leave beside the weights (transformers' Trainer, accelerate):
# the run's arguments and optimizer/scheduler/RNG state, never weights. They are ignored, never read:
# unpickling training_args.bin would need transformers' classes (and run code).
NOT_WEIGHTS = (
    "training_args.bin",
    "optimizer.pt",
    "optimizer.bin",
    "scheduler.pt",
    "scheduler.bin",
    "scaler.pt",
    "rng_state*.pth",
    "random_states_*.pkl",
    "custom_checkpoint_*.pkl",
)


def converted_dir(checkpoint: str | os.PathLike) -> Path:
    """Where the safetensors conversion of a pickle checkpoint lives (it may not exist yet).

    >>> converted_dir("pytorch_model.bin").parent.name  # doctest: +SKIP
    'pickle-converted'
    """
    return conversion_dir(checkpoint, "pickle-converted")


def read_weights_only(checkpoint: str | os.PathLike, allow_pickle: bool = False) -> dict:
    """Read a pickle checkpoint's state dict with torch's weights-only unpickler (no code can run).

    Raises ``ValueError`` naming the file when it holds anything but tensors and containers, unless
    ``allow_pickle=True``: then such a file is unpickled fully (which runs any code in it).

    >>> state = read_weights_only("pytorch_model.bin")  # doctest: +SKIP
    """
    import pickle

    import torch

    try:
        state = torch.load(str(checkpoint), map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, AttributeError, TypeError) as err:
        if allow_pickle:
            state = torch.load(str(checkpoint), map_location="cpu", weights_only=False)
            return _state_dict(state, checkpoint)
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputError(
            f"{checkpoint}: refused by torch's weights-only unpickler, so it was not loaded "
            f"(it holds more than tensors: {first}); pass allow_pickle=True (CLI: --allow-pickle) "
            "only if you trust it to run code"
        ) from err
    return _state_dict(state, checkpoint)


def _state_dict(state, checkpoint) -> dict:
    import torch

    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise InputError(
            f"{checkpoint}: not a state dict of tensors, so it cannot be converted to safetensors"
        )
    return state


def convert_pickle(
    source_dir: str | os.PathLike, checkpoint: str | os.PathLike, log=None, allow_pickle: bool = False
) -> Path:
    """Convert a pickle checkpoint to a safetensors model directory (once); return that directory.

    Parameters
    ----------
    source_dir : the model directory (config.json and tokenizer files are copied from it).
    checkpoint : the ``.bin`` file inside it.
    log : where the one-line notice goes (default: stderr).
    allow_pickle : see :func:`read_weights_only`.

    Returns
    -------
    A directory with model.safetensors, the copied files and source.json (file name and sha256).

    Example
    -------
    >>> convert_pickle(snapshot, snapshot / "pytorch_model.bin")  # doctest: +SKIP
    PosixPath('.../pickle-converted/pytorch_model-3d5f...-transformers5.24.0')
    """
    from safetensors.torch import save_file

    source_dir, checkpoint = Path(source_dir), Path(checkpoint)
    target = converted_dir(checkpoint)
    if (target / "source.json").is_file():
        return target
    digest = sha256_file(checkpoint, remember=True)
    (log or (lambda line: print(line, file=sys.stderr)))(
        f"trustkit: converting pickle checkpoint {checkpoint} (sha256 {digest}) to safetensors in {target}, "
        "read with torch.load(weights_only=True); later loads use the safetensors"
    )
    state = read_weights_only(checkpoint, allow_pickle)
    # safetensors stores no shared storage: tensors tied in the pickle become separate copies.
    seen: set = set()
    tensors = {}
    for name, tensor in state.items():
        pointer = (tensor.untyped_storage().data_ptr(), tensor.storage_offset())
        tensors[name] = tensor.clone().contiguous() if pointer in seen else tensor.contiguous()
        seen.add(pointer)
    with atomic_dir(target, complete=lambda t: (t / "source.json").is_file()) as work:
        save_file(tensors, str(work / "model.safetensors"), metadata={"format": "pt"})
        for path in source_dir.iterdir():
            if (
                path.is_file()
                and not path.name.endswith(_WEIGHT_SUFFIXES)
                and path.name != "source.json"
                and not path.name.endswith(".index.json")
            ):
                shutil.copyfile(path, work / path.name)
        (work / "source.json").write_text(json.dumps({"pickle_file": checkpoint.name, "sha256": digest}))
    return target


def pickle_weights(folder: str | os.PathLike) -> list[Path]:
    """The pickle checkpoints of a model directory that has no safetensors weights (else []).

    Training-state pickles (:data:`NOT_WEIGHTS`: ``training_args.bin``, ``optimizer.pt``, ...) are
    not weights and are left out, unread.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()); _ = (folder / "pytorch_model.bin").write_bytes(b"")
    >>> _ = (folder / "training_args.bin").write_bytes(b"")
    >>> [p.name for p in pickle_weights(folder)]
    ['pytorch_model.bin']
    >>> _ = (folder / "model.safetensors").write_bytes(b""); pickle_weights(folder)
    []
    """
    folder = Path(folder)
    if any(folder.glob("*.safetensors")):
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in PICKLE_SUFFIXES
        and not any(fnmatch.fnmatch(p.name, pattern) for pattern in NOT_WEIGHTS)
        and p.is_file()
    )
