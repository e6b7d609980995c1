"""Fault injection, round 2: the inputs and outputs a careful user gets wrong, each one exact or one clear line.

Tiny random BERTs; CLI probes run ``trustkit.cli.main`` in-process (as in test_fault_injection.py).
"""

import json
import os
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from trustkit.cli import main
from trustkit.explorer import read_scored
from trustkit.models import random_control

HEADER = "id,sent_more,sent_less,stereo_antistereo,bias_type\n"
GOOD_ROWS = (
    "1,The poor man was lazy.,The rich man was lazy.,stereo,socioeconomic\n"
    "2,Old people are slow.,Young people are slow.,stereo,age\n"
)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return random_control("bert", "tiny", seed=0, out_dir=tmp_path_factory.mktemp("models") / "bert")


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


def score(capsys, model, data, out, *extra):
    return cli(capsys, "score", "--model", model, "--data", data, "--metric", "pll", "--random-control",
               "--out", out, *extra)  # fmt: skip


def test_a_scored_table_is_joined_only_to_the_pair_file_that_was_scored(env, model, capsys, monkeypatch):
    (env / "data").mkdir()
    (env / "results").mkdir()
    pairs = env / "data" / "pairs.csv"
    pairs.write_text(HEADER + GOOD_ROWS, encoding="utf-8")
    table = env / "results" / "ll.csv"
    assert score(capsys, model, "data/pairs.csv", "results/ll.csv")[0] == 0
    elsewhere = env / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the sidecar's path is read relative to the table, not from here
    back = read_scored(table)
    assert back.sent_less.tolist() == ["The rich man was lazy.", "Young people are slow."]

    pairs.write_text(HEADER + GOOD_ROWS.replace("lazy", "idle"), encoding="utf-8")  # edited since
    with pytest.raises(ValueError, match=r"pairs.csv is not the file that was scored \(sha256") as err:
        read_scored(table)
    assert "\n" not in str(err.value)
    pairs.unlink()
    with pytest.raises(ValueError, match="pairs.csv is not there"):
        read_scored(table)
    pairs.write_text(HEADER + GOOD_ROWS, encoding="utf-8")
    assert len(read_scored(table)) == 2
    frame = pd.read_csv(table)
    frame.loc[0, "delta"] = 99.0
    frame.to_csv(table, index=False)  # the table no longer matches its sidecar
    with pytest.raises(ValueError, match="describes another version of ll.csv"):
        read_scored(table)


@pytest.mark.parametrize(
    "change, named",
    [
        ({"auto_map": {"AutoModelForMaskedLM": "modeling_my.MyBert"}}, "auto_map AutoModelForMaskedLM"),
        ({"architectures": ["MyBertForMaskedLM"]}, "architectures MyBertForMaskedLM is not a transformers"),
    ],
)
def test_a_config_that_asks_for_remote_code_is_refused_by_name(env, model, capsys, change, named):
    folder = env / "custom-model"
    shutil.copytree(model, folder)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, **change}))
    pairs = env / "pairs.csv"
    pairs.write_text(HEADER + GOOD_ROWS, encoding="utf-8")
    code, _, err = score(capsys, folder, pairs, env / "out.csv")
    assert code == 2 and f"{folder} asks for custom modelling code ({named}" in err
    assert len(err.strip().splitlines()) == 1 and not (env / "out.csv").exists()


def test_the_score_sidecar_is_strict_json_when_a_direction_has_no_pairs(env, model, capsys):
    pairs = env / "stereo_only.csv"
    pairs.write_text(HEADER + GOOD_ROWS, encoding="utf-8")  # no antistereo pair: its share is undefined
    assert score(capsys, model, pairs, env / "out.csv")[0] == 0
    text = (env / "out.csv.json").read_text()

    def refuse(constant):
        raise AssertionError(f"bare {constant} in the sidecar")

    summary = json.loads(text, parse_constant=refuse)["summary"]
    assert summary["antistereo_score"] is None and summary["stereo_score"] is not None


def test_terminal_escapes_in_a_header_are_shown_escaped(env, capsys):
    path = env / "esc.csv"
    path.write_text(HEADER.replace("sent_more", "sent_more\x1b[31mRED\x1b]0;pwned\x07") + GOOD_ROWS)
    code, out, err = cli(capsys, "data", "check", path)
    assert code == 1 and "\x1b" not in out + err and "\x07" not in out + err
    assert "sent_more\\x1b[31mRED\\x1b]0;pwned\\x07" in out


def test_a_program_as_data_is_one_line_by_check_and_by_score(env, model, capsys):
    program = Path(sys.executable).resolve()
    code, out, err = cli(capsys, "data", "check", program)
    assert code == 1 and out == f"{program}:1: not a text pair file: an executable program (ELF); " + (
        "pair files are UTF-8 CSV, TSV or JSONL\n"
    )
    code, _, err = score(capsys, model, program, env / "out.csv")
    assert code == 2 and "not a text pair file: an executable program (ELF)" in err
    assert len(err.strip().splitlines()) <= 2  # the problem and the hint, no binary echoed


def test_a_directory_a_fifo_and_a_device_are_named_for_what_they_are(env, model, capsys):
    fifo = env / "pairs.fifo"
    os.mkfifo(fifo)
    for path, what in [
        (env, "is a directory"),
        (fifo, "is not a regular file"),
        ("/dev/zero", "is not a regular"),
    ]:
        code, _, err = cli(capsys, "data", "check", path)
        assert code == 1 and f"{path}: {what}" in err and "no such pair file" not in err
        code, _, err = score(capsys, model, path, env / "out.csv")
        assert code == 2 and f"{path}: {what}" in err


@pytest.mark.parametrize("value", ["0", "-5"])
def test_batch_tokens_below_one_are_refused_before_the_model_loads(env, capsys, value):
    code, _, err = cli(capsys, "score", "--model", env / "no-model", "--data", "crows_pairs", "--metric", "pll",
                       "--batch-tokens", value)  # fmt: skip
    assert (
        code == 2
        and err == f"trustkit score: --batch-tokens must be a positive number of tokens, got {value}\n"
    )
    code, _, err = cli(capsys, "report", "--model", env / "no-model", "--data", "crows_pairs",
                       "--batch-tokens", value, "--out", env / "r.html")  # fmt: skip
    assert code == 2 and "--batch-tokens must be at least 1" in err


def test_an_unknown_device_is_one_clear_line(env, capsys):
    code, _, err = cli(capsys, "score", "--model", env / "no-model", "--data", "crows_pairs", "--metric", "pll",
                       "--device", "tpu:7")  # fmt: skip
    assert (
        code == 2
        and err == "trustkit score: --device: unknown device 'tpu:7'; use cpu, cuda, cuda:N, mps or auto\n"
    )
    code, _, err = cli(capsys, "report", "--model", env / "no-model", "--data", "crows_pairs",
                       "--device", "tpu:7", "--out", env / "r.html")  # fmt: skip
    assert code == 2 and "unknown device 'tpu:7'" in err


def test_bad_rows_name_the_cli_flag_that_drops_them_and_the_flag_works(env, model, capsys):
    pairs = env / "bad.csv"
    pairs.write_text(HEADER + GOOD_ROWS + "3,,Empty more.,stereo,age\n", encoding="utf-8")
    code, _, err = score(capsys, model, pairs, env / "out.csv")
    assert code == 2 and "errors='drop' (CLI: trustkit score --errors drop)" in err
    code, out, err = score(capsys, model, pairs, env / "out.csv", "--errors", "drop")
    assert code == 0 and f"1 unscorable row(s) of {pairs} not scored: line 4" in out
    assert len(pd.read_csv(env / "out.csv")) == 2


def test_validate_report_takes_the_report_file(env, model, capsys):
    from trustkit.report import json_path, validate_report

    pairs = env / "pairs.csv"
    pairs.write_text(HEADER + GOOD_ROWS, encoding="utf-8")
    out = env / "card.html"
    code, _, err = cli(capsys, "report", "--model", model, "--random-control", "--data", pairs,
                       "--n-paraphrases", "0", "--n-resamples", "50", "--no-progress", "--out", out)  # fmt: skip
    assert code == 0, err
    validate_report(json_path(out))  # the path, as the README says
    validate_report(str(json_path(out)))
    validate_report(json.loads(json_path(out).read_text()))
    bad = env / "nan.json"
    bad.write_text(json_path(out).read_text().replace('"n_pairs": 2', '"n_pairs": NaN'))
    with pytest.raises(ValueError, match="nan.json: holds a bare NaN"):
        validate_report(bad)
    with pytest.raises(ValueError, match="card.html: not JSON"):
        validate_report(out)
