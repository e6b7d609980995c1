"""The data registry refuses any copy whose sha256 differs and reuses a verified cache."""

import hashlib
import re

import pytest

from trustkit.data import REGISTRY, DataFile, DataIntegrityError, fetch, get_dataset, sha256_file
from trustkit.data.fetching import fetch_file

CONTENT = b"sent_more,sent_less\nA,B\n"


@pytest.fixture
def tmp_mirror(tmp_path, monkeypatch):
    """A private mirror and cache: one file, registered with its true hash."""
    mirror, cache = tmp_path / "mirror", tmp_path / "cache"
    (mirror / "demo").mkdir(parents=True)
    (mirror / "demo" / "pairs.csv").write_bytes(CONTENT)
    monkeypatch.setenv("TRUSTKIT_DATA_MIRROR", str(mirror))
    monkeypatch.setenv("TRUSTKIT_CACHE", str(cache))
    entry = DataFile("demo", "pairs.csv", hashlib.sha256(CONTENT).hexdigest(), None)
    return mirror, cache, entry


def test_fetch_copies_from_mirror_and_reuses_the_cache(tmp_mirror):
    mirror, cache, entry = tmp_mirror
    path = fetch_file(entry)
    assert path == cache / "data" / "demo" / "pairs.csv"
    assert path.read_bytes() == CONTENT
    (mirror / "demo" / "pairs.csv").unlink()  # the second call must not need the mirror
    assert fetch_file(entry) == path


def test_corrupted_mirror_copy_is_refused_naming_both_hashes(tmp_mirror):
    mirror, cache, entry = tmp_mirror
    (mirror / "demo" / "pairs.csv").write_bytes(CONTENT + b"tampered\n")
    found = hashlib.sha256(CONTENT + b"tampered\n").hexdigest()
    with pytest.raises(DataIntegrityError) as info:
        fetch_file(entry)
    message = str(info.value)
    assert entry.sha256 in message and found in message and "pairs.csv" in message
    assert not (cache / "data" / "demo" / "pairs.csv").exists()


def test_corrupted_cache_copy_is_detected_and_refetched(tmp_mirror):
    _, _, entry = tmp_mirror
    path = fetch_file(entry)
    path.write_bytes(b"bit rot")
    with pytest.warns(UserWarning, match="cached copy is corrupted"):
        again = fetch_file(entry)
    assert again.read_bytes() == CONTENT


def test_file_without_upstream_and_without_mirror_says_how_to_get_it(tmp_mirror, monkeypatch):
    _, _, entry = tmp_mirror
    monkeypatch.delenv("TRUSTKIT_DATA_MIRROR")
    with pytest.raises(FileNotFoundError, match="TRUSTKIT_DATA_MIRROR"):
        fetch_file(entry)


def test_every_entry_is_pinned_licensed_and_citable():
    for dataset in REGISTRY.values():
        assert dataset.license and dataset.description
        assert re.match(r"@\w+\{[\w-]+,", dataset.citation), dataset.name
        for file in dataset.files:
            assert re.fullmatch(r"[0-9a-f]{64}", file.sha256)
            if file.url is not None:  # a raw file at a 40-hex commit, never a moving branch
                assert re.match(r"https://raw\.githubusercontent\.com/[^/]+/[^/]+/[0-9a-f]{40}/", file.url), (
                    file.url
                )
    assert REGISTRY["acl_anthology"].files[0].url is None  # derived extraction: no upstream copy
    assert len(REGISTRY["winobias"].files) == 10


def test_real_dataset_fetch_verifies_and_refetches_a_corrupted_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path))
    path = fetch("crows_pairs")
    expected = get_dataset("crows_pairs").files[0].sha256
    assert sha256_file(path) == expected
    with path.open("r+b") as handle:  # flip one byte in place
        handle.seek(100)
        byte = handle.read(1)
        handle.seek(100)
        handle.write(bytes([byte[0] ^ 1]))
    with pytest.warns(UserWarning, match=expected):
        assert sha256_file(fetch("crows_pairs")) == expected


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="crows_pairs"):
        fetch("crows_pair")
    with pytest.raises(KeyError, match="male_occupations.txt"):
        fetch("winobias", "nope.txt")


@pytest.fixture
def local_server(tmp_path):
    """A loopback HTTP server standing in for the upstream host (tests never leave the machine)."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    root = tmp_path / "upstream"
    root.mkdir()
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_download_without_mirror_is_verified(local_server, tmp_path, monkeypatch):
    root, base = local_server
    (root / "pairs.csv").write_bytes(CONTENT)
    monkeypatch.delenv("TRUSTKIT_DATA_MIRROR", raising=False)
    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path / "cache"))
    good = DataFile("demo", "pairs.csv", hashlib.sha256(CONTENT).hexdigest(), f"{base}/pairs.csv")
    assert fetch_file(good).read_bytes() == CONTENT
    bad = DataFile("demo2", "pairs.csv", "0" * 64, f"{base}/pairs.csv")
    with pytest.raises(DataIntegrityError, match="0{64}") as info:
        fetch_file(bad)
    assert good.sha256 in str(info.value) and "demo2/pairs.csv" in str(info.value)
    assert not (tmp_path / "cache" / "data" / "demo2" / "pairs.csv").exists()
