"""The main entry points from the top-level package: the real objects, imported only when used."""

import inspect
import subprocess
import sys

import pytest

import trustkit


@pytest.mark.parametrize("name", sorted(trustkit._ENTRY_POINTS))
def test_entry_point_is_the_real_object_with_its_signature(name):
    import importlib

    real = getattr(importlib.import_module(trustkit._ENTRY_POINTS[name]), name)
    assert getattr(trustkit, name) is real
    assert inspect.signature(getattr(trustkit, name)) == inspect.signature(real)
    assert name in dir(trustkit) and name in trustkit.__all__


def test_importing_trustkit_stays_light():
    code = (
        "import sys, trustkit; heavy = [m for m in ('torch', 'pandas', 'matplotlib', 'transformers') "
        "if m in sys.modules]; print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        trustkit.nope  # noqa: B018


def test_every_entry_point_reaches_a_scorer_through_load_scorer():
    from trustkit.models import random_control

    scorer = trustkit.load_scorer(
        random_control("bert", "tiny"), random_control=True, cache=False, progress=False
    )
    assert trustkit.load_scorer(scorer) is scorer  # build_report and the study take a scorer as well
    with pytest.raises(TypeError):
        trustkit.load_scorer("bert-tiny", "cpu")  # options are keyword-only
