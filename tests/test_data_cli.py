"""``trustkit data``: verify prints every file with its hash; check names each bad line and fails."""

from pathlib import Path

from trustkit.cli import main
from trustkit.data import REGISTRY

FIXTURES = Path(__file__).parent / "fixtures" / "data"


def test_verify_prints_every_file_with_sha256_and_ok(capsys):
    assert main(["data", "verify"]) == 0
    out = capsys.readouterr().out.splitlines()
    expected = [(name, f) for name, d in REGISTRY.items() for f in d.files]
    assert len(out) == len(expected)
    for line, (name, file) in zip(out, expected):
        assert line == f"{name}/{file.filename}  sha256 {file.sha256}  OK"


def test_verify_fails_on_a_corrupted_mirror(tmp_path, monkeypatch, capsys):
    mirror = tmp_path / "mirror" / "crows_pairs"
    mirror.mkdir(parents=True)
    (mirror / "crows_pairs_anonymized.csv").write_text("not the data\n")
    monkeypatch.setenv("TRUSTKIT_DATA_MIRROR", str(tmp_path / "mirror"))
    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path / "cache"))
    assert main(["data", "verify", "crows_pairs"]) == 1
    err = capsys.readouterr().err
    assert "FAILED" in err and "sha256 mismatch" in err and "dfb36986" in err


def test_check_names_each_bad_line_and_exits_nonzero(capsys):
    path = FIXTURES / "pairs_bad.csv"
    assert main(["data", "check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ", 1)[0] for line in out] == [f"{path}:{n}" for n in (6, 7, 8, 9, 10)]


def test_check_missing_column_and_clean_file(capsys):
    assert main(["data", "check", str(FIXTURES / "pairs_missing_column.csv")]) == 1
    assert "pairs_missing_column.csv:1: missing column(s) sent_less" in capsys.readouterr().out
    assert main(["data", "check", str(FIXTURES / "pairs_good.tsv")]) == 0
    assert "2 pair(s) OK" in capsys.readouterr().out


def test_list_shows_every_dataset_and_license(capsys):
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    for name, dataset in REGISTRY.items():
        assert name in out and dataset.license in out
