"""The cached file hash is reused only while the file's full stat identity holds."""

import hashlib
import os

from trustkit.fileio import sha256_file


def test_a_same_size_rewrite_with_the_old_mtime_is_rehashed(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "weights.bin"
    path.write_bytes(b"a" * 4096)
    assert sha256_file(path, remember=True) == hashlib.sha256(b"a" * 4096).hexdigest()
    before = os.stat(path)
    path.write_bytes(b"b" * 4096)  # in place: same inode, same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the old mtime, as cp -p sets it
    assert os.stat(path).st_mtime_ns == before.st_mtime_ns
    assert sha256_file(path, remember=True) == hashlib.sha256(b"b" * 4096).hexdigest()
    replacement = tmp_path / "other.bin"  # replaced by rename: a new inode
    replacement.write_bytes(b"c" * 4096)
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(replacement, path)
    assert sha256_file(path, remember=True) == hashlib.sha256(b"c" * 4096).hexdigest()


def test_an_unusable_hash_cache_still_gives_the_hash(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("TRUSTKIT_CACHE", str(blocker / "cache"))
    path = tmp_path / "w.bin"
    path.write_bytes(b"x")
    assert sha256_file(path, remember=True) == hashlib.sha256(b"x").hexdigest()
