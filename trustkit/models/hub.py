"""Hub models by id: the local snapshot of ``ORG/NAME[@REVISION]``, its commit, prefetch and doctor.

A hub id is resolved to a snapshot directory of the Hugging Face cache
(``$HF_HOME/hub/models--ORG--NAME/snapshots/<commit>/``); loaders then read it as a local
directory, so the commit (the snapshot's name) and the sha256 of every file read identify the
weights. Only the files trustkit reads are fetched (:data:`READ_PATTERNS`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from trustkit.errors import TrustkitError

# Files trustkit reads from a hub repository: config, tokenizer and one kind of weights.
CONFIG_FILES = ("config.json", "generation_config.json")
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "vocab.txt",
    "vocab.json",
    "merges.txt",
    "spiece.model",
    "sentencepiece.bpe.model",
    "source.spm",
    "target.spm",
)
WEIGHT_PATTERNS = ("*.safetensors", "model.safetensors.index.json")
PICKLE_PATTERNS = ("pytorch_model*.bin", "pytorch_model.bin.index.json")
READ_PATTERNS = (*CONFIG_FILES, *TOKENIZER_FILES, *WEIGHT_PATTERNS, *PICKLE_PATTERNS)
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
OFFLINE_HELP = (
    "to work offline, fill a Hugging Face cache on a connected machine with `trustkit models "
    "prefetch --profile paper` (or `trustkit models prefetch ID`) and copy it to $HF_HOME/hub"
)


class HubError(TrustkitError, ValueError):
    """A hub model could not be had: the one-line message says what was tried and how to work offline.

    The base of every hub failure (:class:`trustkit.models.preflight.HubUnavailable` too).
    """


def split_revision(model_id: str) -> tuple[str, str | None]:
    """Split ``"ORG/NAME@REVISION"`` into ``(id, revision)``; no ``@`` gives revision None.

    >>> split_revision("bert-base-uncased@86b5e0934494bd15c9632b12f734a8a67f723594")
    ('bert-base-uncased', '86b5e0934494bd15c9632b12f734a8a67f723594')
    >>> split_revision("roberta-large")
    ('roberta-large', None)
    """
    name, sep, revision = str(model_id).partition("@")
    return name, (revision or None) if sep else None


def hub_cache() -> Path:
    """The hub cache directory, read from the environment at call time (``HF_HUB_CACHE``, ``HF_HOME``).

    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"HF_HUB_CACHE": "", "HF_HOME": "/data/hf"}):
    ...     hub_cache().as_posix()
    '/data/hf/hub'
    """
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]) / "hub"
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def offline() -> bool:
    """True when ``HF_HUB_OFFLINE`` asks not to contact the hub."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def snapshot_commit(path: str | os.PathLike) -> str | None:
    """The commit of a path inside a cache snapshot (``.../snapshots/<40 hex>/...``), else None.

    >>> snapshot_commit("/c/models--bert-base-uncased/snapshots/" + "a" * 40 + "/config.json") == "a" * 40
    True
    """
    parts = Path(path).parts
    for i, part in enumerate(parts[:-1]):
        if part == "snapshots" and _COMMIT.match(parts[i + 1]):
            return parts[i + 1]
    return None


def local_snapshot(model_id: str, revision: str | None = None) -> Path | None:
    """The cached snapshot directory of a hub model at ``revision`` (default ``refs/main``), or None.

    >>> import os
    >>> from unittest import mock
    >>> from trustkit.examples import tiny_hub_cache
    >>> cache, snapshot = tiny_hub_cache()  # a hub cache holding one snapshot of config.json
    >>> with mock.patch.dict(os.environ, {"HF_HUB_CACHE": str(cache)}):
    ...     local_snapshot("bert-base-uncased") == snapshot, local_snapshot("bert-large-uncased")
    (True, None)
    """
    repo = hub_cache() / ("models--" + model_id.replace("/", "--"))
    revision = revision or "main"
    commit = revision if _COMMIT.match(revision) else None
    if commit is None and (repo / "refs" / revision).is_file():
        commit = (repo / "refs" / revision).read_text().strip()
    folder = repo / "snapshots" / commit if commit else None
    return folder if folder is not None and (folder / "config.json").is_file() else None


def choose_files(files: list[str]) -> list[str]:
    """The repository files trustkit reads: config, tokenizer, and safetensors weights, else the pickle.

    >>> choose_files(["config.json", "model.safetensors", "pytorch_model.bin", "tf_model.h5", "vocab.txt"])
    ['config.json', 'model.safetensors', 'vocab.txt']
    """
    from fnmatch import fnmatch

    names = [f for f in files if "/" not in f]
    weights = [f for f in names if any(fnmatch(f, p) for p in WEIGHT_PATTERNS)]
    if not weights:
        weights = [f for f in names if any(fnmatch(f, p) for p in PICKLE_PATTERNS)]
    return [f for f in names if f in CONFIG_FILES or f in TOKENIZER_FILES or f in weights]


def prefetch(model_id: str, revision: str | None = None) -> Path:
    """Download only the files trustkit reads of a hub model into the cache; return the snapshot.

    >>> prefetch("prithivida/parrot_paraphraser_on_T5")  # doctest: +SKIP
    PosixPath('.../snapshots/<commit>')
    """
    from huggingface_hub import list_repo_files, snapshot_download

    if offline():
        raise HubError(
            f"{model_id} is not in the local Hugging Face cache ({hub_cache()}) and HF_HUB_OFFLINE=1 "
            f"forbids downloading it; {OFFLINE_HELP}"
        )
    from huggingface_hub.utils import logging as hub_logging

    level = hub_logging.get_verbosity()
    hub_logging.set_verbosity_error()  # its retry warnings would bury the one line below
    try:
        files = choose_files(list_repo_files(model_id, revision=revision))
        path = snapshot_download(
            model_id, revision=revision, allow_patterns=files, cache_dir=str(hub_cache())
        )
    except Exception as err:  # connection, DNS, 404, auth: one line, not a traceback
        raise HubError(
            f"could not download {model_id} from the Hugging Face hub ({type(err).__name__}: "
            f"{str(err).splitlines()[0] if str(err) else ''}); {OFFLINE_HELP}"
        ) from err
    finally:
        hub_logging.set_verbosity(level)
    return Path(path)


def resolve_hub(model_id: str) -> tuple[Path, str]:
    """Return ``(snapshot directory, commit)`` of ``ID[@REVISION]``: the cache first, else a prefetch.

    >>> folder, commit = resolve_hub("bert-base-uncased")  # doctest: +SKIP
    """
    name, revision = split_revision(model_id)
    folder = local_snapshot(name, revision) or prefetch(name, revision)
    commit = snapshot_commit(folder / "config.json")
    if commit is None:
        raise HubError(f"{folder} is not a Hugging Face cache snapshot (no commit in its path)")
    return folder, commit


@dataclass
class CachedModel:
    """One hub model in the local cache (a row of ``trustkit models doctor``)."""

    model_id: str
    revision: str | None
    complete: bool
    missing: list[str]
    weights: str | None

    def line(self) -> str:
        """The model's line in ``trustkit models doctor``: id, revision, weights kind, complete or not."""
        state = "complete" if self.complete else "incomplete (missing " + ", ".join(self.missing) + ")"
        return f"{self.model_id}  revision {self.revision or '-'}  weights {self.weights or '-'}  {state}"


def inspect_cached(model_id: str) -> CachedModel:
    """Say whether a hub model is in the local cache, at which revision, with config, tokenizer and weights.

    >>> import os
    >>> from unittest import mock
    >>> from trustkit.examples import tiny_hub_cache
    >>> cache, snapshot = tiny_hub_cache()  # a hub cache holding one snapshot of config.json
    >>> with mock.patch.dict(os.environ, {"HF_HUB_CACHE": str(cache)}):
    ...     found = inspect_cached("bert-base-uncased")
    >>> found.complete, found.missing
    (False, ['weights (*.safetensors or pytorch_model.bin)', 'tokenizer files'])
    """
    name, revision = split_revision(model_id)
    folder = local_snapshot(name, revision)
    if folder is None:
        return CachedModel(model_id, None, False, ["config.json"], None)
    present = [p.name for p in folder.iterdir() if p.exists()]
    weights = [f for f in choose_files(present) if f.endswith((".safetensors", ".bin"))]
    missing = [] if weights else ["weights (*.safetensors or pytorch_model.bin)"]
    if not any(f in TOKENIZER_FILES for f in present):
        missing.append("tokenizer files")
    kind = ("safetensors" if weights[0].endswith(".safetensors") else "pickle .bin") if weights else None
    return CachedModel(model_id, snapshot_commit(folder / "config.json"), not missing, missing, kind)
