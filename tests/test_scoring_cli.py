"""``trustkit score`` end to end on a few real CrowS-Pairs pairs with a tiny random control."""

import json

import pandas as pd
import pytest

from trustkit.cli import main
from trustkit.models import random_control


@pytest.fixture(scope="module")
def control_dir(tmp_path_factory):
    return random_control("bert", "tiny", seed=0, out_dir=tmp_path_factory.mktemp("ctl") / "bert-tiny")


def test_score_writes_one_row_per_pair_and_prints_the_summary(tmp_path, control_dir, monkeypatch, capsys):
    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "scores.csv"
    args = [
        "score",
        "--model",
        str(control_dir),
        "--data",
        "crows_pairs",
        "--metric",
        "crows",
        "--limit",
        "6",
        "--random-control",
        "--batch-tokens",
        "512",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "metric crows: metric score" in printed and "n 6 | ties" in printed
    table = pd.read_csv(out)
    assert list(table.columns) == ["pair_id", "bias_type", "direction", "score_more", "score_less", "delta"]
    assert list(table.pair_id) == list(range(6))
    assert (table.delta - (table.score_more - table.score_less)).abs().max() < 1e-9
    sidecar = json.loads((tmp_path / "scores.csv.json").read_text())
    assert sidecar["model"]["random_control"] and sidecar["summary"]["n"] == 6
    assert sidecar["stats"]["items_computed"] == 6

    # the second run reads every pair from the cache, and parquet works too
    again = tmp_path / "scores.parquet"
    assert main(args[:-1] + [str(again)]) == 0
    assert "6 items from the cache, 0 rows computed" in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_parquet(again), table, check_dtype=False)


def test_score_refuses_a_control_without_the_flag_and_bad_outputs(tmp_path, control_dir, capsys):
    base = [
        "score",
        "--model",
        str(control_dir),
        "--data",
        "crows_pairs",
        "--metric",
        "pll",
        "--limit",
        "2",
        "--no-cache",
    ]
    assert main(base + ["--out", str(tmp_path / "x.csv")]) == 2
    assert "--random-control" in capsys.readouterr().err
    assert main(base + ["--random-control", "--out", str(tmp_path / "x.txt")]) == 2
    assert ".csv or .parquet" in capsys.readouterr().err
    assert main(base + ["--random-control", "--metric", "ll", "--out", str(tmp_path / "x.csv")]) == 2
    assert "not available for a masked LM" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()
