"""Models for scoring: offline bundles, packaged models, random-weights controls and the loader.

Everything here works without a model hub; hub ids are accepted where a hub (or its cache) exists.
"""

from trustkit.models.bundles import (
    BUNDLES,
    Bundle,
    bundle_path,
    fetch_bundle,
    get_bundle,
    is_cached,
    list_bundles,
    resolve,
)
from trustkit.models.config import detect_kind, parse_device, parse_dtype
from trustkit.models.controls import ARCHS, CONTROL_KEY, SIZES, control_config, parse_control, random_control
from trustkit.models.gguf_conversion import convert_gguf, is_converted
from trustkit.models.loading import LoadedModel, load_pretrained
from trustkit.models.packaged import bert_uncased_tokenizer, bert_vocab_path, minilm_dir

__all__ = [
    "ARCHS",
    "BUNDLES",
    "CONTROL_KEY",
    "SIZES",
    "Bundle",
    "LoadedModel",
    "bert_uncased_tokenizer",
    "bert_vocab_path",
    "bundle_path",
    "control_config",
    "convert_gguf",
    "detect_kind",
    "fetch_bundle",
    "get_bundle",
    "is_cached",
    "is_converted",
    "list_bundles",
    "load_pretrained",
    "minilm_dir",
    "parse_control",
    "parse_device",
    "parse_dtype",
    "random_control",
    "resolve",
]
