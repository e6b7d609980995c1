"""Tiny replicas of the paper's four hub repositories, in the Hugging Face cache layout.

Each replica is what ``trustkit models prefetch`` leaves in ``$HF_HOME/hub``: ``refs/main`` names a
commit, ``snapshots/<commit>/`` holds the files trustkit reads, as the real repository ships them —
the real config values except the sizes, the real checkpoint key layout (bert-base-uncased's legacy
``LayerNorm.gamma/beta`` names, pooler and NSP head; RoBERTa's pooler and ``lm_head.*``; ALBERT's
``predictions.*`` and SOP head; Parrot's T5 with its tied decoder, only ``pytorch_model.bin``), the
real tokenizer kind (WordPiece uncased; byte-level BPE with ``Ġ``; SentencePiece for ALBERT and
T5) and the real file lists: the other frameworks' weights beside the safetensors, Parrot's
``training_args.bin`` beside its weights. Files trustkit must not read (the other formats, the
pickle beside safetensors, ``training_args.bin``) are placeholders that fail loudly when read.
Weights are random (seed 0). Files are blobs named by their sha256, linked from the snapshot, as
the hub cache keeps them. The commit is derived from the files, so a changed replica has a new revision.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

TINY = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64}
# The real repositories' sizes (vocabularies stay those of the tiny tokenizers), for the full-size check.
FULL = {
    "bert-base-uncased": {
        "hidden_size": 768,
        "num_hidden_layers": 12,
        "num_attention_heads": 12,
        "intermediate_size": 3072,
    },
    "roberta-large": {
        "hidden_size": 1024,
        "num_hidden_layers": 24,
        "num_attention_heads": 16,
        "intermediate_size": 4096,
    },
    "albert/albert-xxlarge-v2": {
        "hidden_size": 4096,
        "num_hidden_layers": 12,
        "num_attention_heads": 64,
        "intermediate_size": 16384,
        "embedding_size": 128,
    },
    "prithivida/parrot_paraphraser_on_T5": {
        "d_model": 768,
        "d_ff": 3072,
        "d_kv": 64,
        "num_heads": 12,
        "num_layers": 12,
    },
}
CORPUS = [
    "He couldn't figure out the issue with the rope, but he tried not to get too down on himself.",
    "The poor are really ignorant about how to handle the money they do have.",
    "Women don't know how to drive.",
    "Men know how to drive.",
    "The nurse was tired after her shift.",
    "My mom spent all day cooking for Thanksgiving.",
    "My dad spent all day cooking for Thanksgiving.",
    "People who live in trailer parks are alcoholics.",
    "Asians cant drive because they have slanted eyes.",
    "The girl was sprawled out and it was obvious a black man had attacked her on her way home.",
    "She was always nagging. She couldn't make up her mind on which shoes to buy.",
    "Jamal wasn't a good student and didn't care about his grades.",
    "the old man forgot his keys again",
]


def _corpus() -> list[str]:
    try:  # the sentences the replicas will score, when the data are at hand
        from trustkit.data import load_pairs

        pairs = load_pairs("crows_pairs", errors="drop")
        return CORPUS + list(pairs["sent_more"]) + list(pairs["sent_less"])
    except Exception:
        return CORPUS * 20


def _write_snapshot(hub: Path, repo_id: str, build, sizes: dict | None = None) -> Path:
    """Build the files in a scratch folder, then place them under ``snapshots/<commit>/``."""
    scratch = Path(tempfile.mkdtemp(prefix="replica-", dir=hub.parent))
    build(scratch, sizes)
    digest = hashlib.sha1()
    for path in sorted(scratch.iterdir()):
        digest.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    commit = digest.hexdigest()
    repo = hub / ("models--" + repo_id.replace("/", "--"))
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text(commit)
    target = repo / "snapshots" / commit
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    (repo / "blobs").mkdir(exist_ok=True)
    for path in sorted(scratch.iterdir()):  # as the hub cache stores them: blobs, linked from the snapshot
        blob = repo / "blobs" / hashlib.sha256(path.read_bytes()).hexdigest()
        shutil.move(str(path), blob)
        (target / path.name).symlink_to(Path("..", "..", "blobs", blob.name))
    scratch.rmdir()
    return target


# What the real repositories ship besides config, tokenizer and the weights trustkit reads
# (their file lists on the hub): other frameworks' copies of the weights, and a model card.
SIBLINGS = {
    "bert-base-uncased": [
        "pytorch_model.bin",
        "tf_model.h5",
        "flax_model.msgpack",
        "rust_model.ot",
        "model.onnx",
        "README.md",
        "LICENSE",
    ],
    "roberta-large": [
        "pytorch_model.bin",
        "tf_model.h5",
        "flax_model.msgpack",
        "rust_model.ot",
        "dict.txt",
        "README.md",
    ],
    "albert/albert-xxlarge-v2": [
        "pytorch_model.bin",
        "tf_model.h5",
        "flax_model.msgpack",
        "rust_model.ot",
        "README.md",
    ],
    # Trainer's pickled TrainingArguments beside the weights (Parrot_Paraphraser's repository).
    "prithivida/parrot_paraphraser_on_T5": ["training_args.bin", "README.md"],
}
NEVER_UNPICKLE = "trustkit_replica_sentinel"  # a module that does not exist: unpickling fails loudly


def unreadable_pickle(path: Path) -> None:
    """A torch.save zip whose pickle names a global of a missing module: any unpickling of it fails.

    ``torch.load(weights_only=True)`` refuses it (unsupported global) and a full unpickle raises
    ``ModuleNotFoundError: trustkit_replica_sentinel``: a replica file that must never be read proves it
    is not.
    """
    import io
    import zipfile

    import torch

    saved = io.BytesIO()
    torch.save({}, saved)
    payload = f"\x80\x02c{NEVER_UNPICKLE}\nTrainingArgumentsMustNeverBeUnpickled\n)R.".encode("latin-1")
    with zipfile.ZipFile(io.BytesIO(saved.getvalue())) as template, zipfile.ZipFile(path, "w") as out:
        for name in template.namelist():
            out.writestr(name, payload if name.endswith("/data.pkl") else template.read(name))


def _siblings(folder: Path, repo_id: str) -> None:
    for name in SIBLINGS[repo_id]:
        if name.endswith(".bin"):
            unreadable_pickle(folder / name)
        elif name.endswith(".md") or name in ("LICENSE", "dict.txt"):
            (folder / name).write_text(f"{name} of the {repo_id} replica\n")
        else:  # another framework's weights: bytes no loader of this format accepts
            (folder / name).write_bytes(b"not " + name.encode() + b": a placeholder that must not be read\n")


def _config(folder: Path, values: dict) -> None:
    (folder / "config.json").write_text(json.dumps(values, indent=2))


def _seeded(cls, config):
    import torch

    torch.manual_seed(0)
    return cls(config).eval()


def build_bert(folder: Path, sizes: dict | None = None) -> None:
    """bert-base-uncased: BertForPreTraining keys with LayerNorm.gamma/beta, real uncased WordPiece vocab."""
    from safetensors.torch import save_file
    from transformers import BertConfig, BertForPreTraining

    from trustkit.models import bert_uncased_tokenizer, bert_vocab_path

    values = {
        "architectures": ["BertForMaskedLM"],
        "attention_probs_dropout_prob": 0.1,
        "gradient_checkpointing": False,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": 512,
        "model_type": "bert",
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "transformers_version": "4.6.0.dev0",
        "type_vocab_size": 2,
        "use_cache": True,
        "vocab_size": 30522,
        **(sizes or TINY),
    }
    _config(folder, values)
    model = _seeded(BertForPreTraining, BertConfig(**values))
    state = {
        k.replace("LayerNorm.weight", "LayerNorm.gamma").replace(
            "LayerNorm.bias", "LayerNorm.beta"
        ): v.clone().contiguous()
        for k, v in model.state_dict().items()
    }
    save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})
    shutil.copyfile(bert_vocab_path(), folder / "vocab.txt")
    bert_uncased_tokenizer().backend_tokenizer.save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(
        json.dumps({"do_lower_case": True, "model_max_length": 512})
    )


def build_roberta(folder: Path, sizes: dict | None = None) -> None:
    """roberta-large: byte-level BPE (vocab.json, merges.txt, tokenizer.json), roberta.pooler and lm_head.*."""
    from safetensors.torch import save_file
    from tokenizers import ByteLevelBPETokenizer
    from transformers import RobertaConfig, RobertaForMaskedLM, RobertaModel, RobertaTokenizerFast

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        _corpus(), vocab_size=600, min_frequency=2, special_tokens=["<s>", "<pad>", "</s>", "<unk>"]
    )
    bpe.add_special_tokens(["<mask>"])  # the last id, as in roberta-large (50264)
    bpe.save_model(str(folder))
    fast = RobertaTokenizerFast(vocab=str(folder / "vocab.json"), merges=str(folder / "merges.txt"))
    fast.backend_tokenizer.save(str(folder / "tokenizer.json"))
    values = {
        "architectures": ["RobertaForMaskedLM"],
        "attention_probs_dropout_prob": 0.1,
        "bos_token_id": 0,
        "eos_token_id": 2,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-05,
        "max_position_embeddings": 514,
        "model_type": "roberta",
        "pad_token_id": 1,
        "type_vocab_size": 1,
        "vocab_size": len(fast),
        **(sizes or TINY),
    }
    _config(folder, values)
    config = RobertaConfig(**values)
    model = _seeded(RobertaForMaskedLM, config)
    pooler = _seeded(RobertaModel, config).pooler  # the checkpoint keeps the pretraining pooler
    state = {k: v.clone().contiguous() for k, v in model.state_dict().items()}
    state.update({f"roberta.pooler.{k}": v.clone() for k, v in pooler.state_dict().items()})
    save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})


def _sentencepiece(folder: Path, name: str, **options) -> Path:
    import io

    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_corpus()),
        model_writer=model,
        vocab_size=400,
        character_coverage=1.0,
        minloglevel=2,
        **options,
    )
    (folder / name).write_bytes(model.getvalue())
    return folder / name


def build_albert(folder: Path, sizes: dict | None = None) -> None:
    """albert-xxlarge-v2: SentencePiece (spiece.model + tokenizer.json), AlbertForPreTraining keys (SOP head)."""
    from safetensors.torch import save_file
    from transformers import AlbertConfig, AlbertForPreTraining, AutoTokenizer

    spiece = _sentencepiece(
        folder,
        "spiece.model",
        model_type="unigram",
        pad_id=0,
        unk_id=1,
        bos_id=-1,
        eos_id=-1,
        control_symbols=["[CLS]", "[SEP]"],
        user_defined_symbols=["[MASK]"],
    )
    values = {
        "architectures": ["AlbertForMaskedLM"],
        "attention_probs_dropout_prob": 0,
        "bos_token_id": 2,
        "classifier_dropout_prob": 0.1,
        "down_scale_factor": 1,
        "embedding_size": 16,
        "eos_token_id": 3,
        "gap_size": 0,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0,
        "initializer_range": 0.02,
        "inner_group_num": 1,
        "layer_norm_eps": 1e-12,
        "layers_to_keep": [],
        "max_position_embeddings": 512,
        "model_type": "albert",
        "net_structure_type": 0,
        "num_hidden_groups": 1,
        "num_memory_blocks": 0,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "type_vocab_size": 2,
        "vocab_size": 400,
        **(sizes or TINY),
    }
    _config(folder, values)
    # tokenizer.json as the hub has it: the fast conversion of spiece.model (which needs sentencepiece)
    AutoTokenizer.from_pretrained(str(folder)).backend_tokenizer.save(str(folder / "tokenizer.json"))
    assert spiece.is_file()
    model = _seeded(AlbertForPreTraining, AlbertConfig(**values))
    save_file(
        {k: v.clone().contiguous() for k, v in model.state_dict().items()},
        str(folder / "model.safetensors"),
        metadata={"format": "pt"},
    )


def build_parrot(folder: Path, sizes: dict | None = None) -> None:
    """prithivida/parrot_paraphraser_on_T5: T5 (tied decoder embeddings), spiece.model, pytorch_model.bin only.

    No safetensors; ``training_args.bin`` lies beside it (written by :func:`_siblings`).
    """
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    _sentencepiece(folder, "spiece.model", model_type="unigram", pad_id=0, eos_id=1, unk_id=2, bos_id=-1)
    values = {
        "architectures": ["T5ForConditionalGeneration"],
        "d_ff": 64,
        "d_kv": 16,
        "d_model": 32,
        "decoder_start_token_id": 0,
        "dropout_rate": 0.1,
        "eos_token_id": 1,
        "initializer_factor": 1.0,
        "is_encoder_decoder": True,
        "layer_norm_epsilon": 1e-06,
        "model_type": "t5",
        "n_positions": 512,
        "num_heads": 2,
        "num_layers": 2,
        "output_past": True,
        "pad_token_id": 0,
        "relative_attention_num_buckets": 32,
        "vocab_size": 512,
        **(sizes or {}),
    }
    _config(folder, values)
    model = _seeded(T5ForConditionalGeneration, T5Config(**values))
    state = model.state_dict()
    for name in ("encoder.embed_tokens.weight", "decoder.embed_tokens.weight", "lm_head.weight"):
        state[name] = state["shared.weight"]  # one storage, as the transformers 4 pickle holds it
    torch.save(state, folder / "pytorch_model.bin")
    special = {
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "additional_special_tokens": [f"<extra_id_{i}>" for i in range(100)],
    }
    (folder / "special_tokens_map.json").write_text(json.dumps(special))
    (folder / "tokenizer_config.json").write_text(
        json.dumps({**special, "extra_ids": 100, "model_max_length": 512})
    )


REPLICAS = {
    "bert-base-uncased": build_bert,
    "roberta-large": build_roberta,
    "albert/albert-xxlarge-v2": build_albert,
    "prithivida/parrot_paraphraser_on_T5": build_parrot,
}


def _with_siblings(build, repo_id: str):
    def both(folder: Path, sizes: dict | None = None) -> None:
        build(folder, sizes)
        _siblings(folder, repo_id)

    return both


def build_hub(home: Path, full: bool = False, only=None) -> dict[str, Path]:
    """Write the replicas under ``home/hub`` (an ``HF_HOME``); return ``{repo id: snapshot directory}``.

    ``full`` gives them the real repositories' sizes (hundreds of MB each); ``only`` picks repo ids.
    """
    Path(home).mkdir(parents=True, exist_ok=True)
    return {
        repo_id: _write_snapshot(
            Path(home) / "hub", repo_id, _with_siblings(build, repo_id), FULL[repo_id] if full else None
        )
        for repo_id, build in REPLICAS.items()
        if only is None or repo_id in only
    }
