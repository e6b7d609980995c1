"""Fault injection: every probe of a careful user gets the exact result or one clear line, never a traceback.

Tiny random BERTs (seconds in all). Each CLI probe runs ``trustkit.cli.main`` in-process and checks
the exit code and that stderr holds no traceback.
"""

import json
import os
import sqlite3
import struct

import pandas as pd
import pytest

from trustkit.cli import main
from trustkit.fileio import check_sidecar, sha256_file
from trustkit.models import random_control
from trustkit.scoring import load_scorer
from trustkit.scoring.cache import CacheError, ScoreCache

HEADER = "id,sent_more,sent_less,stereo_antistereo,bias_type\n"
GOOD_ROWS = (
    "1,The poor man was lazy.,The rich man was lazy.,stereo,socioeconomic\n"
    "2,Old people are slow.,Young people are slow.,stereo,age\n"
)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    return [random_control("bert", "tiny", seed=s, out_dir=root / f"bert-{s}") for s in (0, 1)]


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def pair_file(path, rows=GOOD_ROWS, header=HEADER):
    path.write_text(header + rows, encoding="utf-8")
    return path


def cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


def score(capsys, model, data, out, *extra, metric="pll"):
    return cli(
        capsys,
        "score",
        "--model",
        str(model),
        "--data",
        str(data),
        "--metric",
        metric,
        "--random-control",
        "--out",
        str(out),
        *extra,
    )


def test_same_size_model_swapped_in_place_with_its_old_mtime_is_rehashed_and_rescored(env, models, capsys):
    target = env / "swapped"
    target.mkdir()
    for f in models[0].iterdir():
        (target / f.name).write_bytes(f.read_bytes())
    data = pair_file(env / "pairs.csv")
    assert score(capsys, target, data, env / "a.csv")[0] == 0
    weights = target / "model.safetensors"
    before = os.stat(weights)
    weights.write_bytes((models[1] / "model.safetensors").read_bytes())  # same size, other model
    os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns))  # what cp -p / rsync -a do
    assert os.stat(weights).st_size == before.st_size and os.stat(weights).st_mtime_ns == before.st_mtime_ns
    assert score(capsys, target, data, env / "b.csv")[0] == 0
    assert score(capsys, models[1], data, env / "c.csv")[0] == 0
    swapped, fresh = pd.read_csv(env / "b.csv"), pd.read_csv(env / "c.csv")
    pd.testing.assert_frame_equal(swapped, fresh)  # the new bytes' scores, not the cached old ones
    assert not swapped.equals(pd.read_csv(env / "a.csv"))
    side = json.loads((env / "b.csv.json").read_text())
    assert side["model"]["files"]["model.safetensors"] == sha256_file(weights)


def test_tampered_cache_values_are_recomputed_with_one_warning(env, models, capsys):
    data = pair_file(env / "pairs.csv")
    assert score(capsys, models[0], data, env / "a.csv")[0] == 0
    db = env / "cache" / "scores" / "scores.sqlite"
    with sqlite3.connect(db) as conn:  # shift every stored score by 150 nats, as a hand edit would
        for key, value in conn.execute("SELECT key, value FROM scores_v2").fetchall():
            v = json.loads(value)
            v["s"] = [s - 150 for s in v["s"]]
            conn.execute("UPDATE scores_v2 SET value = ? WHERE key = ?", (json.dumps(v), key))
    code, out, err = score(capsys, models[0], data, env / "b.csv")
    assert code == 0 and "4 cached value(s)" in err and "failed their checksum" in err
    assert err.count("warning") == 1
    pd.testing.assert_frame_equal(pd.read_csv(env / "a.csv"), pd.read_csv(env / "b.csv"))


def test_garbage_cache_file_means_one_line_and_an_uncached_run(env, models, capsys):
    data = pair_file(env / "pairs.csv")
    db = env / "cache" / "scores" / "scores.sqlite"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database" * 100)
    code, out, err = score(capsys, models[0], data, env / "a.csv")
    assert code == 0 and "cannot be opened" in err and "going on without it" in err
    assert len(pd.read_csv(env / "a.csv")) == 2
    with pytest.raises(CacheError, match="cannot be opened"):  # asked for explicitly: it stops
        load_scorer(models[0], random_control=True, cache=str(db), progress=False)


def test_unwritable_cache_directory_with_and_without_the_cache(env, models, capsys, monkeypatch):
    data = pair_file(env / "pairs.csv")
    blocker = env / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")  # even root cannot mkdir here
    monkeypatch.setenv("TRUSTKIT_CACHE", str(blocker / "cache"))
    code, out, err = score(capsys, models[0], data, env / "a.csv", "--no-cache")
    assert code == 0 and "warning" not in err and "error" not in err
    code, out, err = score(capsys, models[0], data, env / "b.csv")
    assert code == 0 and err.count("going on without it") == 1
    pd.testing.assert_frame_equal(pd.read_csv(env / "a.csv"), pd.read_csv(env / "b.csv"))


class FullDisk:
    """A sqlite connection whose writes fail as on a full disk."""

    def __init__(self, conn):
        self.conn = conn

    def execute(self, sql, *args):
        if sql.startswith("BEGIN"):
            raise sqlite3.OperationalError("database or disk is full")
        return self.conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.conn, name)

    def __enter__(self):
        return self.conn.__enter__()

    def __exit__(self, *exc):
        return self.conn.__exit__(*exc)


def test_full_cache_disk_warns_once_and_the_run_finishes(env, models, capsys, monkeypatch):
    import trustkit.scoring.cache as cache_module

    connect = sqlite3.connect
    monkeypatch.setattr(cache_module.sqlite3, "connect", lambda *a, **k: FullDisk(connect(*a, **k)))
    data = pair_file(env / "pairs.csv")
    code, out, err = score(capsys, models[0], data, env / "a.csv")
    assert code == 0 and err.count("cannot be written") == 1 and "disk is full" in err, err
    with pytest.raises(CacheError, match="cannot be written"):
        scorer = load_scorer(
            models[0], random_control=True, cache=ScoreCache(env / "x.sqlite"), progress=False
        )
        scorer.score_sentences(["A sentence."], "pll")


def test_kill_between_table_and_sidecar_never_leaves_old_provenance(env, models, capsys, monkeypatch):

    data = pair_file(env / "pairs.csv")
    out = env / "a.csv"
    assert score(capsys, models[0], data, out)[0] == 0 and check_sidecar(out) is None
    replace = os.replace

    def killed_after_table(src, dst):
        replace(src, dst)
        if str(dst).endswith(".csv"):
            raise KeyboardInterrupt  # the process dies right after the table lands

    monkeypatch.setattr(os, "replace", killed_after_table)
    assert score(capsys, models[1], data, out, "--force")[0] == 130
    assert not (env / "a.csv.json").exists()  # the old run's provenance is gone, not beside a new table
    assert "no sidecar" in check_sidecar(out)
    monkeypatch.setattr(os, "replace", replace)
    assert score(capsys, models[1], data, out, "--force")[0] == 0 and check_sidecar(out) is None
    out.write_text(out.read_text() + "1,x,stereo,1,2,3\n")
    assert "sha256 differs" in check_sidecar(out)
    assert [p.name for p in env.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_outputs_refuse_inputs_and_overwrites_respect_umask_and_neutralise_formulas(env, models, capsys):
    data = pair_file(env / "pairs.csv", GOOD_ROWS + "3,=HYPERLINK(1),Plain text.,stereo,=cmd|calc\n")
    original = data.read_bytes()
    code, _, err = score(capsys, models[0], data, data)
    assert code == 2 and "is also an input" in err and data.read_bytes() == original
    code, _, err = score(capsys, models[0], data, env)
    assert (code == 2 and ".csv or .parquet" in err) or "is a directory" in err
    (env / "dir.csv").mkdir()
    assert "is a directory" in score(capsys, models[0], data, env / "dir.csv")[2]
    old = os.umask(0o027)
    try:
        assert score(capsys, models[0], data, env / "a.csv")[0] == 0
    finally:
        os.umask(old)
    assert oct(os.stat(env / "a.csv").st_mode & 0o777) == "0o640"
    assert oct(os.stat(env / "a.csv.json").st_mode & 0o777) == "0o640"
    text = (env / "a.csv").read_text()
    assert ",'=cmd|calc," in text and "-" in text  # the formula is neutralised, negative scores not
    assert all(float(v) < 0 for v in pd.read_csv(env / "a.csv").score_more)
    code, _, err = score(capsys, models[0], data, env / "a.csv")
    assert code == 2 and "--force" in err
    assert score(capsys, models[0], data, env / "a.csv", "--force")[0] == 0


BAD_FILES = {
    "unclosed.csv": (
        GOOD_ROWS.replace("The poor", '"The poor') + "3,A b.,A c.,stereo,age\n",
        ":2-4: a quote opened on line 2",
    ),
    "long.csv": (f"1,{'x' * 140_000},Short.,stereo,age\n", ":2: sent_more has 140000 characters"),
    "nul.csv": (
        "1,He is\x00 poor.,She is poor.,stereo,gender\n",
        ":2: sent_more holds control character U+0000",
    ),
    "dup.csv": (GOOD_ROWS.replace("2,Old", "1,Old"), ":3: pair id '1' repeats line 2"),
    "header.csv": ("", ":1: no pair rows"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_each_bad_pair_file_is_named_file_and_line_by_check_and_by_score(env, models, capsys, name):
    rows, expected = BAD_FILES[name]
    path = pair_file(env / name, rows)
    code, out, err = cli(capsys, "data", "check", str(path))
    assert code == 1 and f"{path}{expected}" in out
    code, out, err = score(capsys, models[0], path, env / "out.csv")
    assert code == 2 and f"{path}{expected}" in err and not (env / "out.csv").exists()


def test_registered_and_mistyped_dataset_names(env, capsys):
    code, out, _ = cli(capsys, "data", "check", "crows_pairs")
    assert code == 0 and "1508 pair(s) OK" in out
    code, _, err = cli(capsys, "data", "check", "crows_pairz")
    assert code == 1 and "did you mean 'crows_pairs'?" in err
    code, _, err = cli(capsys, "data", "fetch", "crows_pairz")
    assert code == 2 and "did you mean 'crows_pairs'?" in err


def test_scoring_refusals_list_every_row_by_file_and_line_and_truncation_is_visible(env, models, capsys):
    long = " ".join(["word"] * 600)  # the tiny control's maximum is 512 tokens
    rows = (
        f"1,{long} one.,Short.,stereo,age\n2,Fine.,Also fine.,stereo,age\n3,Short.,{long} two.,stereo,age\n"
    )
    path = pair_file(env / "long_rows.csv", rows)
    code, _, err = score(capsys, models[0], path, env / "out.csv")
    assert code == 2 and f"{path}:2: sent_more cannot be scored" in err and f"{path}:4: sent_less" in err
    code, _, err = score(capsys, models[0], path, env / "out.csv", "--truncate")
    assert code == 0 and "2 pair row(s) cut to the model's maximum of 512 tokens" in err
    assert f"{path}:2 (sent_more)" in err and f"{path}:4 (sent_less)" in err
    same = pair_file(env / "same.csv", f"1,{long} ends one way.,{long} ends another way.,stereo,age\n")
    code, _, err = score(capsys, models[0], same, env / "same_out.csv", "--truncate")
    assert code == 2 and f"{same}:2: sent_more and sent_less are identical after truncation" in err


def test_model_files_that_do_not_fit_together_are_one_line_errors(env, models, capsys):
    data = pair_file(env / "pairs.csv")
    broken = env / "vocab"
    broken.mkdir()
    for f in models[0].iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    config = json.loads((broken / "config.json").read_text())
    (broken / "config.json").write_text(json.dumps({**config, "vocab_size": config["vocab_size"] + 10}))
    code, _, err = score(capsys, broken, data, env / "a.csv", "--no-cache")
    assert code == 1 and "do not match its config.json (e.g. vocab_size)" in err
    assert err.strip().splitlines()[-1].startswith("trustkit score: error:")

    from transformers import AutoTokenizer

    bigger = env / "tokenizer"
    bigger.mkdir()
    for f in models[0].iterdir():
        (bigger / f.name).write_bytes(f.read_bytes())
    tokenizer = AutoTokenizer.from_pretrained(bigger)
    tokenizer.add_tokens([f"newtoken{i}" for i in range(50)])
    tokenizer.save_pretrained(bigger)
    code, _, err = score(capsys, bigger, data, env / "b.csv", "--no-cache")
    assert code == 2 and "the tokenizer has 30572 tokens but the model's embedding only 30522 rows" in err

    gguf = env / "cut.gguf"
    gguf.write_bytes(b"GGUF\x03\x00\x00\x00\x05\x00")  # cut inside the header
    code, _, err = cli(
        capsys,
        "score",
        "--model",
        str(gguf),
        "--data",
        str(data),
        "--metric",
        "ll",
        "--no-cache",
        "--out",
        str(env / "g.csv"),
    )
    assert code == 1 and "ended early or is corrupt" in err and len(err.strip().splitlines()) == 1


def test_debug_shows_the_traceback(env, capsys):
    gguf = env / "cut.gguf"
    gguf.write_bytes(b"GGUF\x03\x00")
    with pytest.raises(struct.error):  # the GGUF reader's own error, not the one-line boundary
        main(
            [
                "--debug",
                "score",
                "--model",
                str(gguf),
                "--data",
                "crows_pairs",
                "--metric",
                "ll",
                "--no-cache",
                "--out",
                str(env / "g.csv"),
            ]
        )


def test_aula_summary_counts_only_exact_ties(env, models, capsys):
    code, out, _ = cli(
        capsys,
        "score",
        "--model",
        str(models[0]),
        "--data",
        "crows_pairs",
        "--metric",
        "aula",
        "--limit",
        "20",
        "--random-control",
        "--out",
        str(env / "a.csv"),
    )
    table = pd.read_csv(env / "a.csv")
    side = json.loads((env / "a.csv.json").read_text())
    wins = int((table.score_more > table.score_less).sum())
    assert code == 0 and side["summary"]["metric_score"] == 100.0 * wins / 20
    assert side["summary"]["neutral"] == int((table.score_more == table.score_less).sum())
