"""The reproduction pipeline: provenance sidecars, the manifest, and a smoke run of every notebook."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from trustkit import profiles, provenance, reproduce
from trustkit.fileio import sha256_file
from trustkit.provenance import RunContext

REPO = Path(__file__).resolve().parents[1]


def _tiny_checkout(root: Path, body: str) -> Path:
    """A checkout with one notebook whose parameters cell is followed by ``body``."""
    params = new_code_cell(
        'profile = "lab"\nfigures_dir = "../build/lab/figures"\nrun_context = None\nseed = 0\nn = 3'
    )
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, new_code_cell(body)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (root / "notebooks").mkdir(parents=True)
    nbformat.write(nb, root / "notebooks" / "00_tiny.ipynb")
    return root


PLOT = (
    "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
    "from trustkit.provenance import RunContext, save_figure\n"
    "run = RunContext.resolve(run_context, notebook='00_tiny', profile=profile, figures_dir=figures_dir)\n"
    "fig, ax = plt.subplots()\nax.plot(range(n))\n"
    "save_figure(fig, '00_tiny_line.png', run, models=['tiny-model'], seed=seed)\n"
)


@pytest.fixture
def tiny_profile(monkeypatch):
    """Register a one-notebook study in place of the real one."""
    monkeypatch.setattr(profiles, "NOTEBOOK_FIGURES", {"00_tiny": ("00_tiny_line.png",)})
    monkeypatch.setattr(
        profiles,
        "_LAB",
        {"00_tiny": {"profile": "lab", "seed": 0, "n": 3, "figures_dir": "../build/lab/figures"}},
    )
    monkeypatch.setattr(profiles, "_OVERRIDES", {p: {"00_tiny": {"n": 5}} for p in profiles.PROFILE_NAMES})


def test_record_figure_replaces_its_own_record(tmp_path):
    run = RunContext(sidecar=str(tmp_path / "side.json"))
    fig = tmp_path / "a.png"
    fig.write_bytes(b"one")
    provenance.record_figure(
        fig, context=run, models=["m"], datasets=[{"name": "d", "sha256": "0" * 64}], seed=3, notebook="nb"
    )
    fig.write_bytes(b"two")
    rec = provenance.record_figure(
        fig, context=run, models=[{"model_id": "m2", "sha256": "1" * 64}], seed=4, notebook="nb"
    )
    records = json.loads((tmp_path / "side.json").read_text())
    assert list(records) == [str(fig.resolve())]
    assert records[str(fig.resolve())]["seed"] == 4 == rec["seed"]
    assert rec["sha256"] == sha256_file(fig) != sha256_file(__file__)
    assert rec["models"] == [{"model_id": "m2", "sha256": "1" * 64}]


def test_record_figure_refuses_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="save the figure first"):
        provenance.record_figure(tmp_path / "nope.png")


def test_dataset_file_is_hashed(tmp_path):
    data = tmp_path / "pairs.csv"
    data.write_text("a,b\n")
    fig = tmp_path / "f.png"
    fig.write_bytes(b"x")
    rec = provenance.record_figure(
        fig, context=RunContext(sidecar=str(tmp_path / "side.json")), datasets=[data]
    )
    assert rec["datasets"] == [{"name": "pairs", "file": "pairs.csv", "sha256": sha256_file(data)}]


def test_reproduce_writes_figures_and_a_manifest_that_verifies(tmp_path, tiny_profile):
    root = _tiny_checkout(tmp_path, PLOT)
    stale = root / "figures" / "smoke" / "00_old.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"stale")
    manifest = reproduce.reproduce("smoke", root=root, progress=False, log=lambda *_: None)
    entry = manifest["figures"]["00_tiny_line.png"]
    assert entry["parameters"]["n"] == 5 and entry["parameters"]["profile"] == "smoke"
    assert entry["models"] == [{"model_id": "tiny-model"}] and entry["seed"] == 0
    assert entry["library_versions"]["torch"] and entry["wall_time_s"] > 0
    assert entry["sha256"] == sha256_file(root / "figures" / "smoke" / "00_tiny_line.png")
    assert not stale.exists(), "a full run must not leave stale figures behind"
    assert (root / "build" / "smoke" / "00_tiny.ipynb").is_file()
    on_disk = json.loads((root / "figures" / "smoke" / "MANIFEST.json").read_text())
    assert on_disk["figures"] == json.loads(json.dumps(manifest["figures"]))
    assert reproduce.verify_manifest(root / "figures" / "smoke") == []
    text = (root / "figures" / "smoke" / "MANIFEST.json").read_text()
    assert str(root) not in text and '"figures_dir": "figures/smoke"' in text, (
        "no machine paths in a manifest"
    )
    (root / "figures" / "smoke" / "00_tiny_line.png").write_bytes(b"tampered")
    assert reproduce.verify_manifest(root / "figures" / "smoke") == [
        "00_tiny_line.png: sha256 differs from the manifest"
    ]


def test_reproduce_fails_when_an_expected_figure_is_not_saved(tmp_path, tiny_profile):
    root = _tiny_checkout(tmp_path, "x = n + 1\n")
    with pytest.raises(RuntimeError, match="did not save"):
        reproduce.reproduce("lab", root=root, progress=False, log=lambda *_: None)


def test_paper_profile_stops_at_once_without_the_hub(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hf-cache"))
    with pytest.raises(reproduce.HubUnavailable) as err:
        reproduce.reproduce("paper", root=tmp_path, log=lambda *_: None)
    message = str(err.value)
    for needed in (*profiles.PAPER_HUB_MODELS, profiles.PAPER_HUB_PARAPHRASER, "HF_HUB_OFFLINE", "offline"):
        assert needed in message
    assert not (tmp_path / "build").exists(), "nothing may run before the hub check"


def test_smoke_profile_reproduces_every_expected_figure(smoke_run):
    """The real notebooks under the smoke profile: every figure, every manifest entry, matching hashes."""
    tmp_path, manifest = smoke_run
    figures_dir = tmp_path / "figures" / "smoke"
    expected = {f: n for n in profiles.notebook_names() for f in profiles.expected_figures(n)}
    assert set(manifest["figures"]) >= set(expected)
    for name, notebook in expected.items():
        entry = manifest["figures"][name]
        assert entry["notebook"] == notebook
        assert entry["parameters"] == {
            **profiles.profile_parameters("smoke", notebook),
            "figures_dir": "figures/smoke",
        }
        assert entry["sha256"] == sha256_file(figures_dir / name)
        assert entry["git_commit"] and len(entry["git_commit"]) == 40
        assert entry["library_versions"]["transformers"] and entry["wall_time_s"] > 0
        assert entry["datasets"] or entry["models"], f"{name} records neither data nor models"
        for dataset in entry["datasets"]:
            assert len(dataset["sha256"]) == 64
    assert reproduce.verify_manifest(figures_dir) == []
    for notebook in profiles.notebook_names():
        executed = nbformat.read(tmp_path / "build" / "smoke" / f"{notebook}.ipynb", as_version=4)
        assert any(c.get("outputs") for c in executed.cells if c.cell_type == "code")


def test_a_dataset_of_several_files_is_recorded_file_by_file():
    from trustkit import data

    record = provenance.dataset_record("winobias")
    expected = {f.filename: f.sha256 for f in data.get_dataset("winobias").files}
    assert record["name"] == "winobias" and record["files"] == expected and len(expected) > 1


def test_manifest_keeps_what_finished_before_a_failure_and_notebooks_merge(tmp_path, monkeypatch):
    root = _tiny_checkout(tmp_path, PLOT)
    second = nbformat.read(root / "notebooks" / "00_tiny.ipynb", as_version=4)
    second.cells[1].source = (
        PLOT.replace("00_tiny_line", "00_two_line") + "\nassert n < 5, 'fails under smoke'\n"
    )
    nbformat.write(second, root / "notebooks" / "00_two.ipynb")
    monkeypatch.setattr(
        profiles, "NOTEBOOK_FIGURES", {"00_tiny": ("00_tiny_line.png",), "00_two": ("00_two_line.png",)}
    )
    lab = {"profile": "lab", "seed": 0, "n": 3, "figures_dir": "../build/lab/figures"}
    monkeypatch.setattr(profiles, "_LAB", {"00_tiny": lab, "00_two": lab})
    monkeypatch.setattr(
        profiles, "_OVERRIDES", {p: {"00_tiny": {"n": 5}, "00_two": {"n": 5}} for p in profiles.PROFILE_NAMES}
    )
    with pytest.raises(Exception, match="fails under smoke"):
        reproduce.reproduce("smoke", root=root, progress=False, log=lambda *_: None)
    manifest_path = root / "figures" / "smoke" / "MANIFEST.json"
    assert list(json.loads(manifest_path.read_text())["figures"]) == ["00_tiny_line.png"]
    merged = reproduce.reproduce(
        "smoke", root=root, notebooks=["00_two"], progress=False, log=lambda *_: None, sets=["00_two.n=4"]
    )
    assert sorted(merged["figures"]) == ["00_tiny_line.png", "00_two_line.png"]
    assert merged["figures"]["00_two_line.png"]["parameters"]["n"] == 4
    assert reproduce.verify_manifest(root / "figures" / "smoke") == []
