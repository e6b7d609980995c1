"""What a reader sees in an executed notebook (smoke profile, run by papermill as ``trustkit reproduce`` does).

Every cell that saves a figure must also display it (an ``image/png`` output: the inline backend
shows only figures made while matplotlib is interactive, which a style context must not turn off),
and no cell may show an error, a warning or other stderr text, nor echo a ``PosixPath``.
"""

from __future__ import annotations

import nbformat
import pytest

from trustkit import profiles

NOTEBOOKS = list(profiles.notebook_names())


def _executed(smoke_run, notebook):
    root, _ = smoke_run
    return nbformat.read(root / "build" / "smoke" / f"{notebook}.ipynb", as_version=4)


def _images(cell) -> int:
    return sum("image/png" in out.get("data", {}) for out in cell.get("outputs", []))


def _text(out) -> str:
    return out.get("text", "") or out.get("data", {}).get("text/plain", "")


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_figure_cell_displays_its_figure(smoke_run, notebook):
    cells = [(i, c) for i, c in enumerate(_executed(smoke_run, notebook).cells) if c.cell_type == "code"]
    saving = [(i, c) for i, c in cells if "save_figure(" in c.source]
    assert saving, f"{notebook} has no cell that saves a figure"
    blank = [i for i, c in saving if _images(c) == 0]
    assert not blank, f"{notebook}: cells {blank} save a figure but display none"
    shown = sum(_images(c) for _, c in cells)
    expected = len(profiles.expected_figures(notebook))
    assert shown >= expected, f"{notebook} saves {expected} figures but displays {shown}"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_no_cell_shows_an_error_a_warning_or_a_path(smoke_run, notebook):
    problems = []
    for i, cell in enumerate(_executed(smoke_run, notebook).cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append(f"cell {i}: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                problems.append(f"cell {i}: stderr: {out.text.strip()[:300]}")
            elif "PosixPath(" in _text(out) or "Warning" in _text(out):
                problems.append(f"cell {i}: shows {_text(out).strip()[:200]}")
    assert not problems, f"{notebook}:\n" + "\n".join(problems)
