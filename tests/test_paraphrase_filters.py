"""Each filter rejects a case made to fail it; bad input rows are reported; tables round-trip; CLI."""

import json
import math

import pandas as pd
import pytest

from trustkit.cli import main
from trustkit.data import load_pairs
from trustkit.paraphrase import (
    BackTranslationParaphraser,
    FilterSettings,
    ParaphraseCache,
    SimilarityScorer,
    chrf,
    diversity,
    load_paraphrases,
    paraphrase_pairs,
    read_metadata,
    rejected_path,
    save_paraphrases,
    similarity_rejection,
    surface_rejection,
    to_dataset,
    to_pair_table,
    word_edit_distance,
)

SOURCE = "Women don't know how to drive."


@pytest.fixture(scope="module")
def scorer():
    return SimilarityScorer()


@pytest.fixture(scope="module")
def backtranslation():
    return BackTranslationParaphraser(use_cache=False)


def test_surface_filters_each_reject_their_case():
    settings = FilterSettings(min_length_ratio=0.5, max_length_ratio=2.0)
    assert surface_rejection("Women are unable to drive.", SOURCE, [], settings) is None
    assert surface_rejection("  ", SOURCE, [], settings) == "empty output"
    # identical after normalising case, punctuation and spacing
    assert (
        surface_rejection("women  don't know how to drive!", SOURCE, [], settings)
        == "identical to the source"
    )
    assert (
        surface_rejection("Women can't drive.", SOURCE, ["women can't drive"], settings)
        == "duplicate of another candidate"
    )
    assert surface_rejection("Women.", SOURCE, [], settings).startswith("length ratio")
    long = "Women, as everyone keeps saying over and over again in every town, do not know how to drive a car well."
    assert surface_rejection(long, SOURCE, [], settings).startswith("length ratio")
    with pytest.raises(ValueError, match="min_length_ratio"):
        FilterSettings(min_length_ratio=1.5)


def test_similarity_filter_rejects_a_different_meaning(scorer):
    same, other = scorer.similarity(
        ["Women are unable to drive.", "The stock market closed higher on Friday."], [SOURCE, SOURCE]
    )
    assert same > 0.75 > other
    assert similarity_rejection(same, FilterSettings()) is None
    assert similarity_rejection(other, FilterSettings()).startswith("similarity")


def test_diversity_figures():
    assert word_edit_distance(SOURCE, SOURCE) == 0 and diversity(SOURCE, SOURCE) == 0.0
    assert 0 < diversity("Women are unable to drive.", SOURCE) < 1
    assert diversity("Completely other words here", "Nothing shared at all") == 1.0
    assert chrf(SOURCE, SOURCE) == pytest.approx(100.0) and chrf("Women are unable to drive.", SOURCE) < 100


def test_bad_input_rows_are_reported_never_dropped(backtranslation, scorer):
    real = load_pairs("crows_pairs").iloc[:2]
    bad = pd.DataFrame(
        {
            "pair_id": [9001, 9002, 9003],
            "sent_more": ["", "Женщины не умеют водить.", " ".join(["word"] * 150)],
            "sent_less": ["Men drive.", "Мужчины не умеют водить.", "Short."],
            "direction": ["stereo"] * 3,
            "bias_type": ["gender"] * 3,
        }
    )
    pairs = pd.concat([real, bad], ignore_index=True)
    result = paraphrase_pairs(pairs, backtranslation, n_paraphrases=1, seed=0, scorer=scorer, progress=False)
    reported = result.rejected[result.rejected.reason.str.startswith("bad input")]
    assert set(reported.pair_id) == {9001, 9002, 9003}
    reasons = " ".join(reported.reason)
    assert "empty" in reasons and "non-Latin" in reasons and "too long" in reasons
    assert set(result.table.pair_id) == set(real.pair_id)
    # at the generate() level a bad sentence gets an empty list and a warning with its position
    with pytest.warns(UserWarning, match="sentence 1 not paraphrased: empty"):
        assert backtranslation.generate([SOURCE, ""], n_paraphrases=1, progress=False)[1] == []


def test_pipeline_rejects_by_similarity_with_reason(backtranslation, scorer):
    pairs = load_pairs("crows_pairs").iloc[:6]
    strict = paraphrase_pairs(
        pairs,
        backtranslation,
        n_paraphrases=2,
        seed=0,
        settings=FilterSettings(min_similarity=0.999),
        scorer=scorer,
        progress=False,
    )
    assert (strict.table.para_index == 0).all()
    sims = strict.rejected[strict.rejected.reason.str.startswith("similarity")]
    assert len(sims) > 0 and (sims.similarity < 0.999).all()
    summary = strict.summary()
    assert summary["yield"] == 0 and summary["pairs"] == 6 and math.isnan(summary["mean_similarity"])


def test_cache_is_used_and_resumable(tmp_path):
    bt = BackTranslationParaphraser()
    bt.cache_root = tmp_path
    first = bt.generate(
        [SOURCE, "The poor are really ignorant about how to handle the money they do have."],
        n_paraphrases=2,
        progress=False,
    )
    assert len(ParaphraseCache(bt.backend_id, root=tmp_path)) == 2

    def fail(*args, **kwargs):
        raise AssertionError("should have come from the cache")

    bt._generate_batch = fail
    assert (
        bt.generate(
            [SOURCE, "The poor are really ignorant about how to handle the money they do have."],
            n_paraphrases=2,
            progress=False,
        )
        == first
    )
    cache = ParaphraseCache(bt.backend_id, root=tmp_path)
    assert cache.get(SOURCE, seed=0, n=2) == first[0] and cache.get(SOURCE, seed=1, n=2) is None


def test_tables_roundtrip_and_pair_table_checks(tmp_path, backtranslation, scorer):
    pairs = load_pairs("crows_pairs").iloc[:4]
    result = paraphrase_pairs(pairs, backtranslation, n_paraphrases=2, seed=3, scorer=scorer, progress=False)
    path = save_paraphrases(result.table, result.rejected, tmp_path / "p.parquet", {"seed": 3})
    back = load_paraphrases(path)
    pd.testing.assert_frame_equal(back, result.table, check_dtype=False)
    assert read_metadata(path) == {"seed": 3} and rejected_path(path).exists()
    assert to_dataset(back).num_rows == len(back)
    wide = to_pair_table(back)
    assert list(wide.columns[:6]) == [
        "pair_id",
        "para_index",
        "bias_type",
        "direction",
        "sent_more",
        "sent_less",
    ]
    originals = wide[wide.para_index == 0].set_index("pair_id")
    assert (originals.sent_more == pairs.set_index("pair_id").sent_more).all()
    with pytest.raises(ValueError, match="both a 'more' and a 'less'"):
        to_pair_table(back[~((back.para_index == 0) & (back.more_or_less == "less") & (back.pair_id == 0))])


def test_cli_paraphrase_writes_tables(tmp_path, capsys):
    out = tmp_path / "bt.parquet"
    code = main(
        [
            "paraphrase",
            "--data",
            "crows_pairs",
            "--method",
            "backtranslation",
            "--n-paraphrases",
            "2",
            "--seed",
            "0",
            "--limit",
            "3",
            "--mode",
            "consistent",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    table = load_paraphrases(out)
    assert summary["pairs"] == 3 and set(table.pair_id) == {0, 1, 2}
    assert read_metadata(out)["backend"].startswith("backtranslation:")
    assert (
        main(
            [
                "paraphrase",
                "--data",
                "crows_pairs",
                "--method",
                "backtranslation",
                "--n-paraphrases",
                "0",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert (
        main(["paraphrase", "--data", "no_such_dataset", "--method", "backtranslation", "--out", str(out)])
        == 2
    )
    assert "no_such_dataset" in capsys.readouterr().err


def test_cli_paraphrase_keeps_existing_outputs_and_inputs(tmp_path, capsys):
    out = tmp_path / "bt.parquet"
    args = [
        "paraphrase",
        "--data",
        "crows_pairs",
        "--method",
        "backtranslation",
        "--n-paraphrases",
        "1",
        "--limit",
        "1",
        "--no-progress",
    ]
    assert main([*args, "--out", str(out)]) == 0
    before = out.read_bytes()
    assert main([*args, "--out", str(out)]) == 2
    assert "exists; pass --force" in capsys.readouterr().err and out.read_bytes() == before
    out.unlink()  # the .rejected.parquet beside it still guards the pair of outputs
    assert main([*args, "--out", str(out)]) == 2 and not out.exists()
    assert main([*args, "--out", str(out), "--force"]) == 0 and out.is_file()
    folder = tmp_path / "folder.parquet"
    folder.mkdir()
    assert main([*args, "--out", str(folder)]) == 2
    assert "is a directory" in capsys.readouterr().err


@pytest.mark.parametrize(
    "module",
    ["backtranslation", "base", "cache", "consistent", "filters", "table", "sampling", "llm", "__init__"],
)
def test_docstring_examples_run(module):
    import doctest
    import importlib

    name = "trustkit.paraphrase" if module == "__init__" else f"trustkit.paraphrase.{module}"
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
