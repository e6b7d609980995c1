"""The one deprecation helper: a warning that users see, naming the replacement; behaviour unchanged."""

import warnings

import pytest

from trustkit.deprecation import deprecated


def test_a_deprecated_function_warns_at_the_caller_and_still_works():
    @deprecated(since="0.2", removal="0.3", use="trustkit.new_total")
    def old_total(values, *, start=0):
        """Sum of the values."""
        return start + sum(values)

    with pytest.warns(
        FutureWarning, match=r"old_total is deprecated since trustkit 0\.2 and goes in 0\.3"
    ) as seen:
        assert old_total([1, 2], start=3) == 6
    assert "use trustkit.new_total instead" in str(seen[0].message)
    assert seen[0].filename == __file__, "the warning points at the caller's line"
    assert old_total.__name__ == "old_total" and ".. deprecated:: 0.2" in old_total.__doc__


def test_a_deprecated_class_warns_when_made_and_stays_the_same_class():
    @deprecated(since="0.2", removal="0.3")
    class Old:
        """An old thing."""

        def __init__(self, x):
            self.x = x

    with pytest.warns(FutureWarning, match="Old is deprecated") as seen:
        old = Old(4)
    assert isinstance(old, Old) and old.x == 4 and seen[0].filename == __file__
    assert "instead" not in str(seen[0].message)


def test_an_undecorated_call_does_not_warn():
    def total(values):
        return sum(values)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert deprecated(since="0.2", removal="0.3")(total) is not total
        assert total([1]) == 1
