"""Pickle checkpoints are read with torch's weights-only unpickler: a file that would run code runs nothing."""

import pickle

import pytest
import torch
from safetensors.torch import load_file

from trustkit.models.pickle_conversion import convert_pickle, read_weights_only


@pytest.fixture(autouse=True)
def _fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path / "cache"))


class _RunsCode:
    """Unpickling this object calls ``open(marker, "w")``: the classic pickle exploit."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _evil_checkpoint(folder, marker):
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "bert"}')
    with open(folder / "pytorch_model.bin", "wb") as handle:
        pickle.dump({"weight": torch.ones(2), "payload": _RunsCode(marker)}, handle, protocol=2)
    return folder / "pytorch_model.bin"


def test_a_pickle_that_would_run_code_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    checkpoint = _evil_checkpoint(tmp_path / "evil", marker)
    with open(checkpoint, "rb") as handle:  # the file really is an exploit: plain pickle runs it
        pickle.load(handle)
    assert marker.exists()
    marker.unlink()
    with pytest.raises(
        ValueError, match=r"evil/pytorch_model.bin: refused by torch's weights-only unpickler"
    ):
        read_weights_only(checkpoint)
    with pytest.raises(ValueError, match="weights-only"):
        convert_pickle(checkpoint.parent, checkpoint, log=lambda line: None)
    assert not marker.exists()


def test_conversion_keeps_every_tensor_and_unties_shared_storage(tmp_path):
    folder = tmp_path / "t5"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "spiece.model").write_bytes(b"spm")
    shared = torch.arange(6.0).reshape(2, 3)
    state = {
        "shared.weight": shared,
        "encoder.embed_tokens.weight": shared,
        "lm_head.weight": shared,
        "encoder.block.0.weight": torch.full((3,), 2.0),
    }
    torch.save(state, folder / "pytorch_model.bin")
    lines = []
    target = convert_pickle(folder, folder / "pytorch_model.bin", log=lines.append)
    tensors = load_file(target / "model.safetensors")
    assert sorted(tensors) == sorted(state) and all(torch.equal(tensors[k], v) for k, v in state.items())
    assert (target / "spiece.model").read_bytes() == b"spm" and (target / "config.json").is_file()
    assert not (target / "pytorch_model.bin").exists() and len(lines) == 1 and "sha256" in lines[0]
    assert (
        convert_pickle(folder, folder / "pytorch_model.bin", log=lines.append) == target and len(lines) == 1
    )


def test_allow_pickle_reads_a_trusted_training_checkpoint_the_safe_reader_refuses(tmp_path):
    import argparse

    checkpoint = tmp_path / "model.pt"
    torch.save({"state_dict": {"w": torch.arange(3.0)}, "args": argparse.Namespace(lr=0.1)}, checkpoint)
    with pytest.raises(ValueError, match="pass allow_pickle=True"):
        read_weights_only(checkpoint)
    state = read_weights_only(checkpoint, allow_pickle=True)
    assert list(state) == ["w"] and torch.equal(state["w"], torch.arange(3.0))
