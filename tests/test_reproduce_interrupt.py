"""Ctrl-C during ``trustkit reproduce``: the manifest keeps every record whose figure is still on disk.

A full smoke run is copied, then rerun with other parameters in a subprocess; a ``sitecustomize``
on the kernel's path stops notebook 02 right after its first figure and writes a marker, and the
test sends SIGINT once the marker is there (no sleep decides anything).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

from trustkit import profiles, reproduce
from trustkit.fileio import sha256_file

HOOK = """
import os, time
from pathlib import Path

if os.environ.get("TRUSTKIT_TEST_STOP_NOTEBOOK"):
    import trustkit.provenance as provenance

    original = provenance.save_figure

    def save_figure(fig, name, context, **options):
        original(fig, name, context, **options)
        if getattr(context, "notebook", None) == os.environ["TRUSTKIT_TEST_STOP_NOTEBOOK"]:
            Path(os.environ["TRUSTKIT_TEST_MARKER"]).write_text(name)
            deadline = time.monotonic() + 120  # never outlive the test
            while time.monotonic() < deadline:
                time.sleep(0.05)

    provenance.save_figure = save_figure
"""


def test_ctrl_c_keeps_every_record_whose_figure_is_on_disk_and_removes_partial_figures(smoke_run, tmp_path):
    source, _ = smoke_run
    root = tmp_path / "checkout"
    root.mkdir()
    (root / "notebooks").symlink_to((source / "notebooks").resolve(), target_is_directory=True)
    shutil.copytree(source / "figures", root / "figures")
    figures = root / "figures" / "smoke"
    before = json.loads((figures / "MANIFEST.json").read_text())["figures"]
    every = {f for nb in profiles.notebook_names() for f in profiles.expected_figures(nb)}
    assert set(before) == every and reproduce.verify_manifest(figures) == []

    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(HOOK)
    marker = tmp_path / "stopped"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(hooks), os.environ.get("PYTHONPATH", "")]),
        "TRUSTKIT_TEST_STOP_NOTEBOOK": "02_scoring",
        "TRUSTKIT_TEST_MARKER": str(marker),
    }
    command = [sys.executable, "-m", "trustkit", "reproduce", "--profile", "smoke", "--root", str(root)]
    process = subprocess.Popen(
        [*command, "--max-pairs", "3", "--no-progress"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 600
        while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.exists(), process.communicate(timeout=60)
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
        out, err = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    partial = marker.read_text()
    assert process.returncode == 130, (out, err)
    # the kernel and papermill, in the same process group, print their own shutdown noise, before or
    # after this line depending on which process writes first: the line must be there, in one piece
    assert "interrupted; finished work is kept in the cache" in err.strip().splitlines(), err
    assert f"02_scoring did not finish: removed its 1 partial figure(s) ({partial})" in out

    after = json.loads((figures / "MANIFEST.json").read_text())["figures"]
    assert not (figures / partial).exists() and partial not in after
    assert set(after) == set(before) - {partial}
    assert all(after[k] == before[k] for k in after if not k.startswith("01_"))  # untouched, still true
    assert reproduce.verify_manifest(figures) == []
    assert all(sha256_file(figures / k) == v["sha256"] for k, v in after.items())
