"""The shared file primitives: hashing and atomic replacement."""

import hashlib

import pytest

from trustkit.fileio import atomic_path, atomic_write_text, sha256_file


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
