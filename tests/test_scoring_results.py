"""Typed per-item results, the scorer's declared provenance, and AULA leaving the model as it was."""

import pytest
import reference_scorer as ref

from trustkit.scoring import ItemScore, MaskedLMScorer, load_scorer


def scorer_for(model, tokenizer):
    return MaskedLMScorer(model, tokenizer, cache=False, batch_tokens=64, progress=False)


def test_items_come_back_as_item_scores_with_named_fields():
    model, tokenizer = ref.tiny_masked_lm("bert")
    scorer = scorer_for(model, tokenizer)
    (value,) = scorer._score_items(["He is strong."], "aula")
    assert isinstance(value, ItemScore)
    ids = tokenizer("He is strong.")["input_ids"]
    assert value.token_ids == [ids] and value.counted == [list(range(1, len(ids) - 1))]
    assert value.log_probs[0][0] is None and value.log_probs[0][-1] is None
    assert all(isinstance(x, float) for x in value.log_probs[0][1:-1])
    assert value.weights is not None and value.weights[0][1] > 0
    mean = sum(value.log_probs[0][p] * value.weights[0][p] for p in value.counted[0]) / len(value.counted[0])
    assert value.scores[0] == pytest.approx(mean)
    assert ItemScore.from_json(value.to_json()) == value  # the cache's JSON form round-trips
    (pll,) = scorer._score_items(["He is strong."], "pll")
    assert pll.weights is None and "w" not in pll.to_json()


def test_provenance_is_declared_and_filled_by_load_scorer(tmp_path):
    model, tokenizer = ref.tiny_masked_lm("bert")
    assert scorer_for(model, tokenizer).provenance is None
    from trustkit.models import random_control

    scorer = load_scorer(
        random_control("bert", "tiny", out_dir=tmp_path / "c"),
        random_control=True,
        cache=False,
        progress=False,
    )
    assert isinstance(scorer.provenance, dict) and scorer.provenance


@pytest.mark.parametrize("implementation", ["sdpa", "eager"])
def test_aula_restores_the_attention_implementation(implementation):
    model, tokenizer = ref.tiny_masked_lm("bert")
    model.set_attn_implementation(implementation)
    scorer = scorer_for(model, tokenizer)
    scorer.score_sentences(["He is strong."], "aula")
    assert model.config._attn_implementation == implementation


def test_aula_restores_the_attention_implementation_when_scoring_fails(monkeypatch):
    model, tokenizer = ref.tiny_masked_lm("bert")
    model.set_attn_implementation("sdpa")
    scorer = scorer_for(model, tokenizer)
    seen = {}

    def failing_step(metric):
        def step(*args):
            seen["during"] = model.config._attn_implementation
            raise RuntimeError("the device fell over")

        return step

    monkeypatch.setattr(scorer, "_step", failing_step)
    with pytest.raises(RuntimeError, match="fell over"):
        scorer.score_sentences(["He is strong."], "aula")
    assert seen["during"] == "eager"  # AULA needs the attention weights
    assert model.config._attn_implementation == "sdpa"
