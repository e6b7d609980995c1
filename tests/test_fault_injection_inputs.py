"""Fault injection, round 2: the inputs and outputs a careful user gets wrong, each one exact or one clear line.

Tiny random BERTs; CLI probes run ``trustkit.cli.main`` in-process (as in test_fault_injection.py).
"""

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
