"""The manifest of a profile's figures: written atomically, portable, and verified against the files.

``figures/<profile>/MANIFEST.json`` records every figure's provenance (see :mod:`trustkit.provenance`);
:func:`verify_manifest` checks the figures' hashes and the hub revisions of the models behind them.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import time
from pathlib import Path

from trustkit import profiles
from trustkit.fileio import atomic_write_text, read_json, sha256_file
from trustkit.provenance import FIGURE_SUFFIXES

MANIFEST_NAME = "MANIFEST.json"


def _write_manifest(
    path: Path, profile: str, root: Path, common: dict, figures: dict, started: float
) -> dict:
    """Write the manifest as it stands (atomically: a reader sees the old or the new file, never half)."""
    manifest = {
        "profile": profile,
        "description": profiles.PROFILE_DESCRIPTIONS[profile],
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "git_commit": common["git_commit"],
        "git_dirty": common["git_dirty"],
        "platform": platform.platform(),
        "wall_time_s": round(time.perf_counter() - started, 2),
        "figures": dict(sorted(figures.items())),
    }
    manifest = portable(manifest, root)
    atomic_write_text(path, json.dumps(manifest, indent=1, sort_keys=False) + "\n")
    return manifest


def portable(value, root: str | os.PathLike):
    """Rewrite machine-specific paths inside a manifest so it can be committed and compared.

    Paths under the cache become ``$TRUSTKIT_CACHE/...``, paths under the checkout ``root``
    become relative, paths under the home directory start with ``~/``; anything else is kept.

    >>> portable({"p": str(Path.home() / "x")}, "/nonexistent")
    {'p': '~/x'}
    """
    from trustkit.paths import cache_dir

    prefixes = [
        (str(cache_dir().resolve()), "$TRUSTKIT_CACHE"),
        (str(Path(root).resolve()), ""),
        (str(Path.home()), "~"),
    ]

    def rewrite(item):
        if isinstance(item, dict):
            return {k: rewrite(v) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [rewrite(v) for v in item]
        if isinstance(item, str):
            for prefix, replacement in prefixes:
                if item == prefix or item.startswith(prefix + os.sep):
                    rest = item[len(prefix) :].lstrip(os.sep)
                    return f"{replacement}/{rest}".strip("/") if replacement else (rest or ".")
        return item

    return rewrite(value)


def verify_manifest(figures_dir: str | os.PathLike) -> list[str]:
    """Check a figures directory against its manifest; return the problems found (empty if none).

    >>> import hashlib, json, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.png").write_bytes(b"abc")
    >>> figures = {"a.png": {"sha256": hashlib.sha256(b"abc").hexdigest()}, "b.png": {"sha256": "0"}}
    >>> _ = (folder / MANIFEST_NAME).write_text(json.dumps({"figures": figures}))
    >>> verify_manifest(folder)
    ['b.png: listed in the manifest but missing']
    >>> _ = (folder / "a.png").write_bytes(b"xyz")
    >>> verify_manifest(folder)[0]
    'a.png: sha256 differs from the manifest'
    """
    figures_dir = Path(figures_dir)
    manifest = read_json(figures_dir / MANIFEST_NAME, default=None)
    if manifest is None:
        return [f"{figures_dir / MANIFEST_NAME} is missing"]
    problems = []
    for name, entry in manifest.get("figures", {}).items():
        path = figures_dir / name
        if not path.is_file():
            problems.append(f"{name}: listed in the manifest but missing")
        elif sha256_file(path) != entry.get("sha256"):
            problems.append(f"{name}: sha256 differs from the manifest")
    for path in figures_dir.iterdir():
        if path.suffix in FIGURE_SUFFIXES and path.name not in manifest.get("figures", {}):
            problems.append(f"{path.name}: figure without a manifest entry")
    return problems + changed_revisions(manifest)


def changed_revisions(manifest: dict) -> list[str]:
    """Hub models whose recorded revision differs from the one in the local Hugging Face cache now.

    >>> changed_revisions({"figures": {}})
    []
    """
    from trustkit.models.hub import local_snapshot, split_revision

    recorded: dict[str, tuple[str, set]] = {}
    for name, entry in manifest.get("figures", {}).items():
        for model in entry.get("models") or []:
            if model.get("revision") and model.get("model_id"):
                recorded.setdefault(model["model_id"], (model["revision"], set()))[1].add(name)
    problems = []
    for model_id, (revision, names) in sorted(recorded.items()):
        hub_id = model_id.partition(":")[2] or model_id  # a paraphraser spec "seq2seq:ORG/NAME"
        folder = local_snapshot(*split_revision(hub_id))  # what the model's id resolves to now
        now = folder.name if folder is not None else None
        if now != revision:
            problems.append(
                f"{model_id}: figures {', '.join(sorted(names))} were made at revision {revision}, "
                f"the local cache now has {now or 'no copy'}"
            )
    return problems


def figures_still_on_disk(records: dict, figures_dir: Path) -> dict:
    """The manifest records whose figure file is still in ``figures_dir`` with the recorded sha256."""
    return {
        name: record
        for name, record in records.items()
        if (figures_dir / name).is_file() and sha256_file(figures_dir / name) == record.get("sha256")
    }


def remove_partial_figures(notebook: str, figures: dict, figures_dir: Path, build_dir: Path) -> list[str]:
    """Delete the figures a stopped notebook wrote (they belong to no finished run); return their names.

    A figure of the notebook is partial when no kept record vouches for its bytes: written by this
    run (its sidecar, or the notebook's expected figures), or a record whose file changed.
    """
    sidecar = read_json(build_dir / "provenance" / f"{notebook}.json", default={})
    names = {Path(record.get("path", "")).name for record in sidecar.values()}
    names |= set(profiles.NOTEBOOK_FIGURES.get(notebook, ()))
    names |= {k for k, v in figures.items() if v.get("notebook") == notebook}
    removed = []
    for name in sorted(n for n in names if n):
        path = figures_dir / name
        kept = name in figures and path.is_file() and sha256_file(path) == figures[name].get("sha256")
        if not kept:
            figures.pop(name, None)
            if path.is_file():
                path.unlink()
                removed.append(name)
    return removed
