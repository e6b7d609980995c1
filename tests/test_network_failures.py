"""A data download that cannot reach its host ends in one line: what was tried, how to work offline."""

import hashlib
import socket

import pytest

from trustkit.data import DataFile
from trustkit.data.fetching import fetch_file


def _closed_port() -> int:
    with socket.socket() as sock:  # bound then released: nothing listens there
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_upstream_says_what_was_tried_and_how_to_work_offline(tmp_path, monkeypatch):
    monkeypatch.delenv("TRUSTKIT_DATA_MIRROR", raising=False)
    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path / "cache"))
    url = f"http://127.0.0.1:{_closed_port()}/pairs.csv"
    entry = DataFile("demo", "pairs.csv", hashlib.sha256(b"x").hexdigest(), url)
    with pytest.raises(FileNotFoundError) as info:
        fetch_file(entry)
    message = str(info.value)
    assert "\n" not in message and f"demo/pairs.csv: could not download {url} (ConnectionError: " in message
    assert "TRUSTKIT_DATA_MIRROR" in message and "$TRUSTKIT_CACHE/data" in message
    assert not (tmp_path / "cache" / "data" / "demo" / "pairs.csv").exists()
