"""The last layer run at the scored position only equals the full forward pass, per architecture."""

import doctest

import pytest
import reference_scorer as ref
import tolerances
import torch

from trustkit.scoring import last_layer
from trustkit.scoring.heads import masked_lm_parts
from trustkit.scoring.last_layer import last_layer_runner


def padded_batch(tokenizer):
    """Rows of different lengths (so padding and the prepared attention mask are exercised)."""
    sentences = ["The nurse said she was tired.", "He fixed it.", "Unbelievably, the physicist wrote poems."]
    enc = tokenizer(sentences, padding=True, return_tensors="pt")
    lengths = enc["attention_mask"].sum(1)
    positions = torch.stack([lengths[0] - 2, torch.tensor(1), lengths[2] // 2])
    ids = enc["input_ids"].clone()
    ids[torch.arange(3), positions] = tokenizer.mask_token_id
    return ids, enc["attention_mask"], positions


@pytest.mark.parametrize("attn", ["sdpa", "eager"])
@pytest.mark.parametrize("arch", ["bert", "roberta", "albert", "distilbert"])
def test_last_layer_at_one_position_equals_full_forward(arch, attn):
    model, tokenizer = ref.tiny_masked_lm(arch)
    model.set_attn_implementation(attn)
    body, _ = masked_lm_parts(model)
    run = last_layer_runner(body)
    assert run is not None
    ids, mask, positions = padded_batch(tokenizer)
    with torch.inference_mode():
        full = body(input_ids=ids, attention_mask=mask).last_hidden_state[torch.arange(3), positions]
        fast = run(ids, mask, positions)
        unpadded = run(ids[:1, : int(mask[0].sum())], None, positions[:1])
    assert fast.shape == full.shape
    assert torch.allclose(fast, full, atol=tolerances.LAST_LAYER_VS_FULL), (fast - full).abs().max()
    assert torch.allclose(unpadded, full[:1], atol=tolerances.LAST_LAYER_VS_FULL)


def test_albert_with_shared_groups_stops_at_the_last_call():
    import transformers as tf

    tokenizer = ref.tiny_masked_lm("bert")[1]
    torch.manual_seed(0)
    model = tf.AlbertForMaskedLM(
        tf.AlbertConfig(
            vocab_size=len(tokenizer),
            embedding_size=16,
            hidden_size=32,
            num_hidden_layers=5,
            num_hidden_groups=2,
            inner_group_num=2,
            num_attention_heads=2,
            intermediate_size=37,
            initializer_range=0.5,
        )
    ).eval()
    body, _ = masked_lm_parts(model)
    ids, mask, positions = padded_batch(tokenizer)
    with torch.inference_mode():
        full = body(input_ids=ids, attention_mask=mask).last_hidden_state[torch.arange(3), positions]
        fast = last_layer_runner(body)(ids, mask, positions)
    assert torch.allclose(fast, full, atol=tolerances.LAST_LAYER_VS_FULL)


def test_unknown_or_decoder_architectures_use_the_full_forward():
    import transformers as tf

    decoder = tf.BertModel(
        tf.BertConfig(
            hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37, is_decoder=True
        )
    )
    assert last_layer_runner(decoder) is None
    gpt2 = tf.GPT2Model(tf.GPT2Config(n_embd=32, n_layer=1, n_head=2))
    assert last_layer_runner(gpt2) is None


def test_docstring_example():
    assert doctest.testmod(last_layer).failed == 0
