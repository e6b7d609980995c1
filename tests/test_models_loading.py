"""load_pretrained: masked/causal detection, GGUF bundles, and every refusal of a silently random model."""

import json
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file
from transformers import BertConfig, GPT2Config, LlamaConfig

from trustkit.fileio import sha256_file
from trustkit.models import (
    CONTROL_KEY,
    detect_kind,
    is_cached,
    load_pretrained,
    minilm_dir,
    parse_dtype,
    random_control,
)
from trustkit.models.weights import _HEAD_PATTERN


@pytest.fixture(scope="module")
def smollm2():
    if not is_cached("smollm2-135m-instruct"):
        pytest.fail(
            "the SmolLM2 bundle is not in the cache: run `trustkit models fetch --all` (make setup does)"
        )
    return load_pretrained("smollm2-135m-instruct")


def _log_likelihood(lm, sentence: str) -> float:
    """Sum of log P(token | BOS + previous tokens) over every token of the sentence."""
    tokenizer = lm.tokenizer
    prefix = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
    ids = torch.tensor([[prefix] + tokenizer(sentence, add_special_tokens=False)["input_ids"]])
    with torch.inference_mode():
        logprobs = torch.log_softmax(lm.model(ids).logits.float(), dim=-1)
    return logprobs[0, :-1].gather(1, ids[0, 1:, None]).sum().item()


@pytest.mark.slow
def test_smollm2_bundle_prefers_the_true_capital(smollm2):
    assert smollm2.kind == "causal"
    prov = smollm2.provenance
    assert (
        prov["bundle"] == "smollm2-135m-instruct" and prov["gguf_file"] == "SmolLM2-135M-Instruct.Q4_1.gguf"
    )
    assert prov["files"] == {
        "SmolLM2-135M-Instruct.Q4_1.gguf": "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
    }
    assert prov["dtype"] == "float32" and prov["device"] == "cpu" and prov["random_control"] is False
    assert {"torch", "transformers"} <= prov["versions"].keys()
    assert len(smollm2.tokenizer) == 49152 and smollm2.tokenizer.bos_token == "<|im_start|>"
    paris = _log_likelihood(smollm2, "The capital of France is Paris.")
    banana = _log_likelihood(smollm2, "The capital of France is banana.")
    assert paris > banana + 5, (paris, banana)
    assert -60 < paris < 0


def test_detect_kind_from_config():
    assert detect_kind(BertConfig(architectures=["BertForMaskedLM"])) == "masked"
    assert detect_kind(BertConfig()) == "masked"
    assert detect_kind(BertConfig(is_decoder=True)) == "causal"
    assert detect_kind(BertConfig(architectures=["BertLMHeadModel"])) == "causal"
    assert detect_kind(GPT2Config()) == "causal"
    assert detect_kind(LlamaConfig(architectures=["LlamaForCausalLM"])) == "causal"
    from transformers import CLIPVisionConfig

    with pytest.raises(ValueError, match="pass kind="):
        detect_kind(CLIPVisionConfig())


@pytest.fixture(scope="module")
def unmarked(tmp_path_factory):
    """Tiny controls with the control mark removed: they look like ordinary checkpoints."""
    root = tmp_path_factory.mktemp("unmarked")
    out = {}
    for arch in ("bert", "roberta", "albert", "distilbert"):
        path = random_control(arch, "tiny", seed=0, out_dir=root / f"{arch}-control")
        plain = root / arch
        shutil.copytree(path, plain)
        config = json.loads((plain / "config.json").read_text())
        del config[CONTROL_KEY], config["trustkit_control"]
        (plain / "config.json").write_text(json.dumps(config))
        out[arch] = plain
    return out


@pytest.mark.parametrize("arch", ["bert", "roberta", "albert", "distilbert"])
def test_tied_decoder_absent_from_file_is_not_missing(unmarked, arch):
    lm = load_pretrained(unmarked[arch])
    assert lm.kind == "masked" and lm.provenance["missing_keys"] == []
    assert lm.provenance["files"]["model.safetensors"] == sha256_file(
        unmarked[arch] / "model.safetensors", remember=True
    )


@pytest.mark.parametrize("arch", ["bert", "roberta", "albert", "distilbert"])
def test_checkpoint_without_lm_head_is_refused(unmarked, arch, tmp_path):
    headless = tmp_path / arch
    shutil.copytree(unmarked[arch], headless)
    tensors = load_file(headless / "model.safetensors")
    kept = {k: v for k, v in tensors.items() if not _HEAD_PATTERN.search(k)}
    assert len(kept) < len(tensors), "the head pattern must match this architecture's head"
    save_file(kept, headless / "model.safetensors", metadata={"format": "pt"})
    with pytest.raises(ValueError, match="LM-head weights are missing") as err:
        load_pretrained(headless)
    assert "random_control=True" in str(err.value)
    lm = load_pretrained(headless, random_control=True)
    assert lm.provenance["missing_keys"] and lm.provenance["random_control"]
    again = load_pretrained(headless, random_control=True)
    ids = lm.tokenizer("the same random head on every load", return_tensors="pt")
    with torch.inference_mode():
        assert torch.equal(lm.model(**ids).logits, again.model(**ids).logits)


def test_bare_encoder_has_no_mlm_head():
    with pytest.raises(ValueError, match="no masked-LM head.*bare BertModel"):
        load_pretrained(minilm_dir())


def test_pickle_checkpoint_is_read_weights_only_and_converted_once(unmarked, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(
        "TRUSTKIT_CACHE", str(tmp_path / "cache")
    )  # a fresh cache: the conversion happens here
    folder = tmp_path / "pickled"
    shutil.copytree(unmarked["bert"], folder)
    state = load_file(folder / "model.safetensors")
    (folder / "model.safetensors").unlink()
    torch.save(state, folder / "pytorch_model.bin")
    lm = load_pretrained(folder)
    notice = capsys.readouterr().err
    assert (
        "pytorch_model.bin" in notice and sha256_file(folder / "pytorch_model.bin", remember=True) in notice
    )
    converted = Path(lm.provenance["converted_from_pickle"])
    assert (converted / "model.safetensors").is_file() and lm.provenance["pickle"]
    assert lm.provenance["files"] == {
        "pytorch_model.bin": sha256_file(folder / "pytorch_model.bin", remember=True)
    }
    assert load_file(converted / "model.safetensors").keys() == state.keys()
    again = load_pretrained(folder / "pytorch_model.bin")  # the file itself; no second conversion
    assert "converting" not in capsys.readouterr().err
    assert again.provenance["converted_from_pickle"] == str(converted)
    reference = load_pretrained(unmarked["bert"])
    ids = reference.tokenizer("a short sentence", return_tensors="pt")
    with torch.inference_mode():
        assert torch.equal(lm.model(**ids).logits, reference.model(**ids).logits)


def test_dtype_device_and_bad_inputs(unmarked, tmp_path):
    lm = load_pretrained(unmarked["bert"], dtype="bf16")
    assert next(lm.model.parameters()).dtype == torch.bfloat16 and lm.provenance["dtype"] == "bfloat16"
    assert parse_dtype("fp16") == torch.float16 and parse_dtype(None) == torch.float32
    with pytest.raises(ValueError, match="unknown dtype"):
        parse_dtype("int3")
    with pytest.raises(ValueError, match="kind must be"):
        load_pretrained(unmarked["bert"], kind="seq2seq")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA device"):
            load_pretrained(unmarked["bert"], device="cuda")
    with pytest.raises(FileNotFoundError):
        load_pretrained(tmp_path / "missing-model")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="has no weights"):
        load_pretrained(empty)
    with pytest.raises(ValueError, match="HF_HUB_OFFLINE"):
        load_pretrained("no-such-org/no-such-model")


def test_file_hash_is_cached_until_the_file_changes(tmp_path):
    path = tmp_path / "weights.bin"
    path.write_bytes(b"abc")
    first = sha256_file(path, remember=True)
    assert first == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256_file(path, remember=True) == first
    path.write_bytes(b"abcd")
    assert (
        sha256_file(path, remember=True) == "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589"
    )


def test_a_weight_file_replaced_while_loading_is_refused(unmarked, tmp_path, monkeypatch):
    import transformers

    model_dir = tmp_path / "bert"
    shutil.copytree(unmarked["bert"], model_dir)
    weights = model_dir / "model.safetensors"
    real = transformers.AutoModelForMaskedLM.from_pretrained

    def load_then_swap(*args, **kwargs):
        loaded = real(*args, **kwargs)
        tensors = load_file(weights)
        save_file({k: v + 1 for k, v in tensors.items()}, str(weights))  # a copy landing mid-load
        return loaded

    monkeypatch.setattr(transformers.AutoModelForMaskedLM, "from_pretrained", load_then_swap)
    with pytest.raises(ValueError, match="model.safetensors changed on disk while it was being loaded"):
        load_pretrained(model_dir)
    monkeypatch.undo()
    lm = load_pretrained(model_dir)  # once the copy is done, the new bytes load under their own hash
    assert lm.provenance["files"]["model.safetensors"] == sha256_file(weights)


def test_loading_draws_no_transformers_bar(capfd):
    """transformers' "Loading weights" bar (a widget in Jupyter, broken once the notebook is reopened) is off."""
    from transformers.utils import logging as hf_logging

    assert hf_logging.is_progress_bar_enabled()
    load_pretrained(random_control("bert", "tiny"), random_control=True)
    assert "Loading weights" not in capfd.readouterr().err
    assert hf_logging.is_progress_bar_enabled(), "the caller's setting is restored"
