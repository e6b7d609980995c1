"""Shared pytest setup: tests never reach a model hub and run with few threads."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest


@pytest.fixture(scope="session")
def hub_home(tmp_path_factory):
    """An ``HF_HOME`` holding tiny replicas of the paper's four hub repositories (tests/hub_replicas.py)."""
    from hub_replicas import build_hub

    home = tmp_path_factory.mktemp("hf_home")
    return home, build_hub(home)


@pytest.fixture
def hub(hub_home, monkeypatch):
    """Point the Hugging Face cache at the replicas, offline; yields ``{repo id: snapshot directory}``."""
    home, snapshots = hub_home
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return snapshots


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory):
    """Every notebook executed once under the smoke profile, as ``trustkit reproduce`` runs them.

    Returns ``(root, manifest)``: executed notebooks are under ``root/build/smoke/``.
    """
    from pathlib import Path

    from trustkit import reproduce

    root = tmp_path_factory.mktemp("smoke_checkout")
    (root / "notebooks").symlink_to(
        Path(__file__).resolve().parents[1] / "notebooks", target_is_directory=True
    )
    manifest = reproduce.reproduce("smoke", root=root, progress=False, log=lambda *_: None)
    return root, manifest
