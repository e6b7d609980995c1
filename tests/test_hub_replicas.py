"""The paper's hub models by id, read from tiny replicas of their repositories in the Hugging Face cache."""

import json

import pytest
from safetensors import safe_open

from trustkit.cli import main
from trustkit.models import load_pretrained
from trustkit.models.hub import HubError, inspect_cached, split_revision
from trustkit.paraphrase import Seq2SeqParaphraser
from trustkit.scoring import load_scorer

MASKED = ("bert-base-uncased", "roberta-large", "albert/albert-xxlarge-v2")
PARROT = "prithivida/parrot_paraphraser_on_T5"


def _keys(snapshot):
    with safe_open(str(snapshot / "model.safetensors"), "pt") as handle:
        return set(handle.keys())


def test_replicas_have_the_real_layouts(hub):
    # Parrot's file list on the hub, training_args.bin (a pickled TrainingArguments) included
    assert {p.name for p in hub[PARROT].iterdir()} == {
        "README.md",
        "config.json",
        "pytorch_model.bin",
        "spiece.model",
        "special_tokens_map.json",
        "tokenizer_config.json",
        "training_args.bin",
    }
    for repo in MASKED:  # the other frameworks' weights and the legacy pickle beside model.safetensors
        names = {p.name for p in hub[repo].iterdir()}
        assert {"model.safetensors", "pytorch_model.bin", "tf_model.h5", "rust_model.ot"} <= names
    bert = _keys(hub["bert-base-uncased"])
    assert "bert.embeddings.LayerNorm.gamma" in bert and "bert.pooler.dense.weight" in bert
    assert "cls.seq_relationship.weight" in bert and not any(k.endswith("LayerNorm.weight") for k in bert)
    roberta = _keys(hub["roberta-large"])
    assert {"roberta.pooler.dense.weight", "lm_head.dense.weight", "lm_head.layer_norm.weight"} <= roberta
    albert = _keys(hub["albert/albert-xxlarge-v2"])
    assert {"sop_classifier.classifier.weight", "predictions.decoder.weight"} <= albert
    for snapshot in hub.values():
        ref = (snapshot.parents[1] / "refs" / "main").read_text()
        assert snapshot.name == ref and len(ref) == 40
        assert json.loads((snapshot / "config.json").read_text())["architectures"]


@pytest.mark.parametrize("repo", MASKED)
def test_masked_replicas_load_and_score_by_hub_id(hub, repo):
    scorer = load_scorer(repo, cache=False, progress=False)
    record = scorer.provenance
    assert record["revision"] == hub[repo].name and record["model_id"] == repo
    assert list(record["files"]) == ["model.safetensors"] and len(record["files"]["model.safetensors"]) == 64
    assert record["missing_keys"] == [] and record["kind"] == "masked"
    tokens = scorer.tokenizer.tokenize("Women don't drive")
    assert {"bert-base-uncased": "women", "roberta-large": "Ġdon", "albert/albert-xxlarge-v2": "▁women"}[
        repo
    ] in tokens
    scores = scorer.score_sentences(["Women don't know how to drive."], "pll")
    assert scores[0] < 0


def test_revision_is_part_of_the_id_and_of_the_score_cache_key(hub):
    commit = hub["bert-base-uncased"].name
    pinned = load_scorer(f"bert-base-uncased@{commit}", cache=False, progress=False)
    assert (
        pinned.provenance["revision"] == commit and split_revision(pinned.provenance["model_id"])[1] == commit
    )
    assert commit in pinned.identity()["model"]
    with pytest.raises(HubError, match="not in the local Hugging Face cache.*HF_HUB_OFFLINE=1.*prefetch"):
        load_pretrained("bert-base-uncased@" + "0" * 40)


def test_parrot_paraphrases_by_hub_id_from_its_pickle(hub):
    paraphraser = Seq2SeqParaphraser(PARROT)
    assert f"{PARROT}@{hub[PARROT].name}" in paraphraser.backend_id
    out = paraphraser.generate(["Women don't know how to drive."], n_paraphrases=2, seed=0, progress=False)
    assert len(out[0]) == 2 and out == paraphraser.generate(
        ["Women don't know how to drive."], n_paraphrases=2, seed=0, progress=False
    )


def test_training_args_beside_the_weights_is_never_unpickled(hub):
    """The replica's training_args.bin names a missing module: reading it in any way would raise."""
    import torch
    from hub_replicas import NEVER_UNPICKLE

    from trustkit.models.pickle_conversion import pickle_weights

    with pytest.raises(ModuleNotFoundError, match=NEVER_UNPICKLE):
        torch.load(hub[PARROT] / "training_args.bin", weights_only=False)
    assert [p.name for p in pickle_weights(hub[PARROT])] == ["pytorch_model.bin"]
    assert (
        len(
            Seq2SeqParaphraser(PARROT).generate(
                ["Men know how to drive."], n_paraphrases=1, seed=0, progress=False
            )[0]
        )
        == 1
    )


def test_paraphraser_exposes_its_hub_revision_for_the_figure_records(hub):
    from trustkit.data import load_pairs
    from trustkit.paraphrase import paraphrase_pairs
    from trustkit.study import paraphraser_records

    paraphraser = Seq2SeqParaphraser(PARROT)
    assert paraphraser.revision == hub[PARROT].name and len(paraphraser.revision) == 40
    result = paraphrase_pairs(load_pairs("crows_pairs").head(1), paraphraser, n_paraphrases=1, progress=False)
    assert paraphraser_records({"parrot": result}) == [
        {
            "model_id": "parrot",
            "role": "paraphraser",
            "backend": paraphraser.backend_id,
            "revision": hub[PARROT].name,
        }
    ]


def test_doctor_sees_each_replica(hub):
    rows = {repo: inspect_cached(repo) for repo in (*MASKED, PARROT, "google/not-there")}
    assert all(rows[r].complete and rows[r].revision == hub[r].name for r in (*MASKED, PARROT))
    assert rows[PARROT].weights == "pickle .bin" and rows["bert-base-uncased"].weights == "safetensors"
    assert not rows["google/not-there"].complete


def test_score_and_paraphrase_commands_take_hub_ids(hub, tmp_path, capsys):
    outs = [tmp_path / f"s{i}.csv" for i in range(len(MASKED))]
    for repo, out in zip(MASKED, outs):
        assert (
            main(
                [
                    "score",
                    "--model",
                    repo,
                    "--data",
                    "crows_pairs",
                    "--metric",
                    "pll",
                    "--limit",
                    "2",
                    "--out",
                    str(out),
                    "--no-cache",
                ]
            )
            == 0
        )
    assert (
        main(
            [
                "paraphrase",
                "--data",
                "crows_pairs",
                "--method",
                "seq2seq",
                "--model",
                PARROT,
                "--n-paraphrases",
                "2",
                "--limit",
                "2",
                "--out",
                str(tmp_path / "p.parquet"),
                "--no-progress",
            ]
        )
        == 0
    )
    assert all(out.is_file() for out in outs) and (tmp_path / "p.parquet").is_file()


def test_models_doctor_reports_the_cache(hub, capsys):
    assert main(["models", "doctor"]) == 0
    out = capsys.readouterr().out
    for repo, snapshot in hub.items():
        assert f"{repo}  revision {snapshot.name}" in out and "complete" in out
    assert main(["models", "doctor", "google/not-there"]) == 1
    assert (
        "google/not-there  revision -  weights -  incomplete (missing config.json)" in capsys.readouterr().out
    )


def test_prefetch_asks_only_for_the_files_trustkit_reads(tmp_path, monkeypatch, capsys):
    import huggingface_hub

    listed = {
        "bert-base-uncased": [
            "config.json",
            "model.safetensors",
            "pytorch_model.bin",
            "tf_model.h5",
            "flax_model.msgpack",
            "rust_model.ot",
            "coreml/model.mlmodel",
            "vocab.txt",
            "tokenizer.json",
            "tokenizer_config.json",
            "README.md",
        ],
        PARROT: [
            "config.json",
            "pytorch_model.bin",
            "spiece.model",
            "special_tokens_map.json",
            "tokenizer_config.json",
            "README.md",
            ".gitattributes",
        ],
    }
    calls = []

    def fake_snapshot_download(repo_id, revision=None, allow_patterns=None, cache_dir=None):
        calls.append((repo_id, revision, sorted(allow_patterns)))
        folder = tmp_path / "hub" / ("models--" + repo_id.replace("/", "--")) / "snapshots" / ("c" * 40)
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder)

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    monkeypatch.setattr(
        huggingface_hub, "list_repo_files", lambda repo_id, revision=None: listed.get(repo_id, [])
    )
    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot_download)
    assert main(["models", "prefetch", "--profile", "paper", "bert-base-uncased@v1.0"]) == 0
    wanted = {(c[0], c[1]): c for c in calls}
    assert wanted["bert-base-uncased", "v1.0"] == (
        "bert-base-uncased",
        "v1.0",
        ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt"],
    )
    assert wanted[PARROT, None][2] == [
        "config.json",
        "pytorch_model.bin",
        "special_tokens_map.json",
        "spiece.model",
        "tokenizer_config.json",
    ]
    assert {c[0] for c in calls} == {*MASKED, PARROT} and "OK revision " + "c" * 40 in capsys.readouterr().out

    def unreachable(*args, **kwargs):
        raise ConnectionError("Failed to resolve 'huggingface.co'\nmore lines")

    monkeypatch.setattr(huggingface_hub, "list_repo_files", unreachable)
    assert main(["models", "prefetch", "roberta-large"]) == 1
    err = capsys.readouterr().err.strip()
    assert (
        err.count("\n") == 0
        and "could not download roberta-large from the Hugging Face hub (ConnectionError: "
        "Failed to resolve 'huggingface.co')"
        in err
        and "trustkit models prefetch" in err
    )
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(["models", "prefetch", "roberta-large"]) == 1
    assert "HF_HUB_OFFLINE=1 forbids downloading it" in capsys.readouterr().err
