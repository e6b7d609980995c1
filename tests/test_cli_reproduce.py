"""``trustkit reproduce`` from the command line: listing, verifying, and the paper profile's hub check."""

from __future__ import annotations

import json

from trustkit import profiles
from trustkit.cli import main


def test_cli_lists_reproduce(capsys):
    assert main([]) == 2
    assert "reproduce" in capsys.readouterr().out


def test_list_prints_every_notebook_with_its_profile_parameters(capsys):
    assert main(["reproduce", "--profile", "smoke", "--list"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert list(plan) == list(profiles.notebook_names())
    for name, params in plan.items():
        rows, seconds = params.pop("rows_to_score"), params.pop("estimated_s")
        assert params == {**profiles.profile_parameters("smoke", name), "figures_dir": "figures/smoke"}
        assert params["profile"] == "smoke" and rows >= 0 and seconds >= 0


def test_list_of_the_paper_profile_estimates_its_cost_and_takes_options(capsys, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert main(["reproduce", "--profile", "paper", "--list"]) == 0
    full = json.loads(capsys.readouterr().out)
    assert (
        full["02_scoring"]["figures_dir"] == "figures/paper" and full["02_scoring"]["control_n_pairs"] == 150
    )
    assert (
        main(
            [
                "reproduce",
                "--profile",
                "paper",
                "--list",
                "--max-pairs",
                "5",
                "--set",
                "02_scoring.control=bert-tiny",
                "--set",
                "03_paraphrase.n_paraphrases=2",
            ]
        )
        == 0
    )
    out = capsys.readouterr()
    small = json.loads(out.out)
    assert "no GPU" in out.err and "estimated" in out.err
    assert small["02_scoring"]["n_pairs"] == 5 and small["02_scoring"]["control"] == "bert-tiny"
    assert (
        small["03_paraphrase"]["n_paraphrases"] == 2 and small["04_sensitivity_thresholding"]["n_pairs"] == 5
    )
    assert 0 < small["02_scoring"]["rows_to_score"] < full["02_scoring"]["rows_to_score"]
    assert 0 < small["02_scoring"]["estimated_s"] < full["02_scoring"]["estimated_s"]


def test_a_bad_set_is_a_usage_error(capsys):
    assert main(["reproduce", "--profile", "paper", "--list", "--set", "02_scoring.nope=1"]) == 2
    assert "02_scoring has no parameter 'nope'" in capsys.readouterr().err
    assert main(["reproduce", "--profile", "paper", "--list", "--set", "02_scoring"]) == 2
    assert "NOTEBOOK.PARAM=VALUE" in capsys.readouterr().err


def test_paper_profile_without_hub_says_what_it_needs(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(["reproduce", "--profile", "paper", "--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "stopped before running anything" in err and "bert-base-uncased" in err
    assert not (tmp_path / "build").exists()


def test_unknown_notebook_is_a_usage_error(tmp_path, capsys):
    assert (
        main(["reproduce", "--profile", "smoke", "--root", str(tmp_path), "--notebooks", "99_nothing"]) == 2
    )
    assert "unknown notebook '99_nothing'" in capsys.readouterr().err


def test_verify_reports_a_figure_that_does_not_match(tmp_path, capsys):
    figures = tmp_path / "figures" / "offline"
    figures.mkdir(parents=True)
    (figures / "01_x.png").write_bytes(b"png")
    (figures / "MANIFEST.json").write_text(json.dumps({"figures": {"01_x.png": {"sha256": "0" * 64}}}))
    assert main(["reproduce", "--profile", "offline", "--root", str(tmp_path), "--verify"]) == 1
    assert "01_x.png: sha256 differs" in capsys.readouterr().err
