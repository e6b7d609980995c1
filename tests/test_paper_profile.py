"""The paper profile end to end on the hub replicas: every notebook, every figure, hub revisions recorded."""

import json
import shutil

import nbformat
import pytest

from trustkit import profiles, reproduce
from trustkit.cli import main
from trustkit.models import preflight

REPO = __import__("pathlib").Path(__file__).resolve().parents[1]
PARROT = profiles.PAPER_HUB_PARAPHRASER
# A few pairs, the tiny random control, and the smoke profile's landscape: general options only.
SMALL = [
    "02_scoring.control=bert-tiny",
    "04_sensitivity_thresholding.control=bert-tiny",
    "03_paraphrase.n_paraphrases=2",
    "04_sensitivity_thresholding.n_paraphrases=2",
    "02_scoring.n_resamples=200",
    "04_sensitivity_thresholding.n_resamples=200",
    "04_sensitivity_thresholding.icc_n_resamples=5",
    "07_deployment_choices.control=bert-tiny",
    "07_deployment_choices.n_texts=2",
    "07_deployment_choices.n_resamples=200",
] + [f"05_landscape.{k}={json.dumps(v)}" for k, v in profiles._OVERRIDES["smoke"]["05_landscape"].items()]


@pytest.fixture
def checkout(tmp_path):
    (tmp_path / "notebooks").symlink_to(REPO / "notebooks", target_is_directory=True)
    return tmp_path


def test_paper_profile_runs_every_notebook_on_the_replicas(hub, checkout, capsys):
    assert (
        main(
            [
                "reproduce",
                "--profile",
                "paper",
                "--root",
                str(checkout),
                "--no-progress",
                "--max-pairs",
                "4",
                *[a for item in SMALL for a in ("--set", item)],
            ]
        )
        == 0
    )
    figures_dir = checkout / "figures" / "paper"
    manifest = json.loads((figures_dir / "MANIFEST.json").read_text())
    expected = {f for n in profiles.notebook_names() for f in profiles.expected_figures(n)}
    assert set(manifest["figures"]) == expected and reproduce.verify_manifest(figures_dir) == []
    scored = manifest["figures"]["02_scoring_ll_differences.png"]
    revisions = {m["model_id"]: m.get("revision") for m in scored["models"]}
    for repo in profiles.PAPER_HUB_MODELS:
        assert revisions[repo] == hub[repo].name
    assert scored["parameters"]["n_pairs"] == 4 and scored["parameters"]["control"] == "bert-tiny"
    assert scored["notes"] == "control scored on 4 pairs per dataset"
    # notebook 07: each hub model in fp32, fp16 and int8, each record naming its revision
    deployed = manifest["figures"]["07_deployment_choices_bias_vs_utility.png"]
    choices = {(m["model_id"], m["precision"]): m.get("revision") for m in deployed["models"]}
    for repo in profiles.PAPER_HUB_MODELS:
        for precision in ("fp32", "fp16", "int8"):
            assert choices[(repo, precision)] == hub[repo].name
    assert deployed["parameters"]["precisions"] == ["fp32", "fp16", "int8"]
    para = {m["model_id"]: m for m in manifest["figures"]["03_paraphrase_similarity.png"]["models"]}
    assert para[f"seq2seq:{PARROT}"]["revision"] == hub[PARROT].name
    # random weights keep no paraphrase: notebook 04 says so and goes on with back-translation
    executed = nbformat.read(checkout / "build" / "paper" / "04_sensitivity_thresholding.ipynb", as_version=4)
    said = "".join(
        o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert f"seq2seq:{PARROT} kept no paraphrase of the 4 pairs" in said
    assert "backtranslation" in manifest["figures"]["04_sensitivity_original_vs_paraphrase.png"]["notes"]

    # a new revision of a model behind the same id: --verify says which figures it made
    repo_dir = hub["bert-base-uncased"].parents[1]
    moved = repo_dir / "snapshots" / ("f" * 40)
    shutil.copytree(hub["bert-base-uncased"], moved)
    (repo_dir / "refs" / "main").write_text("f" * 40)
    try:
        capsys.readouterr()
        assert main(["reproduce", "--profile", "paper", "--root", str(checkout), "--verify"]) == 1
        err = capsys.readouterr().err
        assert "bert-base-uncased: figures 02_scoring_ll_differences.png" in err
        assert f"made at revision {hub['bert-base-uncased'].name}, the local cache now has {'f' * 40}" in err
    finally:
        (repo_dir / "refs" / "main").write_text(hub["bert-base-uncased"].name)
        shutil.rmtree(moved)


def test_preflight_lists_every_missing_piece_in_one_message(hub, monkeypatch):
    plan = {n: profiles.profile_parameters("paper", n) for n in profiles.notebook_names()}
    assert set(preflight.preflight(plan)) == {*profiles.PAPER_HUB_MODELS, PARROT}
    real_find_spec = preflight.importlib.util.find_spec
    monkeypatch.setattr(
        preflight.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "sentencepiece" else real_find_spec(name, *a),
    )
    plan["02_scoring"]["models"] = ["bert-base-uncased", "google/not-cached", "roberta-large@" + "0" * 40]
    with pytest.raises(preflight.HubUnavailable) as err:
        preflight.preflight(plan)
    message = str(err.value)
    assert message.startswith("HF_HUB_OFFLINE=1 is set") and "3 missing piece(s)" in message
    assert "google/not-cached is not in the local Hugging Face cache" in message
    assert "`trustkit models prefetch roberta-large@" + "0" * 40 + "`" in message
    assert (
        f"{PARROT}: its SentencePiece tokenizer needs the paper extra" in message
        and preflight.PAPER_EXTRA in message
    )
    # ALBERT ships tokenizer.json, so it needs no sentencepiece
    assert "albert" not in message


def test_preflight_tries_an_unreachable_hub_once(tmp_path, monkeypatch):
    import huggingface_hub

    calls = []

    def unreachable(repo_id, revision=None):
        calls.append(repo_id)
        raise ConnectionError("Failed to resolve 'huggingface.co'")

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    monkeypatch.setattr(huggingface_hub, "list_repo_files", unreachable)
    plan = {n: profiles.profile_parameters("paper", n) for n in profiles.notebook_names()}
    with pytest.raises(preflight.HubUnavailable) as err:
        preflight.preflight(plan)
    assert len(calls) == 1 and "4 missing piece(s)" in str(err.value)
    assert "could not download bert-base-uncased from the Hugging Face hub (ConnectionError" in str(err.value)
    assert "prithivida/parrot_paraphraser_on_T5 is not in the local Hugging Face cache" in str(err.value)
