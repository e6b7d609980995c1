"""Random-weights masked LMs: real architectures and a real vocabulary, no training.

They are the kit's controls (what a bias measure says about a model that knows nothing) and its
test and benchmark models. Each is saved as safetensors with ``"trustkit_random_control": true``
in its config, so ``load_pretrained`` refuses it unless asked for a control explicitly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from trustkit.errors import InputError, UnknownNameError
from trustkit.fileio import atomic_dir
from trustkit.paths import cache_dir

ARCHS = ("bert", "roberta", "albert", "distilbert")
SIZES = ("tiny", "base")
CONTROL_KEY = "trustkit_random_control"

# Base sizes are those of bert-base-uncased (and of roberta-base, albert-base-v2,
# distilbert-base-uncased for the other architectures); tiny keeps the full vocabulary.
_BASE = dict(hidden=768, layers=12, heads=12, intermediate=3072, albert_embedding=128)
_TINY = dict(hidden=32, layers=2, heads=2, intermediate=37, albert_embedding=16)
_VOCAB = 30522
_CLS, _SEP, _PAD = 101, 102, 0  # ids of [CLS], [SEP], [PAD] in BERT uncased


def control_config(arch: str, size: str):
    """Return the transformers config of a control (without the control mark).

    >>> control_config("bert", "base").hidden_size
    768
    """
    import transformers as tf

    s = _BASE if size == "base" else _TINY
    common = dict(vocab_size=_VOCAB, pad_token_id=_PAD)
    if arch == "bert":
        return tf.BertConfig(
            hidden_size=s["hidden"],
            num_hidden_layers=s["layers"],
            num_attention_heads=s["heads"],
            intermediate_size=s["intermediate"],
            max_position_embeddings=512,
            type_vocab_size=2,
            **common,
        )
    if arch == "roberta":
        # RoBERTa counts positions from pad_token_id + 1, hence 512 + 2 position embeddings.
        return tf.RobertaConfig(
            hidden_size=s["hidden"],
            num_hidden_layers=s["layers"],
            num_attention_heads=s["heads"],
            intermediate_size=s["intermediate"],
            max_position_embeddings=514,
            type_vocab_size=1,
            layer_norm_eps=1e-5,
            bos_token_id=_CLS,
            eos_token_id=_SEP,
            **common,
        )
    if arch == "albert":
        return tf.AlbertConfig(
            embedding_size=s["albert_embedding"],
            hidden_size=s["hidden"],
            num_hidden_layers=s["layers"],
            num_attention_heads=s["heads"],
            intermediate_size=s["intermediate"],
            max_position_embeddings=512,
            hidden_dropout_prob=0.0,
            attention_probs_dropout_prob=0.0,
            bos_token_id=_CLS,
            eos_token_id=_SEP,
            **common,
        )
    if arch == "distilbert":
        return tf.DistilBertConfig(
            dim=s["hidden"],
            n_layers=s["layers"] // 2 if size == "base" else s["layers"],
            n_heads=s["heads"],
            hidden_dim=s["intermediate"],
            max_position_embeddings=512,
            **common,
        )
    raise UnknownNameError("architecture", arch, ARCHS, listing="choose one of")


def _model_class(arch: str):
    import transformers as tf

    return {
        "bert": tf.BertForMaskedLM,
        "roberta": tf.RobertaForMaskedLM,
        "albert": tf.AlbertForMaskedLM,
        "distilbert": tf.DistilBertForMaskedLM,
    }[arch]


def _matches(folder: Path, arch: str, size: str, seed: int) -> bool:
    try:
        config = json.loads((folder / "config.json").read_text())
    except (OSError, ValueError):
        return False
    wanted = {"arch": arch, "size": size, "seed": seed}
    return (
        config.get(CONTROL_KEY) is True
        and config.get("trustkit_control") == wanted
        and (folder / "model.safetensors").is_file()
        and (folder / "tokenizer.json").is_file()
    )


def random_control(
    arch: str = "bert", size: str = "base", seed: int = 0, out_dir: str | os.PathLike | None = None
) -> Path:
    """Build (or reuse) a random-weights masked LM with the real BERT uncased WordPiece vocabulary.

    The weights come from the architecture's own initialisation under ``torch.manual_seed(seed)``,
    so the same (arch, size, seed) always gives the same tensors. The tokenizer is BERT uncased's
    WordPiece for every architecture: a control needs a real vocabulary, not the architecture's own
    tokenizer (RoBERTa's BPE, ALBERT's SentencePiece are not installable offline).

    Parameters
    ----------
    arch : "bert", "roberta", "albert" or "distilbert".
    size : "base" (the sizes of bert-base-uncased; 6 layers for distilbert) or "tiny"
        (hidden 32, 2 layers; for tests).
    seed : seed of the weight initialisation.
    out_dir : where to save; default ``cache_dir("models", "controls", f"{arch}-{size}-seed{seed}")``.

    Returns
    -------
    The directory holding config.json (with ``"trustkit_random_control": true``),
    model.safetensors and the tokenizer files. An existing matching control is reused.

    Example
    -------
    >>> from trustkit.models import load_pretrained
    >>> path = random_control("bert", "tiny", seed=0)  # built once, then reused from the cache
    >>> load_pretrained(path, random_control=True).kind
    'masked'
    """
    if arch not in ARCHS:
        raise UnknownNameError("architecture", arch, ARCHS, listing="choose one of")
    if size not in SIZES:
        raise UnknownNameError("size", size, SIZES, listing="choose one of")
    seed = int(seed)
    target = (
        Path(out_dir)
        if out_dir is not None
        else cache_dir("models", "controls") / f"{arch}-{size}-seed{seed}"
    )
    if _matches(target, arch, size, seed):
        return target
    if target.exists() and any(target.iterdir()):
        raise InputError(
            f"{target} exists and is not a {arch}-{size} control with seed {seed}; "
            "choose another out_dir or remove it"
        )

    import torch

    from trustkit.models.packaged import bert_uncased_tokenizer

    tokenizer = bert_uncased_tokenizer()
    tokenizer.model_max_length = 512
    config = control_config(arch, size)
    setattr(config, CONTROL_KEY, True)
    config.trustkit_control = {"arch": arch, "size": size, "seed": seed}
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = _model_class(arch)(config).eval()

    # An empty target (checked above) is replaced; one another process finished first is kept.
    with atomic_dir(target, complete=lambda t: _matches(t, arch, size, seed)) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
    return target


def parse_control(spec: str | None) -> tuple[str, str] | None:
    """Read a control spec ``"<arch>-<size>"`` (e.g. ``"bert-base"``); None or "" means no control.

    >>> parse_control("bert-base")
    ('bert', 'base')
    """
    if not spec:
        return None
    arch, _, size = str(spec).partition("-")
    if not size:
        raise InputError(f"control {spec!r}: write it as '<arch>-<size>', e.g. 'bert-base' or 'bert-tiny'")
    return arch, size
