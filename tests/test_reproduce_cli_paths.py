"""``trustkit reproduce``: which checkout it runs, where it writes, and its one-line failures.

Fast: no notebook of the study runs. papermill is replaced where a test is about the message around
a failure, and one tiny notebook runs where the test is about papermill's own error.
"""

from __future__ import annotations

import errno
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from papermill import PapermillExecutionError

from trustkit import profiles, reproduce
from trustkit.cli import main
from trustkit.errors import InputError, RunError

REPO = Path(__file__).resolve().parents[1]


def _checkout(folder: Path) -> Path:
    """A checkout of the study elsewhere: its notebooks/ links to this one's."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notebooks").symlink_to(REPO / "notebooks", target_is_directory=True)
    return folder


@pytest.fixture
def no_kernel_check(monkeypatch):
    """The kernel check is tested with the smoke run; these tests are about paths and messages."""
    monkeypatch.setattr(reproduce, "_check_kernel", lambda: None)


@pytest.fixture
def no_papermill(monkeypatch):
    """Fail the test if a notebook would run."""
    import papermill

    def refuse(*args, **kwargs):
        raise AssertionError("a notebook ran although the output folder is not writable")

    monkeypatch.setattr(papermill, "execute_notebook", refuse)


# --------------------------------------------------------------------------------------------------
# Which checkout


def test_the_current_directory_is_the_checkout_when_it_is_one(tmp_path):
    other = _checkout(tmp_path / "other")
    assert reproduce.repo_root(other) == other.resolve()
    assert reproduce.is_checkout(other)


def test_a_folder_with_other_notebooks_is_not_a_checkout_and_the_package_one_is_used(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "analysis.ipynb").write_text("{}")
    assert not reproduce.is_checkout(tmp_path)
    assert reproduce.repo_root(tmp_path) == REPO


def test_no_checkout_anywhere_is_one_line_that_says_root(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(reproduce, "__file__", str(tmp_path / "site-packages" / "trustkit" / "reproduce.py"))
    with pytest.raises(InputError, match="--root DIR") as caught:
        reproduce.repo_root(tmp_path)
    assert str(tmp_path) in str(caught.value) and "\n" not in str(caught.value)
    monkeypatch.chdir(tmp_path)
    assert main(["reproduce", "--profile", "smoke"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--root DIR" in err and "Traceback" not in err


def test_run_from_another_checkout_writes_there_and_prints_absolute_paths(
    tmp_path, monkeypatch, capsys, no_kernel_check
):
    other = _checkout(tmp_path / "other")
    calls = []

    def fake_run(notebook, profile, root, figures_dir, build_dir, **options):
        calls.append((root, figures_dir, build_dir))
        return {}

    monkeypatch.setattr(reproduce, "run_notebook", fake_run)
    monkeypatch.chdir(other)
    assert main(["reproduce", "--profile", "smoke", "--notebooks", "01_data"]) == 0
    out = capsys.readouterr().out
    resolved = other.resolve()
    assert calls == [(resolved, resolved / "figures" / "smoke", resolved / "build" / "smoke")]
    assert (
        f"{resolved / 'notebooks' / '01_data'}.ipynb -> {resolved / 'build' / 'smoke' / '01_data'}.ipynb"
        in out
    )
    assert str(resolved / "figures" / "smoke" / "MANIFEST.json") in out
    assert (resolved / "figures" / "smoke" / "MANIFEST.json").is_file()


def test_a_root_that_is_no_checkout_gets_the_outputs_and_the_checkout_gives_the_notebooks(
    tmp_path, monkeypatch, no_kernel_check
):
    """The read-only lab: --root names a writable folder, the notebooks come from the checkout."""
    out = tmp_path / "out"
    calls = []
    monkeypatch.setattr(reproduce, "run_notebook", lambda *args, **kw: calls.append(args[2:5]) or {})
    reproduce.reproduce("smoke", root=out, notebooks=["01_data"], log=lambda *_: None)
    assert calls == [(REPO, out / "figures" / "smoke", out / "build" / "smoke")]


# --------------------------------------------------------------------------------------------------
# A checkout that cannot be written


def test_an_output_folder_under_a_file_is_one_line_naming_it(tmp_path, capsys, no_kernel_check, no_papermill):
    """Simulated with a path under a file (NotADirectoryError): chmod does not stop root from writing."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    assert main(["reproduce", "--profile", "smoke", "--root", str(blocker / "lab")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"cannot write to {blocker / 'lab' / 'figures' / 'smoke'}" in err and "--root DIR" in err
    assert "build/smoke/" not in err and "Traceback" not in err


def test_a_read_only_checkout_is_one_line_naming_the_folder_and_root(
    tmp_path, monkeypatch, capsys, no_kernel_check, no_papermill
):
    """Simulated by making the write probe raise OSError(EROFS), as a read-only mount does."""
    other = _checkout(tmp_path / "lab_image")

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(reproduce.tempfile, "TemporaryFile", read_only)
    monkeypatch.chdir(other)
    assert main(["reproduce", "--profile", "smoke"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert f"cannot write to {other.resolve() / 'figures' / 'smoke'} (Read-only file system)" in err
    assert "--root DIR" in err and "OSError" not in err


# --------------------------------------------------------------------------------------------------
# --max-pairs


@pytest.mark.parametrize("value", ["0", "-1", "2.5", "many"])
def test_max_pairs_must_be_a_positive_whole_number(value, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["reproduce", "--profile", "smoke", "--list", "--max-pairs", value])
    assert caught.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith(f"argument --max-pairs: must be a positive whole number of pairs, got {value!r}")


def test_max_pairs_of_one_is_accepted(capsys):
    assert main(["reproduce", "--profile", "smoke", "--list", "--max-pairs", "1"]) == 0


# --------------------------------------------------------------------------------------------------
# A notebook that fails


def _failing(monkeypatch):
    import papermill

    def fail(source, output, **kwargs):
        Path(output).write_text("{}")  # papermill writes the executed notebook before it raises
        raise PapermillExecutionError(
            4, 3, "1 / 0", "ZeroDivisionError", "division by zero", ["Traceback ..."]
        )

    monkeypatch.setattr(papermill, "execute_notebook", fail)


def test_a_failed_notebook_is_one_line_with_its_cell_and_executed_copy(
    tmp_path, monkeypatch, capsys, no_kernel_check
):
    _failing(monkeypatch)
    out = tmp_path / "out"
    assert main(["reproduce", "--profile", "smoke", "--root", str(out), "--notebooks", "01_data"]) == 1
    err = capsys.readouterr().err.strip()
    executed = out.resolve() / "build" / "smoke" / "01_data.ipynb"
    assert err.splitlines()[-1] == (
        "trustkit reproduce: error: notebook 01_data failed in cell 5 (In [3]): ZeroDivisionError: "
        f"division by zero; the traceback is in the executed notebook {executed}; run with --debug "
        "for the traceback"
    )
    assert "Traceback" not in err and executed.is_file()


def test_debug_shows_the_notebook_traceback(tmp_path, monkeypatch, no_kernel_check):
    _failing(monkeypatch)
    with pytest.raises(RunError, match="notebook 01_data failed in cell 5") as caught:
        main(
            ["--debug", "reproduce", "--profile", "smoke", "--root", str(tmp_path), "--notebooks", "01_data"]
        )
    assert isinstance(caught.value.__cause__, PapermillExecutionError)


def test_papermill_reports_the_failing_cell_of_a_real_notebook(tmp_path, monkeypatch):
    """One tiny notebook runs, so the attributes read from papermill's error are its real ones."""
    monkeypatch.setattr(profiles, "NOTEBOOK_FIGURES", {"00_fail": ()})
    params = new_code_cell('profile = "lab"\nfigures_dir = "figures"\nrun_context = None')
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, new_code_cell("x = 1"), new_code_cell("1 / 0")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nb, tmp_path / "notebooks" / "00_fail.ipynb")
    figures, build = reproduce.output_folders(tmp_path, "smoke")
    with pytest.raises(RunError) as caught:
        reproduce.run_notebook(
            "00_fail", "smoke", tmp_path, figures, build, progress=False, params={"profile": "lab"}
        )
    message = str(caught.value)
    executed = build.resolve() / "00_fail.ipynb"
    # papermill inserts the injected-parameters cell after the tagged one: "1 / 0" is the fourth cell
    assert message.startswith(
        "notebook 00_fail failed in cell 4 (In [4]): ZeroDivisionError: division by zero"
    )
    assert str(executed) in message and executed.is_file() and "\n" not in message
