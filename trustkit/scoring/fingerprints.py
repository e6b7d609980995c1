"""Fingerprints of a model's tensors and of a tokenizer: the cache identity of objects without files."""

from __future__ import annotations

import hashlib

import torch


def model_fingerprint(model: torch.nn.Module) -> str:
    """sha256 over the parameter and buffer bytes of a model (for models given as objects).

    Example
    -------
    >>> len(model_fingerprint(torch.nn.Linear(2, 2)))
    64
    """
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(str(tuple(tensor.shape)).encode())
        digest.update(tensor.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def tokenizer_fingerprint(tokenizer) -> str:
    """sha256 of a tokenizer's full definition (fast: its JSON; slow: its vocabulary).

    Example
    -------
    >>> from transformers import BertTokenizerFast
    >>> t = BertTokenizerFast(vocab={"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4})
    >>> len(tokenizer_fingerprint(t))
    64
    """
    backend = getattr(tokenizer, "backend_tokenizer", None)
    body = backend.to_str() if backend is not None else repr(sorted(tokenizer.get_vocab().items()))
    extra = repr(
        (type(tokenizer).__name__, tokenizer.all_special_tokens, getattr(tokenizer, "do_lower_case", None))
    )
    return hashlib.sha256((body + extra).encode("utf-8")).hexdigest()
