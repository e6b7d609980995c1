"""The docstring examples of trustkit.metrics, trustkit.stats and trustkit.plots run and give what they show."""

import doctest
import importlib
import pkgutil

import matplotlib
import pytest

matplotlib.use("Agg")

PACKAGES = ("trustkit.metrics", "trustkit.stats", "trustkit.plots")
MODULES = [
    f"{pkg}.{info.name}" for pkg in PACKAGES for info in pkgutil.iter_modules(importlib.import_module(pkg).__path__)
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
