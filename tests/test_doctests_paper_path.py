"""The docstring examples of the hub, preflight, profile, manifest and sampling modules run and give what they show."""

import doctest
import importlib

import pytest

MODULES = ("trustkit.models.hub", "trustkit.models.pickle_conversion", "trustkit.models.preflight", "trustkit.profiles",
           "trustkit.manifest", "trustkit.paraphrase.sampling", "trustkit.study")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
