"""The notebooks are committed clean and stay in step with the profiles.

Clean: no outputs, one ``parameters`` cell (the first code cell) whose defaults are the ``lab``
profile; every notebook is in the profile registry; cells call trustkit instead of defining functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import papermill
import pytest

from trustkit import profiles, reproduce

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _parameters_cell(nb):
    return [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]


def test_every_notebook_is_registered_in_run_order():
    assert [p.stem for p in PATHS] == list(profiles.notebook_names())


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(_code(nb)) if c.outputs or c.execution_count is not None]
    assert not dirty, f"{path.name}: code cells {dirty} carry outputs; clear them before committing"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_one_parameters_cell_first_with_lab_defaults(path):
    nb = nbformat.read(path, as_version=4)
    tagged = _parameters_cell(nb)
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters', want exactly one"
    assert _code(nb)[0] is tagged[0], "the parameters cell must be the first code cell"
    defaults = {}
    for node in ast.parse(tagged[0].source).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, (
            "parameters cell: plain assignments only"
        )
        defaults[node.targets[0].id] = ast.literal_eval(node.value)
    seen_by_papermill = papermill.inspect_notebook(str(path))
    assert set(seen_by_papermill) == set(defaults), (
        "papermill must parse every parameter (no '=' in comments)"
    )
    # The run's own parameter, not the profile's: `trustkit reproduce` fills it with a RunContext.
    assert defaults.pop(reproduce.CONTEXT_PARAMETER, "missing") is None, "declare run_context = None"
    assert defaults == profiles.lab_defaults(path.stem)
    for profile in profiles.PROFILE_NAMES:
        extra = set(profiles.profile_parameters(profile, path.stem)) - set(defaults)
        assert not extra, f"profile {profile} sets {extra}, which {path.name} does not declare"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_cells_call_trustkit_and_use_tqdm_auto(path):
    nb = nbformat.read(path, as_version=4)
    source = "\n".join(c.source for c in _code(nb))
    tree = ast.parse(source)
    defined = [n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    assert not defined, f"{path.name} defines {defined}: that code belongs in trustkit"
    assert "trustkit" in source
    assert "from tqdm import" not in source and "import tqdm\n" not in source, "use tqdm.auto"
    assert "save_figure(" in source, "figures are saved with trustkit.provenance.save_figure"
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_every_expected_figure_is_saved_by_name(path):
    source = path.read_text()
    saves_by_pattern = f'f\\"{path.stem}_{{name}}.png\\"' in source  # a loop over a result's figures
    for figure in profiles.expected_figures(path.stem):
        assert figure in source or saves_by_pattern, f"{path.name} never saves {figure}"


def test_landscape_parameters_match_the_landscape_profiles():
    from trustkit.landscape import landscape_params

    for profile in profiles.PROFILE_NAMES:
        ours = profiles.profile_parameters(profile, "05_landscape")
        theirs = landscape_params(profile)
        for name, value in ours.items():
            if hasattr(theirs, name) and name != "seed":
                expected = getattr(theirs, name)
                assert (list(expected) if isinstance(expected, tuple) else expected) == value, (profile, name)
