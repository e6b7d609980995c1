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
    with pytest.raises(RuntimeError):
        with atomic_path(target, suffix=".png") as tmp:
            assert tmp.suffix == ".png"
            tmp.write_text("half-written")
            raise RuntimeError("killed mid-write")
    assert target.read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
