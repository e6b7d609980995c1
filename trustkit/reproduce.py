"""One-command reproduction: run every notebook of a profile with papermill and write the manifest.

Each notebook gets its run's :class:`trustkit.provenance.RunContext` as the papermill parameter
``run_context``; figures saved through :func:`trustkit.provenance.save_figure` are recorded in the
context's sidecar, and :func:`reproduce` merges the sidecars into ``figures/<profile>/MANIFEST.json``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from trustkit import fileio, profiles, provenance
from trustkit.errors import RunError
from trustkit.manifest import (  # noqa: F401  (re-exported: the manifest's public API)
    FIGURE_SUFFIXES,
    MANIFEST_NAME,
    _write_manifest,
    changed_revisions,
    portable,
    verify_manifest,
)
from trustkit.models.preflight import HubUnavailable, preflight  # noqa: F401  (HubUnavailable: what reproduce raises)
from trustkit.provenance import RunContext

KERNEL_NAME = "python3"
#: the papermill parameter that carries a notebook's RunContext
CONTEXT_PARAMETER = "run_context"


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
        raise RunError("no `python3` Jupyter kernel: run `python -m ipykernel install --sys-prefix`") from err
    exe = spec.argv[0]
    # jupyter_client replaces a bare "python" with the running interpreter.
    if (
        exe not in {"python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"}
        and Path(exe).resolve() != Path(sys.executable).resolve()
    ):
        raise RunError(
            f"the `python3` Jupyter kernel runs {exe}, not this interpreter ({sys.executable}); "
            "set JUPYTER_PREFER_ENV_PATH=1 or run `python -m ipykernel install --sys-prefix`"
        )


def run_notebook(
    notebook: str,
    profile: str,
    root: Path,
    figures_dir: Path,
    build_dir: Path,
    progress: bool = True,
    params: dict | None = None,
) -> dict:
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
    context = RunContext(
        notebook=notebook, profile=profile, figures_dir=params["figures_dir"], sidecar=str(sidecar.resolve())
    )
    saved = os.environ.get("JUPYTER_PREFER_ENV_PATH")
    os.environ["JUPYTER_PREFER_ENV_PATH"] = "1"  # the kernel must be this interpreter (see _check_kernel)
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(source),
            str(build_dir / f"{notebook}.ipynb"),
            parameters={**params, CONTEXT_PARAMETER: context.to_parameter()},
            kernel_name=KERNEL_NAME,
            cwd=str(source.parent),
            progress_bar=progress,
        )
    finally:
        if saved is None:
            os.environ.pop("JUPYTER_PREFER_ENV_PATH", None)
        else:
            os.environ["JUPYTER_PREFER_ENV_PATH"] = saved
    wall = round(time.perf_counter() - start, 2)
    entries = {}
    for record in fileio.read_json(sidecar, default={}).values():
        path = Path(record.pop("path"))
        if fileio.sha256_file(path) != record["sha256"]:
            raise RunError(f"{path} changed after it was recorded; was it written twice?")
        try:
            key = path.relative_to(figures_dir.resolve()).as_posix()
        except ValueError:
            raise RunError(f"{notebook} saved {path} outside {figures_dir}") from None
        entries[key] = {**record, "notebook": notebook, "parameters": params, "wall_time_s": wall}
    missing = sorted(set(profiles.expected_figures(notebook)) - set(entries))
    if missing:
        raise RunError(
            f"{notebook} ran but did not save (with provenance) the figures {missing}; save each "
            "with trustkit.provenance.save_figure(fig, name, run), where run = "
            f"RunContext.resolve({CONTEXT_PARAMETER}, ...) from the parameters cell"
        )
    return entries


def reproduce(
    profile: str,
    root: str | os.PathLike | None = None,
    notebooks=None,
    progress: bool = True,
    log=print,
    max_pairs: int | None = None,
    sets=(),
) -> dict:
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
    (:func:`trustkit.models.preflight.preflight`). The manifest is rewritten (atomically) after every
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
    profiles.check_profile(profile)
    chosen = list(notebooks or profiles.notebook_names())
    plan = {
        name: profiles.profile_parameters(profile, name, max_pairs=max_pairs, sets=sets) for name in chosen
    }
    preflight(plan)
    root = Path(root).resolve() if root else repo_root()
    _check_kernel()
    figures_dir = root / "figures" / profile
    build_dir = root / "build" / profile
    figures_dir.mkdir(parents=True, exist_ok=True)
    (build_dir / "provenance").mkdir(parents=True, exist_ok=True)
    manifest_path = figures_dir / MANIFEST_NAME
    old = fileio.read_json(manifest_path, default={}).get("figures", {}) if notebooks else {}
    figures = {k: v for k, v in old.items() if v.get("notebook") not in chosen}
    git = provenance.git_commit(root)
    if git["commit"] is None:  # notebooks outside a checkout: record the code's own commit
        git = provenance.git_commit()
    common = {
        "git_commit": git["commit"],
        "git_dirty": git["dirty"],
        "library_versions": provenance.library_versions(),
    }
    started = time.perf_counter()
    manifest: dict = {}
    for name in chosen:
        log(f"[{profile}] running notebooks/{name}.ipynb -> build/{profile}/{name}.ipynb")
        entries = run_notebook(
            name, profile, root, figures_dir, build_dir, progress=progress, params=plan[name]
        )
        for entry in entries.values():
            entry.update(common)
        figures.update(entries)
        manifest = _write_manifest(manifest_path, profile, root, common, figures, started)
        log(
            f"[{profile}] {name}: {len(entries)} figures in "
            f"{next(iter(entries.values()))['wall_time_s'] if entries else 0} s; manifest updated"
        )
    if not notebooks:  # a full run leaves no stale figure behind
        for path in figures_dir.iterdir():
            if path.suffix in FIGURE_SUFFIXES and path.name not in figures:
                path.unlink()
    log(f"[{profile}] wrote {len(figures)} figures and {manifest_path.relative_to(root)}")
    return manifest
