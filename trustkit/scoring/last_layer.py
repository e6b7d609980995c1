"""The last encoder layer run only at the scored position of each row.

In a masked-LM PLL row exactly one position is scored. Every layer but the last must run at all
positions (attention mixes them), but the last layer's output is read at one position only: it
needs keys and values of the whole row and, for that one position, the query, the attention
output, the residual and layer norm, and the feed-forward block. Skipping the rest is exact (the
same arithmetic for the position we read) and saves about 10/12 of one layer, ~7% of a 12-layer
BERT-base forward pass.

The model's own modules do every step (embeddings, mask preparation, layers 0..L-2 through the
model's forward; then the last layer's projections, attention function and feed-forward block),
so only the wiring below is ours. It is used for architectures whose layer structure we know
(``SUPPORTED``) and falls back to the full forward for anything else.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import torch

# model_type -> how the last layer is laid out ("bert": BertLayer and its copies).
SUPPORTED = {
    "bert": "bert",
    "roberta": "bert",
    "xlm-roberta": "bert",
    "camembert": "bert",
    "electra": "bert",
    "distilbert": "distilbert",
    "albert": "albert",
}


class _LastLayerReached(Exception):
    """Raised by a pre-hook to stop the body's forward at the input of its last layer."""

    def __init__(self, args: tuple, kwargs: dict):
        super().__init__()
        self.args, self.kwargs = args, kwargs


def _attention_at(attn, q_lin, k_lin, v_lin, hidden, mask, rows, positions) -> torch.Tensor:
    """Multi-head attention of the one query position per row over the whole row.

    Uses the model's own attention function (sdpa or eager, as configured) with the query
    sequence cut to length 1 and the prepared mask cut to that query's row.
    """
    from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS

    # The module's own eager function (each architecture file defines one), as its forward uses.
    eager = getattr(sys.modules[type(attn).__module__], "eager_attention_forward", None)

    batch, length, _ = hidden.shape
    head = attn.attention_head_size
    x = hidden[rows, positions]  # batch × hidden
    q = q_lin(x).view(batch, 1, -1, head).transpose(1, 2)
    k = k_lin(hidden).view(batch, length, -1, head).transpose(1, 2)
    v = v_lin(hidden).view(batch, length, -1, head).transpose(1, 2)
    if mask is not None:  # batch × 1 × (query rows or 1) × keys
        mask = mask[rows, :, positions].unsqueeze(2) if mask.shape[-2] > 1 else mask
    interface = ALL_ATTENTION_FUNCTIONS.get_interface(str(attn.config._attn_implementation), eager)  # type: ignore[arg-type]  # SUPPORTED models all define eager
    out, _ = interface(attn, q, k, v, mask, dropout=0.0, scaling=attn.scaling)
    return out.reshape(batch, -1)


def _bert_layer(layer, hidden, mask, rows, positions):
    sa = layer.attention.self
    ctx = _attention_at(sa, sa.query, sa.key, sa.value, hidden, mask, rows, positions)
    attention_output = layer.attention.output(ctx, hidden[rows, positions])
    return layer.feed_forward_chunk(attention_output)


def _distilbert_layer(layer, hidden, mask, rows, positions):
    sa = layer.attention
    ctx = _attention_at(sa, sa.q_lin, sa.k_lin, sa.v_lin, hidden, mask, rows, positions)
    attention_output = layer.sa_layer_norm(sa.out_lin(ctx) + hidden[rows, positions])
    return layer.output_layer_norm(layer.ffn.ff_chunk(attention_output) + attention_output)


def _albert_layer(layer, hidden, mask, rows, positions):
    sa = layer.attention
    ctx = _attention_at(sa, sa.query, sa.key, sa.value, hidden, mask, rows, positions)
    attention_output = sa.LayerNorm(hidden[rows, positions] + sa.output_dropout(sa.dense(ctx)))
    return layer.full_layer_layer_norm(layer.ff_chunk(attention_output) + attention_output)


def _last_layer(body, layout: str):
    """(module whose pre-hook marks the last layer's input, how many calls it gets, its runner)."""
    config = body.config
    if layout == "bert":
        return body.encoder.layer[-1], 1, _bert_layer
    if layout == "distilbert":
        return body.transformer.layer[-1], 1, _distilbert_layer
    # ALBERT shares layers: the last group's last layer runs once per hidden layer mapped to it.
    groups, layers = config.num_hidden_groups, config.num_hidden_layers
    last_group = groups - 1
    calls = sum(1 for i in range(layers) if int(i / (layers / groups)) == last_group)
    return body.encoder.albert_layer_groups[-1].albert_layers[-1], calls, _albert_layer


def last_layer_runner(body) -> Callable | None:
    """Return ``run(input_ids, attention_mask, positions) -> hidden at positions`` or None.

    ``positions`` holds one position per row; the result is ``rows × hidden``, equal to
    ``body(...).last_hidden_state[arange(rows), positions]``. None when the architecture is not
    one we know (the caller then runs the full forward), when it is a decoder or has
    cross-attention, or when it uses position encodings inside attention. Attention
    implementations other than sdpa and eager run the full forward inside ``run``.

    Example
    -------
    >>> from transformers import BertConfig, BertModel
    >>> body = BertModel(BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
    ...                             intermediate_size=37), add_pooling_layer=False).eval()
    >>> run = last_layer_runner(body)
    >>> ids = torch.tensor([[2, 5, 6, 3], [2, 7, 8, 3]])
    >>> pos = torch.tensor([1, 2])
    >>> full = body(input_ids=ids).last_hidden_state[torch.arange(2), pos]
    >>> bool(torch.allclose(run(ids, None, pos), full, atol=1e-5))
    True
    """
    config = body.config
    layout = SUPPORTED.get(str(getattr(config, "model_type", "")))
    if (
        layout is None
        or getattr(config, "is_decoder", False)
        or getattr(config, "add_cross_attention", False)
        or getattr(config, "position_embedding_type", "absolute") != "absolute"
    ):
        return None
    try:
        module, calls, layer_fn = _last_layer(body, layout)
    except AttributeError:  # an unexpected layout under a known name: use the full forward
        return None
    if not hasattr(sys.modules[type(module).__module__], "eager_attention_forward"):
        return None

    def run(input_ids, attention_mask, positions):
        rows = torch.arange(input_ids.shape[0], device=input_ids.device)
        if config._attn_implementation not in ("sdpa", "eager"):  # other mask formats: full pass
            return body(input_ids=input_ids, attention_mask=attention_mask)[0][rows, positions]
        count = 0

        def stop(_module, args, kwargs):
            nonlocal count
            count += 1
            if count == calls:
                raise _LastLayerReached(args, kwargs)

        handle = module.register_forward_pre_hook(stop, with_kwargs=True)
        try:
            body(input_ids=input_ids, attention_mask=attention_mask)
        except _LastLayerReached as reached:
            args, kwargs = reached.args, reached.kwargs
        else:  # pragma: no cover - the hook always fires for the layouts above
            raise RuntimeError(f"{type(body).__name__}: the last layer was never reached")
        finally:
            handle.remove()
        hidden = args[0] if args else kwargs["hidden_states"]
        mask = args[1] if len(args) > 1 else kwargs.get("attention_mask")
        return layer_fn(module, hidden, mask, rows, positions)

    return run
