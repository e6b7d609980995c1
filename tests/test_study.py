"""The study helpers: subsets, control loading and labelling, stacked scoring, bias scores."""

import pandas as pd
import pytest

from trustkit import study
from trustkit.data import sample_pairs
from trustkit.models import parse_control, random_control
from trustkit.scoring import load_scorer
from trustkit.stats import series_bias_scores


def _pairs(n=8):
    return pd.DataFrame(
        {
            "pair_id": range(n),
            "sent_more": [f"The poor man number {i} is lazy." for i in range(n)],
            "sent_less": [f"The rich man number {i} is lazy." for i in range(n)],
            "direction": ["stereo"] * n,
            "bias_type": ["socioeconomic"] * n,
            "source_row": [str(i) for i in range(n)],
        }
    )


def test_sample_pairs_is_seeded_ordered_and_keeps_attrs():
    pairs = _pairs(20)
    pairs.attrs["sha256"] = "abc"
    a, b = sample_pairs(pairs, 5, seed=1), sample_pairs(pairs, 5, seed=1)
    assert a.pair_id.tolist() == b.pair_id.tolist() == sorted(a.pair_id) and len(a) == 5
    assert a.attrs["sha256"] == "abc"
    assert len(sample_pairs(pairs, None)) == 20 == len(sample_pairs(pairs, 99))


def test_parse_control_refuses_a_spec_without_size():
    assert parse_control("") is None
    with pytest.raises(ValueError, match="bert-tiny"):
        parse_control("bert")


def test_control_is_scored_on_its_subset_and_flagged():
    models = [
        study.StudyModel(
            "bert-tiny", load_scorer(random_control("bert", "tiny"), random_control=True, progress=False)
        )
    ]
    assert [m.is_control for m in models] == [True] and models[0].provenance["is_control"]
    scored = study.score_study(models, {"toy": _pairs(8)}, control_pairs=3, seed=0)
    assert len(scored) == 3 and scored.is_control.all() and (scored.metric == "pll").all()
    assert (scored.delta == scored.score_more - scored.score_less).all() and (scored.para_index == 0).all()
    variants = study.metric_variants(models[0], _pairs(2), metrics=["pll", "aul"])
    assert variants.groupby("metric").size().to_dict() == {"aul": 2, "pll": 2}
    table = series_bias_scores(scored, n_resamples=50)
    assert table[["model", "is_control", "metric", "dataset", "group"]].values.tolist() == [
        ["bert-tiny", True, "pll", "toy", "overall"]
    ]
    assert 0 <= table.estimate[0] <= 100 and table.n[0] == 3


def test_no_model_at_all_is_refused():
    with pytest.raises(ValueError, match="no model"):
        study.score_study([], {"toy": _pairs(2)})


def test_a_model_is_a_control_exactly_when_loaded_as_one():
    path = random_control("bert", "tiny")
    assert study.StudyModel("c", load_scorer(path, random_control=True, progress=False)).is_control
    with pytest.raises(ValueError, match="random_control=True"):
        load_scorer(path, progress=False)  # a marked control cannot pass for a model


def test_progress_bars_name_model_dataset_and_metric(monkeypatch):
    from trustkit.scoring import batching

    seen, real = [], batching.tqdm
    monkeypatch.setattr(batching, "tqdm", lambda *a, **kw: seen.append(kw["desc"]) or real(*a, **kw))
    models = [
        study.StudyModel(
            "bert-tiny", load_scorer(random_control("bert", "tiny"), random_control=True, progress=False)
        )
    ]
    models[0].scorer.cache = None  # score for real, so a bar is made
    study.score_study(models, {"toy": _pairs(2)})
    assert seen == ["bert-tiny · toy · pll rows"]
    assert models[0].scorer.progress_label == "", "the label is only set while scoring"


def test_params_come_from_a_profile_with_overrides():
    params = study.study_params("offline", "04_sensitivity_thresholding", seed=7, n_pairs=20)
    assert params.seed == 7 and params.n_pairs == 20 and params.datasets == ("crows_pairs",)
    assert params.n_paraphrases == 5 and params.control_n_pairs == 60 and params.n_resamples == 2000
    assert params.backends == ("backtranslation",) and params.filter_settings.min_similarity == 0.75
    paper = study.study_params("paper", "02_scoring")
    assert (
        paper.models == ("bert-base-uncased", "roberta-large", "albert/albert-xxlarge-v2")
        and paper.n_pairs is None
    )
    assert paper.datasets == ("crows_pairs", "crows_pairs_revised", "crows_pairs_revised_fr")
    assert paper.device == "auto"
    with pytest.raises(ValueError, match="unknown study parameters.*n_pair"):
        study.study_params("lab", n_pair=3)
    with pytest.raises(ValueError, match="bert-tiny"):
        study.study_params("lab", control="bert")
    with pytest.raises(ValueError, match="mode"):
        study.StudyParams(mode="both")
    with pytest.raises(AttributeError):
        params.seed = 1  # frozen: a study's settings do not change under it


def test_params_from_a_notebooks_parameters_ignore_what_is_not_a_setting():
    cell = {
        "profile": "lab",
        "figures_dir": "out",
        "dataset": "crows_pairs_revised",
        "backend": "llm",
        "seed": 2,
        "n_examples": 4,
        "pd": pd,
    }
    params = study.StudyParams.from_parameters(cell)
    assert (params.datasets, params.backends, params.seed) == (("crows_pairs_revised",), ("llm",), 2)
    assert study.PLLStudy.from_parameters(cell).params == params


def test_the_study_object_runs_the_steps_with_its_params():
    pll = study.PLLStudy(
        study.StudyParams(
            models=[],
            control="bert-tiny",
            datasets=["toy"],
            control_n_pairs=3,
            variants_n_pairs=2,
            n_resamples=50,
            progress=False,
        )
    )
    models = [
        study.StudyModel(
            "bert-tiny", load_scorer(random_control("bert", "tiny"), random_control=True, progress=False)
        )
    ]
    scored = pll.score(models, _pairs(8))
    expected = study.score_study(models, {"toy": _pairs(8)}, control_pairs=3, seed=0)
    pd.testing.assert_frame_equal(scored, expected)
    pd.testing.assert_frame_equal(pll.bias_scores(scored), series_bias_scores(scored, n_resamples=50, seed=0))
    variants = pll.metric_variants(models, pll.variant_pairs(_pairs(8)))
    assert variants.pair_id.nunique() == 2 and set(variants.metric) >= {"pll", "aul", "crows"}


def test_from_parameters_ignores_imported_modules_named_like_a_setting():
    import trustkit.metrics as metrics

    params = study.StudyParams.from_parameters({"metrics": metrics, "seed": 2})
    assert params.seed == 2 and params.metrics == {"masked": "pll", "causal": "ll"}
