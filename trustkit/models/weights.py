"""A model's weights: loaded under a fixed seed, with a missing or mismatched LM head refused.

The weights stage of ``trustkit.models.loading.load_pretrained``: a head that transformers would
initialise at random is an error unless the caller asked for a random control.
"""

from __future__ import annotations

import contextlib
import re

from trustkit.errors import InputError, TrustkitError

RANDOM_INIT_SEED = 0  # seed of any weights a checkpoint lacks (accepted only with random_control)
# Parameter names of LM heads across architectures (BERT/ALBERT/DistilBERT/RoBERTa/ELECTRA/DeBERTa, decoders).
_HEAD_PATTERN = re.compile(
    r"(^|\.)(cls\.predictions|predictions|lm_head|vocab_projector|vocab_transform|vocab_layer_norm"
    r"|generator_lm_head|generator_predictions|lm_predictions|mask_predictions)(\.|$)"
)


def _untied_missing(model, missing: set[str]) -> set[str]:
    """Missing keys that are not filled by a tied parameter (a tied decoder absent from the file is fine)."""
    groups: dict[int, set[str]] = {}
    for name, param in model.named_parameters(remove_duplicate=False):
        groups.setdefault(id(param), set()).add(name)
    owner = {name: group for group in groups.values() for name in group}
    return {key for key in missing if not (owner.get(key, {key}) - missing)}


def _check_head(model, info: dict, config, kind: str, location: str) -> list[str]:
    missing = sorted(_untied_missing(model, set(info.get("missing_keys") or ())))
    mismatched = sorted(str(k[0] if isinstance(k, tuple) else k) for k in info.get("mismatched_keys") or ())
    if not missing and not mismatched:
        return []
    archs = list(getattr(config, "architectures", None) or [])
    head = [k for k in missing if _HEAD_PATTERN.search(k)]
    lm_arch = any(a.endswith(("ForMaskedLM", "ForPreTraining", "ForCausalLM", "LMHeadModel")) for a in archs)
    how = (
        "Pass random_control=True (CLI: --random-control) only if you want a random-weights control; "
        "otherwise load a checkpoint that contains its LM head."
    )
    if head and archs and not lm_arch:
        raise InputError(
            f"{location} has no {kind}-LM head: the checkpoint is a bare {', '.join(archs)} "
            f"(e.g. a sentence encoder), so its head would be random ({len(head)} head weights "
            f"missing, e.g. {head[0]}). {how}"
        )
    what = "LM-head" if head else "model"
    shown = (head or missing or mismatched)[:6]
    raise InputError(
        f"{location}: {len(missing)} {what} weights are missing from the checkpoint and "
        f"{len(mismatched)} have mismatched shapes, so they would be randomly initialised "
        f"(e.g. {', '.join(shown)}). {how}"
    )


class CheckpointMismatchError(TrustkitError, RuntimeError):
    """A checkpoint's tensors do not have the shapes its config.json gives (e.g. another vocab_size)."""


@contextlib.contextmanager
def no_transformers_bars():
    """Turn the "Loading weights" bar of transformers off for the block (restored after).

    In Jupyter it is a widget that names no model, reads 100% within a second, and shows as
    "Error displaying widget: model not found" once the notebook is saved and reopened.
    """
    from transformers.utils import logging as hf_logging

    was_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_on:
            hf_logging.enable_progress_bar()


def load_weights(load_from, config, *, kind: str, torch_dtype, model_id: str, random_control: bool):
    """Stage 4 of loading: the ``kind`` LM from ``load_from``; returns ``(model, missing_keys)``.

    ``missing_keys`` lists the weights a random control was allowed to lack (always empty
    otherwise: a missing or mismatched weight is refused by name).
    """
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoModelForMaskedLM

    auto_class = AutoModelForMaskedLM if kind == "masked" else AutoModelForCausalLM
    kwargs = dict(dtype=torch_dtype, output_loading_info=True, use_safetensors=True)
    try:
        # Weights missing from a checkpoint are initialised from torch's global generator; a fixed
        # seed makes an accepted random head the same on every load (and keeps score caches valid).
        with torch.random.fork_rng(devices=[]), no_transformers_bars():
            torch.manual_seed(RANDOM_INIT_SEED)
            model, info = auto_class.from_pretrained(load_from, config=config, **kwargs)
    except ValueError as err:
        if "Unrecognized configuration class" in str(err):
            raise InputError(
                f"{model_id} (model type {config.model_type}) has no {kind}-LM class in "
                f"transformers {transformers.__version__}: {err}"
            ) from err
        raise
    except OSError as err:
        raise InputError(f"cannot load weights of {model_id!r}: {err}") from err
    except RuntimeError as err:  # transformers' refusal of tensors whose shapes differ from the config
        if "size mismatch" not in str(err) and "ignore_mismatched_sizes" not in str(err):
            raise
        raise CheckpointMismatchError(
            f"{model_id}: the checkpoint's tensor shapes do not match its config.json "
            "(e.g. vocab_size); use the config saved with these weights"
        ) from err
    if random_control:
        return model, sorted(_untied_missing(model, set(info.get("missing_keys") or ())))
    return model, _check_head(model, info, config, kind, model_id)
