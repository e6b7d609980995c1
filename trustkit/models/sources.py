"""Where a model's weights are: a bundle, a file, a directory, or a hub id resolved to its cache snapshot.

``load_pretrained`` (``trustkit.models.loading``) hashes the files found here before it loads them,
and reads them from :func:`weights_dir` (a GGUF or pickle checkpoint is converted to safetensors once).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from trustkit.errors import InputError
from trustkit.models.bundles import BUNDLES, resolve
from trustkit.models.gguf_conversion import convert_gguf
from trustkit.models.hub import resolve_hub, split_revision
from trustkit.models.pickle_conversion import PICKLE_SUFFIXES, convert_pickle, pickle_weights


@dataclass
class _Source:
    model_id: str
    location: str  # what from_pretrained receives: a local directory or a hub id
    local: bool
    gguf_file: str | None = None
    weight_files: list[Path] = field(default_factory=list)
    pickle: bool = False
    bundle: str | None = None
    revision: str | None = None  # the hub commit of a snapshot directory


def _locate(name_or_path) -> _Source:
    """Find the weights: a bundle, a file, a directory, or a hub id resolved to its cache snapshot."""
    model_id = str(name_or_path)
    bundle = model_id if model_id in BUNDLES else None
    path = Path(resolve(model_id)).expanduser()
    revision = None
    if (
        not path.exists()
        and not model_id.startswith((".", "/", "~"))
        and os.sep + os.sep not in model_id
        and split_revision(model_id)[0].count("/") <= 1
    ):
        path, revision = resolve_hub(model_id)  # HubError (one line) when neither cache nor hub has it
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix == ".gguf":
            return _Source(model_id, str(path.parent), True, path.name, [path], bundle=bundle)
        if suffix in PICKLE_SUFFIXES:
            return _Source(model_id, str(path.parent), True, None, [path], pickle=True)
        if suffix == ".safetensors":
            return _Source(model_id, str(path.parent), True, None, [path])
        raise InputError(
            f"{path} is not a model: give a directory with config.json, a .gguf file, "
            "a .safetensors file beside its config.json, or a hub id"
        )
    if path.is_dir():
        safetensors = sorted(path.glob("*.safetensors"))
        ggufs = sorted(path.glob("*.gguf"))
        pickles = pickle_weights(path)
        if safetensors:
            return _Source(model_id, str(path), True, None, safetensors, revision=revision)
        if ggufs:
            if len(ggufs) > 1:
                raise InputError(
                    f"{path} holds several GGUF files ({', '.join(p.name for p in ggufs)}); "
                    "pass the path of the one to load"
                )
            return _Source(model_id, str(path), True, ggufs[0].name, ggufs, bundle=bundle)
        if len(pickles) == 1:
            return _Source(model_id, str(path), True, None, pickles, pickle=True, revision=revision)
        if pickles:
            raise InputError(
                f"{path} holds several pickle checkpoints ({', '.join(p.name for p in pickles)}); "
                "sharded pickles are not converted: convert them to safetensors first"
            )
        raise InputError(
            f"{path} has no weights: expected model.safetensors, a .gguf file or pytorch_model.bin"
        )
    raise FileNotFoundError(f"no such model file or directory: {model_id}")


def weights_dir(source: _Source, allow_pickle: bool = False) -> str:
    """The directory ``from_pretrained`` reads: the source's own, or the safetensors conversion of its pickle."""
    if source.gguf_file:
        # Same tensors, config and tokenizer as from_pretrained(dir, gguf_file=...), read in a second.
        return str(convert_gguf(Path(source.location) / source.gguf_file))
    if source.pickle:
        return str(convert_pickle(source.location, source.weight_files[0], allow_pickle=allow_pickle))
    return source.location
