"""The shared file primitives: hashing and atomic replacement."""

import hashlib

import pytest

from trustkit.fileio import atomic_dir, atomic_path, atomic_write_text, sha256_file


def test_sha256_file_matches_hashlib(tmp_path):
    data = bytes(range(256)) * 5000  # several read blocks
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()


def test_atomic_path_replaces_target_on_success(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    atomic_write_text(target, "old")
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent and tmp != target
        tmp.write_text("new")
        assert target.read_text() == "old"  # nothing visible until the block ends
    assert target.read_text() == "new"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_atomic_path_keeps_target_and_cleans_up_on_failure(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("kept")
    with pytest.raises(RuntimeError), atomic_path(target, suffix=".png") as tmp:
        assert tmp.suffix == ".png"
        tmp.write_text("half-written")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_dir_appears_whole_with_the_umask_mode_not_mkdtemps_0700(tmp_path):
    import os

    target = tmp_path / "converted"
    old = os.umask(0o027)
    try:
        with atomic_dir(target) as tmp:
            (tmp / "model.safetensors").write_bytes(b"w")
            assert not target.exists()  # nothing visible until the block ends
    finally:
        os.umask(old)
    assert (target.stat().st_mode & 0o777) == 0o750
    assert [p.name for p in tmp_path.iterdir()] == ["converted"]


def test_atomic_dir_cleans_up_on_failure_and_replaces_an_unfinished_target(tmp_path):
    target = tmp_path / "converted"
    target.mkdir()
    (target / "partial.bin").write_bytes(b"half")  # an earlier attempt killed mid-write
    with pytest.raises(RuntimeError), atomic_dir(target) as tmp:
        (tmp / "model.safetensors").write_bytes(b"w")
        raise RuntimeError("killed")
    assert [p.name for p in tmp_path.iterdir()] == ["converted"]
    assert [p.name for p in target.iterdir()] == ["partial.bin"]
    with atomic_dir(target, complete=lambda t: (t / "source.json").is_file()) as tmp:
        (tmp / "source.json").write_text("{}")
    assert [p.name for p in target.iterdir()] == ["source.json"]


def test_atomic_dir_keeps_what_another_process_finished_first(tmp_path):
    target = tmp_path / "converted"

    def finished(t):
        return (t / "source.json").is_file()

    with atomic_dir(target, complete=finished) as tmp:
        (tmp / "source.json").write_text("mine")
        target.mkdir()
        (target / "source.json").write_text("theirs")  # the other process renames first
    assert (target / "source.json").read_text() == "theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["converted"]
    with atomic_dir(target, complete=finished) as tmp:  # an OSError once theirs is there is no error
        raise PermissionError("rename refused")
    assert (target / "source.json").read_text() == "theirs"


def test_sha256_file_remembers_a_hash_only_while_the_file_is_unchanged(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "weights.bin"
    path.write_bytes(b"a" * 4096)
    assert sha256_file(path, remember=True) == hashlib.sha256(b"a" * 4096).hexdigest()
    assert len(list((tmp_path / "cache" / "hashes").iterdir())) == 1
    path.write_bytes(b"b" * 4096)  # same size, new bytes: the identity changed
    assert sha256_file(path, remember=True) == hashlib.sha256(b"b" * 4096).hexdigest()


def test_outputs_get_the_umask_mode_not_mkstemps_0600(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "a.txt").st_mode & 0o777 == 0o644


def test_csv_formulas_are_neutralised_and_numbers_are_not():
    import pandas as pd

    from trustkit.fileio import neutralise_csv_cells

    frame = pd.DataFrame(
        {
            "t": ["=SUM(A1)", "+1+1", "-2+3", "@cmd", "-1.5", "plain", None],
            "x": [-1.0, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0],
        }
    )
    out = neutralise_csv_cells(frame)
    assert out.t.tolist()[:6] == ["'=SUM(A1)", "'+1+1", "'-2+3", "'@cmd", "-1.5", "plain"]
    assert out.t.isna().iloc[-1] and out.x.equals(frame.x)


def test_table_and_sidecar_are_one_unit(tmp_path):
    import json

    import pandas as pd

    from trustkit.fileio import check_output_path, check_sidecar, sha256_file, write_table_with_sidecar

    out = tmp_path / "t.csv"
    write_table_with_sidecar(pd.DataFrame({"a": [1, 2]}), out, {"run": 1})
    record = json.loads((tmp_path / "t.csv.json").read_text())
    assert record["table_sha256"] == sha256_file(out) and check_sidecar(out) is None
    write_table_with_sidecar(pd.DataFrame({"a": [3]}), out, {"run": 2})
    assert json.loads((tmp_path / "t.csv.json").read_text())["run"] == 2 and check_sidecar(out) is None
    (tmp_path / "t.csv.json").write_text(json.dumps(record))  # the old run's provenance
    assert "sha256 differs" in check_sidecar(out)
    with pytest.raises(ValueError, match="--force"):
        check_output_path(out)
    with pytest.raises(ValueError, match="also an input"):
        check_output_path(out, inputs=[tmp_path / "." / "t.csv"], force=True)
    check_output_path(out, force=True)
