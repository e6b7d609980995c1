"""Random-weights controls: real architectures, real BERT uncased vocabulary, marked, deterministic."""

import json

import pytest
import torch
from safetensors.torch import load_file

from trustkit.models import (
    ARCHS,
    CONTROL_KEY,
    bert_uncased_tokenizer,
    bert_vocab_path,
    control_config,
    load_pretrained,
    minilm_dir,
    random_control,
)


@pytest.fixture(scope="module")
def controls(tmp_path_factory):
    root = tmp_path_factory.mktemp("controls")
    return {arch: random_control(arch, "tiny", seed=0, out_dir=root / arch) for arch in ARCHS}


def test_packaged_minilm_and_vocab():
    assert (minilm_dir() / "model.safetensors").is_file()
    lines = bert_vocab_path().read_text(encoding="utf-8").splitlines()
    assert len(lines) == 30522 and lines[101] == "[CLS]" and lines[103] == "[MASK]"
    tokenizer = bert_uncased_tokenizer()
    assert len(tokenizer) == 30522
    assert tokenizer.tokenize("The Nurse was very KIND") == ["the", "nurse", "was", "very", "kind"]
    pieces = tokenizer.tokenize("unbelievably")
    assert len(pieces) > 1 and all(p.startswith("##") for p in pieces[1:])


@pytest.mark.parametrize("arch", ARCHS)
def test_control_saves_marked_and_reloads(controls, arch):
    path = controls[arch]
    config = json.loads((path / "config.json").read_text())
    assert config[CONTROL_KEY] is True
    assert config["trustkit_control"] == {"arch": arch, "size": "tiny", "seed": 0}
    assert (path / "model.safetensors").is_file() and not list(path.glob("*.bin"))

    with pytest.raises(ValueError, match="random-weights control"):
        load_pretrained(path)
    lm = load_pretrained(path, random_control=True)
    assert lm.kind == "masked" and lm.model.config.model_type == arch
    assert lm.provenance["random_control"] and lm.provenance["marked_control"]
    assert lm.provenance["missing_keys"] == []  # nothing random beyond what was saved
    assert len(lm.tokenizer) == 30522 and lm.tokenizer.mask_token == "[MASK]"
    ids = lm.tokenizer("the doctor is here", return_tensors="pt")
    with torch.inference_mode():
        logits = lm.model(**ids).logits
    assert logits.shape == (1, 6, 30522) and torch.isfinite(logits).all()


def test_control_is_deterministic_per_seed_and_reused(controls, tmp_path):
    first = load_file(controls["bert"] / "model.safetensors")
    again = load_file(
        random_control("bert", "tiny", seed=0, out_dir=tmp_path / "again") / "model.safetensors"
    )
    other = load_file(
        random_control("bert", "tiny", seed=1, out_dir=tmp_path / "other") / "model.safetensors"
    )
    assert first.keys() == again.keys()
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert not torch.equal(
        first["bert.encoder.layer.0.attention.self.query.weight"],
        other["bert.encoder.layer.0.attention.self.query.weight"],
    )
    stamp = (controls["bert"] / "model.safetensors").stat().st_mtime_ns
    assert random_control("bert", "tiny", seed=0, out_dir=controls["bert"]) == controls["bert"]
    assert (controls["bert"] / "model.safetensors").stat().st_mtime_ns == stamp, (
        "an existing control is reused"
    )


def test_control_refuses_foreign_folder_and_bad_arguments(tmp_path):
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ValueError, match="not a bert-tiny control"):
        random_control("bert", "tiny", out_dir=tmp_path)
    with pytest.raises(ValueError, match="unknown architecture"):
        random_control("gpt2", "tiny")
    with pytest.raises(ValueError, match="unknown size"):
        random_control("bert", "large")


def test_base_sizes_are_the_real_architectures():
    bert = control_config("bert", "base")
    assert (
        bert.hidden_size,
        bert.num_hidden_layers,
        bert.num_attention_heads,
        bert.intermediate_size,
        bert.vocab_size,
        bert.max_position_embeddings,
    ) == (768, 12, 12, 3072, 30522, 512)
    roberta = control_config("roberta", "base")
    assert (roberta.hidden_size, roberta.num_hidden_layers, roberta.max_position_embeddings) == (768, 12, 514)
    albert = control_config("albert", "base")
    assert (albert.embedding_size, albert.hidden_size, albert.num_hidden_layers) == (128, 768, 12)
    distil = control_config("distilbert", "base")
    assert (distil.dim, distil.n_layers, distil.hidden_dim) == (768, 6, 3072)
