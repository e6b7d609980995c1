"""load_scorer's refusals (pickle, random heads, unmarked controls) and bad input at the boundary."""

import pandas as pd
import pytest
import reference_scorer as ref
import tolerances
import torch

from trustkit.models import random_control
from trustkit.scoring import CausalLMScorer, MaskedLMScorer, load_scorer


@pytest.fixture(scope="module")
def control_dir(tmp_path_factory):
    return random_control("bert", "tiny", seed=0, out_dir=tmp_path_factory.mktemp("ctl") / "bert-tiny")


def test_control_is_refused_without_the_flag_and_scores_with_it(control_dir):
    with pytest.raises(ValueError, match="random_control=True"):
        load_scorer(control_dir, cache=False)
    scorer = load_scorer(control_dir, random_control=True, cache=False, progress=False)
    assert isinstance(scorer, MaskedLMScorer) and scorer.provenance["random_control"]
    assert scorer.score_sentences(["He is strong."], "pll")[0] < 0


def test_pickle_checkpoint_scores_like_its_safetensors(tmp_path, control_dir):
    from transformers import AutoModelForMaskedLM

    model = AutoModelForMaskedLM.from_pretrained(control_dir)
    out = tmp_path / "pickled"
    out.mkdir()
    model.config.save_pretrained(out)
    torch.save(model.state_dict(), out / "pytorch_model.bin")  # transformers 5 only writes safetensors
    for f in ("tokenizer.json", "tokenizer_config.json"):
        (out / f).write_bytes((control_dir / f).read_bytes())
    assert (out / "pytorch_model.bin").exists() and not list(out.glob("*.safetensors"))
    scorer = load_scorer(out, random_control=True, cache=False, progress=False)
    reference = load_scorer(control_dir, random_control=True, cache=False, progress=False)
    assert scorer.kind == "masked" and scorer.provenance["pickle"]
    mine, theirs = scorer.model.state_dict(), reference.model.state_dict()
    assert mine.keys() == theirs.keys() and all(torch.equal(mine[k], theirs[k]) for k in mine)
    assert scorer.score_sentences(["He is strong."], "pll") == pytest.approx(
        reference.score_sentences(["He is strong."], "pll"), abs=tolerances.SAME_WEIGHTS_OTHER_BUFFERS
    )


def test_masked_lm_without_its_head_weights_is_refused(tmp_path, control_dir):
    from transformers import BertModel

    bare = BertModel.from_pretrained(control_dir)  # encoder only: no MLM head in the checkpoint
    bare.config.trustkit_random_control = False
    bare.save_pretrained(tmp_path / "bare")
    for f in ("tokenizer.json", "tokenizer_config.json"):
        (tmp_path / "bare" / f).write_bytes((control_dir / f).read_bytes())
    with pytest.raises(ValueError, match="head"):
        load_scorer(tmp_path / "bare", kind="masked", cache=False)


def test_model_object_without_mlm_head_or_mask_token_is_refused():
    from transformers import BertConfig, BertModel

    model, tokenizer = ref.tiny_masked_lm("bert")
    with pytest.raises(ValueError, match="masked-LM head"):
        MaskedLMScorer(
            BertModel(
                BertConfig(
                    vocab_size=len(tokenizer),
                    hidden_size=32,
                    num_hidden_layers=1,
                    num_attention_heads=2,
                    intermediate_size=37,
                )
            ),
            tokenizer,
        )
    causal, causal_tok = ref.tiny_causal_lm("gpt2")
    with pytest.raises(ValueError, match="no mask token"):
        MaskedLMScorer(model, causal_tok)
    with pytest.raises(ValueError, match="not available for a causal LM"):
        CausalLMScorer(causal, causal_tok, cache=False).score_sentences(["Hi."], "pll")


def test_bad_sentences_are_named_by_pair():
    model, tokenizer = ref.tiny_masked_lm("bert")  # max_position_embeddings = 64
    scorer = MaskedLMScorer(model, tokenizer, cache=False, progress=False)
    long = "word " * 80
    pairs = pd.DataFrame(
        {
            "pair_id": [7, 8],
            "sent_more": ["He is strong.", long],
            "sent_less": ["She is strong.", "Short."],
            "direction": ["stereo", "stereo"],
        }
    )
    with pytest.raises(
        ValueError, match=r"pair 8: sent_more .* 82 tokens, more than the model's maximum of 64.*truncate"
    ):
        scorer.score_pairs(pairs, "pll")
    empty = pairs.assign(sent_less=["", "Short."])
    with pytest.raises(ValueError, match="pair 7: sent_less cannot be scored: the sentence is empty"):
        scorer.score_pairs(empty, "crows")
    with pytest.raises(ValueError, match=r"pair 7 \(para_index 2\): sent_less .* empty"):
        scorer.score_pairs(empty.assign(para_index=[2, 0]), "pll")
    with pytest.raises(ValueError, match="lacks column"):
        scorer.score_pairs(pairs.drop(columns="direction"), "crows")
    cut = MaskedLMScorer(model, tokenizer, cache=False, progress=False, truncate=True)
    out = cut.score_pairs(pairs, "pll")
    assert out["score_more"].notna().all()
    assert len(cut.score_tokens([long], "pll")) == 64
