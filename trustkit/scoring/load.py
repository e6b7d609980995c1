"""``load_scorer``: from a model name, path or loaded object to a masked- or causal-LM scorer.

Loading (and its refusals: pickle checkpoints, random LM heads, unmarked controls) is
``trustkit.models.load_pretrained``'s; this module picks the scorer and keys its cache.
"""

from __future__ import annotations

import json

from trustkit.errors import InputError
from trustkit.scoring.causal import CausalLMScorer
from trustkit.scoring.masked import MaskedLMScorer
from trustkit.scoring.scorer import Scorer


def load_scorer(
    model,
    *,
    device=None,
    dtype=None,
    random_control: bool = False,
    allow_pickle: bool = False,
    batch_tokens: int | None = None,
    cache=True,
    kind: str = "auto",
    tokenizer=None,
    truncate: bool = False,
    progress: bool = True,
    policy=None,
    precision: str | None = None,
) -> Scorer:
    """Return a :class:`MaskedLMScorer` or :class:`CausalLMScorer` for ``model``.

    Parameters
    ----------
    model : str, Path, LoadedModel, transformers model or Scorer
        A hub id, local directory, GGUF file or bundle name (loaded by
        ``trustkit.models.load_pretrained``), an already loaded ``LoadedModel``, a model
        object (then pass ``tokenizer``), or a Scorer, which is returned as it is (the one
        path every entry point takes from a model argument to a scorer).
    device : str, optional
        ``"cpu"`` (default), ``"cuda"``, ``"auto"``.
    dtype : str or torch.dtype, optional
        ``"fp32"`` (the CPU default), ``"bf16"`` (the CUDA default) or ``"fp16"``: reduced precision
        with the fp32 guard, so decisions and ties equal fp32's; ``"bf16-raw"``/``"fp16-raw"``:
        unguarded; a ``-autocast`` suffix autocasts instead of casting a copy of the weights. The
        loaded weights stay fp32 and the log-softmax is always fp32 (``trustkit.scoring.precision``).
    random_control : bool
        Accept a random-weights control or a missing LM head (explicitly a control).
    allow_pickle : bool
        Accept a pickle (``.bin``) checkpoint.
    batch_tokens : int, optional
        Padded tokens per forward pass (default 2048 on CPU, 65536 on GPU); scores do not depend on it.
    cache : bool, str or ScoreCache
        Disk cache of scores (True: ``$TRUSTKIT_CACHE/scores/scores.sqlite``; a path; or False).
    kind : "auto", "masked" or "causal"
    tokenizer : tokenizer, optional
        Needed only when ``model`` is a model object.
    truncate : bool
        Cut sentences longer than the model's maximum instead of refusing them.
    progress : bool
        Show tqdm progress bars.
    policy : CausalPolicy, optional
        How a causal LM scores a sentence (``trustkit.scoring.policy``; default: lm-eval's
        convention). Refused for a masked LM, which has no such choices.
    precision : str, optional
        A deployment precision for a model loaded here by name (``trustkit.models.load_pretrained``:
        "fp32", "bf16", "fp16", "int8"); part of the score cache key.

    Returns
    -------
    Scorer
        With ``score_sentences``, ``score_pairs``, ``score_tokens`` and ``provenance``.

    Example
    -------
    >>> from trustkit.models import random_control
    >>> scorer = load_scorer(random_control("bert", "tiny"), random_control=True, cache=False)
    >>> scorer.kind
    'masked'
    """
    if isinstance(model, Scorer):
        return model
    provenance: dict = {}
    if tokenizer is None:
        if isinstance(model, (str, bytes)) or hasattr(model, "__fspath__"):
            from trustkit.models import load_pretrained

            # Weights are loaded fp32: a reduced pass casts a copy of them inside the scorer.
            model = load_pretrained(
                model,
                kind=kind,
                device=device,
                allow_pickle=allow_pickle,
                random_control=random_control,
                precision=precision,
            )
        elif precision is not None:
            raise ValueError("precision= applies to a model loaded by name; pass it to load_pretrained")
        if not hasattr(model, "provenance"):
            raise TypeError(
                "pass a model name/path, a LoadedModel, or a model object together with tokenizer=..."
            )
        provenance = dict(model.provenance)
        kind, tokenizer, model = model.kind, model.tokenizer, model.model
    elif kind == "auto":
        from trustkit.models import detect_kind

        kind = detect_kind(model.config)
    if kind not in ("masked", "causal"):
        raise InputError(f"kind must be 'masked' or 'causal', got {kind!r}")
    model_id = None
    if provenance.get("files") or provenance.get("revision"):
        key = {
            "files": provenance.get("files"),
            "revision": provenance.get("revision"),
            "model_id": None if provenance.get("files") else provenance.get("model_id"),
            "gguf": provenance.get("gguf_file"),
        }
        # weights that are not the files' own numbers (a cast, a quantization) are other weights
        if provenance.get("dtype", "float32") != "float32":
            key["dtype"] = provenance["dtype"]
        if provenance.get("precision", "fp32") != "fp32":
            key["precision"] = provenance["precision"]
        model_id = json.dumps(key, sort_keys=True)
    if device is not None and device != "auto":
        model = model.to(device)
    cls = MaskedLMScorer if kind == "masked" else CausalLMScorer
    if policy is not None and kind == "masked":
        raise InputError(
            "a scoring policy (prefix, first token, chat template, normalisation) applies "
            "to causal LMs; this is a masked LM"
        )
    extra = {} if policy is None else {"policy": policy}
    return cls(
        model,
        tokenizer,
        device=None if device in (None, "auto") else device,
        dtype=dtype,
        batch_tokens=batch_tokens,
        cache=cache,
        model_id=model_id,
        truncate=truncate,
        progress=progress,
        provenance=provenance,
        **extra,
    )
