"""The study helpers: subsets, control loading and labelling, stacked scoring, bias scores."""

import pandas as pd
import pytest

from trustkit import study


def _pairs(n=8):
    return pd.DataFrame({
        "pair_id": range(n),
        "sent_more": [f"The poor man number {i} is lazy." for i in range(n)],
        "sent_less": [f"The rich man number {i} is lazy." for i in range(n)],
        "direction": ["stereo"] * n,
        "bias_type": ["socioeconomic"] * n,
        "source_row": [str(i) for i in range(n)],
    })


def test_sample_pairs_is_seeded_ordered_and_keeps_attrs():
    pairs = _pairs(20)
    pairs.attrs["sha256"] = "abc"
    a, b = study.sample_pairs(pairs, 5, seed=1), study.sample_pairs(pairs, 5, seed=1)
    assert a.pair_id.tolist() == b.pair_id.tolist() == sorted(a.pair_id) and len(a) == 5
    assert a.attrs["sha256"] == "abc"
    assert len(study.sample_pairs(pairs, None)) == 20 == len(study.sample_pairs(pairs, 99))


def test_parse_control_refuses_a_spec_without_size():
    assert study.parse_control("") is None
    with pytest.raises(ValueError, match="bert-tiny"):
        study.parse_control("bert")


def test_control_is_scored_on_its_subset_and_flagged():
    models = study.load_study_models([], control="bert-tiny", progress=False)
    assert [m.is_control for m in models] == [True] and models[0].provenance["is_control"]
    scored = study.score_study(models, {"toy": _pairs(8)}, control_pairs=3, seed=0)
    assert len(scored) == 3 and scored.is_control.all() and (scored.metric == "pll").all()
    assert (scored.delta == scored.score_more - scored.score_less).all() and (scored.para_index == 0).all()
    variants = study.metric_variants(models[0], _pairs(2), metrics=["pll", "aul"])
    assert variants.groupby("metric").size().to_dict() == {"aul": 2, "pll": 2}
    table = study.bias_scores(scored, n_resamples=50)
    assert table[["model", "is_control", "metric", "dataset", "group"]].values.tolist() == [
        ["bert-tiny", True, "pll", "toy", "overall"]]
    assert 0 <= table.estimate[0] <= 100 and table.n[0] == 3


def test_no_model_at_all_is_refused():
    with pytest.raises(ValueError, match="no model"):
        study.load_study_models([], control=None)


def test_progress_bars_name_model_dataset_and_metric(monkeypatch):
    from trustkit.scoring import batching

    seen, real = [], batching.tqdm
    monkeypatch.setattr(batching, "tqdm", lambda *a, **kw: seen.append(kw["desc"]) or real(*a, **kw))
    models = study.load_study_models([], control="bert-tiny", progress=False)
    models[0].scorer.cache = None  # score for real, so a bar is made
    study.score_study(models, {"toy": _pairs(2)})
    assert seen == ["bert-tiny · toy · pll rows"]
    assert models[0].scorer.progress_label == "", "the label is only set while scoring"
