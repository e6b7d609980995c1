"""The report card's "utility" line and its "compared with" section (trustkit report --utility/--compare)."""

import json

import pytest

from trustkit.cli import main
from trustkit.fileio import read_table_with_sidecar
from trustkit.models import random_control
from trustkit.stats import compare_scored


def test_report_compared_with_the_same_model_in_another_precision(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path / "cache"))
    model = str(random_control("bert", "tiny", seed=0, out_dir=tmp_path / "bert"))
    other = tmp_path / "int8.csv"
    common = ["--model", model, "--data", "crows_pairs", "--limit", "12", "--random-control"]
    lms = ["--stereoset-lms", "6"]
    assert main(["score", *common, "--metric", "pll", "--precision", "int8", *lms, "--out", str(other)]) == 0
    out = tmp_path / "card.html"
    args = ["report", *common, "--n-paraphrases", "0", "--n-resamples", "200", "--no-progress"]
    assert main([*args, "--utility", "2", *lms, "--compare", str(other), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "utility: pseudo-perplexity" in printed and "compared with bert int8:" in printed
    assert "utility: StereoSet LMS" in printed
    doc = json.loads(out.with_suffix(".json").read_text())
    section, html = doc["compared_with"], out.read_text()
    assert doc["utility"]["n_texts"] == 2 and 'id="utility"' in html
    # the card's LMS and the other run's, each on the same 6 seeded examples, beside the comparison
    assert doc["stereoset_lms"]["n"] == 6 and 'id="stereoset-lms"' in html
    other_lms = read_table_with_sidecar(other).attrs["stereoset_lms"]
    assert section["stereoset_lms"] == {"bert fp32": doc["stereoset_lms"], "bert int8": other_lms}
    assert set(section["utility"]) == {"bert fp32"} and "StereoSet LMS of bert int8" in html
    assert section["labels"] == ["bert fp32", "bert int8"] and section["other"]["precision"] == "int8"
    assert "<h2>Compared with bert int8</h2>" in html and 'id="compared-with"' in html

    # the section is compare_scored on the card's own pairs and the other table, nothing else
    mine = json.loads(out.with_suffix(".json").read_text())
    assert mine["n_pairs"] == section["n_pairs"] == 12
    scored_here = tmp_path / "fp32.csv"
    assert main(["score", *common, "--metric", "pll", "--out", str(scored_here)]) == 0
    direct = compare_scored(
        read_table_with_sidecar(scored_here), read_table_with_sidecar(other), n_resamples=200
    ).to_dict()
    for key in ("flips", "mcnemar_p", "bias_score_a", "bias_score_b"):
        assert section[key] == pytest.approx(direct[key])
    assert section["bias_score_difference"] == pytest.approx(direct["bias_score_difference"])

    # other pairs are refused in one line
    short = tmp_path / "short.csv"
    assert (
        main(
            [
                "score",
                *common[:-3],
                "--limit",
                "5",
                "--random-control",
                "--metric",
                "pll",
                "--out",
                str(short),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main([*args, "--compare", str(short), "--out", str(tmp_path / "x.html")]) == 2
    err = capsys.readouterr().err
    said = [line for line in err.splitlines() if line.startswith("trustkit report:")]
    assert len(said) == 1 and "the runs hold different pairs: 7 only in bert fp32" in said[0]
