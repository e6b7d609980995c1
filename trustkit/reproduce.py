"""One-command reproduction: run every notebook of a profile with papermill and write the manifest.

Each notebook gets its run's :class:`trustkit.provenance.RunContext` as the papermill parameter
``run_context``; figures saved through :func:`trustkit.provenance.save_figure` are recorded in the
context's sidecar, and :func:`reproduce` merges the sidecars into ``figures/<profile>/MANIFEST.json``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from trustkit import fileio, profiles, provenance
from trustkit.errors import InputError, RunError
from trustkit.manifest import (  # noqa: F401  (re-exported: the manifest's public API)
    FIGURE_SUFFIXES,
    MANIFEST_NAME,
    _write_manifest,
    changed_revisions,
    figures_still_on_disk,
    portable,
    remove_partial_figures,
    verify_manifest,
)
from trustkit.models.preflight import HubUnavailable, preflight  # noqa: F401  (HubUnavailable: what reproduce raises)
from trustkit.provenance import RunContext

KERNEL_NAME = "python3"
#: the papermill parameter that carries a notebook's RunContext
CONTEXT_PARAMETER = "run_context"


# --------------------------------------------------------------------------------------------------
# The pipeline


def is_checkout(folder: str | os.PathLike) -> bool:
    """Whether ``folder`` holds ``notebooks/`` with every notebook of the study.

    >>> is_checkout("/nonexistent")
    False
    """
    notebooks = Path(folder) / "notebooks"
    return all((notebooks / f"{name}.ipynb").is_file() for name in profiles.notebook_names())


def repo_root(cwd: str | os.PathLike | None = None) -> Path:
    """Return the checkout to run: the current directory when it is one, else the installed package's.

    Raises
    ------
    InputError
        Neither is a checkout (e.g. trustkit installed from a wheel): pass ``--root DIR``.

    >>> is_checkout(repo_root()) and repo_root().is_absolute()
    True
    """
    here = Path(cwd if cwd is not None else Path.cwd()).resolve()
    package = Path(__file__).resolve().parents[1]
    for candidate in (here, package):
        if is_checkout(candidate):
            return candidate
    raise InputError(
        f"neither the current directory ({here}) nor the folder of the installed package ({package}) "
        "holds trustkit's notebooks/: run from a trustkit checkout or pass --root DIR"
    )


def output_folders(root: Path, profile: str) -> tuple[Path, Path]:
    """Create and return ``root/figures/<profile>`` and ``root/build/<profile>``, checked writable.

    Raises
    ------
    InputError
        A folder cannot be created or written (a read-only checkout): the message names it and
        says to pass ``--root DIR``, a writable folder.

    >>> import tempfile
    >>> figures, build = output_folders(Path(tempfile.mkdtemp()), "smoke")
    >>> figures.name, build.name, (build / "provenance").is_dir()
    ('smoke', 'smoke', True)
    """
    figures_dir, build_dir = root / "figures" / profile, root / "build" / profile
    for folder in (figures_dir, build_dir / "provenance"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as err:
            raise InputError(
                f"cannot write to {folder} ({err.strerror or err}): pass --root DIR, a writable folder "
                "where figures/, build/ and the manifest go (the notebooks are read from the checkout)"
            ) from err
    return figures_dir, build_dir


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
    executed = (build_dir / f"{notebook}.ipynb").resolve()
    sent = {**params, CONTEXT_PARAMETER: context.to_parameter()}
    if isinstance(sent.get("report_dir"), str) and not os.path.isabs(sent["report_dir"]):
        # relative to a notebooks/ folder beside build/: the output root's, not the (maybe read-only) checkout's
        sent["report_dir"] = os.path.normpath(
            build_dir.resolve().parents[1] / "notebooks" / sent["report_dir"]
        )
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(source),
            str(executed),
            parameters=sent,
            kernel_name=KERNEL_NAME,
            cwd=str(source.parent),
            progress_bar=progress,
        )
    except papermill.PapermillExecutionError as err:
        raise RunError(notebook_failure(notebook, err, executed)) from err
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
    root : where executed notebooks (``root/build/<profile>/``, git-ignored) and figures
        (``root/figures/<profile>/``) go; default :func:`repo_root`. The notebooks are read from
        ``root`` when it is a checkout, else from :func:`repo_root` (a read-only checkout then
        writes nothing: point ``root`` at a writable folder).
    notebooks : a subset of notebook names; their manifest entries replace the old ones, the
        others' are kept.
    progress : show papermill's progress bars.
    log : where progress lines go.
    max_pairs, sets : see :func:`trustkit.profiles.profile_parameters` (CLI ``--max-pairs``, ``--set``).

    Every hub model, tokenizer and extra the notebooks need is checked before anything runs
    (:func:`trustkit.models.preflight.preflight`). The manifest is rewritten (atomically) after every
    notebook, so a later failure keeps the record of what succeeded. Records whose figure is still
    on disk with its recorded sha256 are kept until their notebook has run again; when a notebook
    fails or is interrupted (Ctrl-C), the figures it had written are removed, so the manifest and
    the folder still agree (``--verify``).

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
    checkout = root if is_checkout(root) else repo_root()
    _check_kernel()
    figures_dir, build_dir = output_folders(root, profile)
    manifest_path = figures_dir / MANIFEST_NAME
    # Every record whose figure is still on disk, unchanged, stays until its notebook has run again:
    # an interrupted run (Ctrl-C) then leaves a manifest that matches the folder.
    figures = figures_still_on_disk(
        fileio.read_json(manifest_path, default={}).get("figures", {}), figures_dir
    )
    git = provenance.git_commit(checkout)
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
        log(f"[{profile}] running {checkout / 'notebooks' / name}.ipynb -> {build_dir / name}.ipynb")
        try:
            entries = run_notebook(
                name, profile, checkout, figures_dir, build_dir, progress=progress, params=plan[name]
            )
        except BaseException:  # Ctrl-C included: keep what is on disk, remove this notebook's partial figures
            try:
                removed = remove_partial_figures(name, figures, figures_dir, build_dir)
                _write_manifest(manifest_path, profile, root, common, figures, started)
            except OSError as err:  # e.g. a read-only folder: the original failure is the one raised
                log(f"[{profile}] {name} did not finish, and its figures could not be tidied: {err}")
            else:
                log(
                    f"[{profile}] {name} did not finish: removed its {len(removed)} partial figure(s)"
                    f"{' (' + ', '.join(removed) + ')' if removed else ''}; {manifest_path.name} keeps "
                    f"the {len(figures)} figure(s) still on disk"
                )
            raise
        for entry in entries.values():
            entry.update(common)
        figures = {k: v for k, v in figures.items() if v.get("notebook") != name}
        figures.update(entries)
        manifest = _write_manifest(manifest_path, profile, root, common, figures, started)
        log(
            f"[{profile}] {name}: {len(entries)} figures in "
            f"{next(iter(entries.values()))['wall_time_s'] if entries else 0} s; manifest updated"
        )
    if not notebooks:  # a full run leaves no stale figure or record behind
        stale = {k for k, v in figures.items() if v.get("notebook") not in chosen}
        if stale:
            figures = {k: v for k, v in figures.items() if k not in stale}
            manifest = _write_manifest(manifest_path, profile, root, common, figures, started)
        for path in figures_dir.iterdir():
            if path.suffix in FIGURE_SUFFIXES and path.name not in figures:
                path.unlink()
    log(f"[{profile}] wrote {len(figures)} figures and {manifest_path}")
    return manifest


def notebook_failure(notebook: str, err, executed: Path) -> str:
    """One line for a failed notebook: its name, the cell, the error, and the executed copy's path.

    ``err`` is papermill's ``PapermillExecutionError`` (cell index, execution count, ename, evalue).

    >>> from papermill import PapermillExecutionError
    >>> err = PapermillExecutionError(3, 2, "1/0", "ZeroDivisionError", "division by zero", [])
    >>> print(notebook_failure("02_scoring", err, Path("/out/build/smoke/02_scoring.ipynb")))
    ... # doctest: +NORMALIZE_WHITESPACE
    notebook 02_scoring failed in cell 4 (In [2]): ZeroDivisionError: division by zero; the traceback is
    in the executed notebook /out/build/smoke/02_scoring.ipynb
    """
    evalue = " ".join(str(err.evalue).split())[:300]
    return (
        f"notebook {notebook} failed in cell {err.cell_index + 1} (In [{err.exec_count}]): {err.ename}: "
        f"{evalue}; the traceback is in the executed notebook {executed}"
    )
