"""Shared pytest setup: tests never reach a model hub and run with few threads."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory):
    """Every notebook executed once under the smoke profile, as ``trustkit reproduce`` runs them.

    Returns ``(root, manifest)``: executed notebooks are under ``root/build/smoke/``.
    """
    from pathlib import Path

    from trustkit import reproduce

    root = tmp_path_factory.mktemp("smoke_checkout")
    (root / "notebooks").symlink_to(Path(__file__).resolve().parents[1] / "notebooks", target_is_directory=True)
    manifest = reproduce.reproduce("smoke", root=root, progress=False, log=lambda *_: None)
    return root, manifest
