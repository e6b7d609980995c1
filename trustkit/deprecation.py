"""The one way to deprecate a public function or class, for use once trustkit has had a release.

Before a first release, a renamed or moved name is simply renamed (CHANGELOG lists it); after one,
the old name stays for one release behind :func:`deprecated`, which warns on each use.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import TypeVar

__all__ = ["deprecated"]

T = TypeVar("T", bound=Callable)


def deprecated(*, since: str, removal: str, use: str | None = None) -> Callable[[T], T]:
    """Mark a function or class as deprecated: each call (or instantiation) warns once per call site.

    The warning is a :class:`FutureWarning`, which Python shows to users by default (its
    deprecation category is hidden outside ``__main__``, so notebook users would not see it); the
    docstring gains a ``.. deprecated::`` note.

    Parameters
    ----------
    since : the release that deprecates it, e.g. ``"0.2"``.
    removal : the release that removes it, e.g. ``"0.3"``.
    use : what to use instead, e.g. ``"trustkit.provenance.save_figure"``.

    Returns
    -------
    A decorator returning the same function (wrapped) or the same class (its ``__init__`` wrapped).

    Example
    -------
    >>> import warnings
    >>> @deprecated(since="0.2", removal="0.3", use="new_total")
    ... def old_total(values):
    ...     '''Sum of the values.'''
    ...     return sum(values)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     old_total([1, 2])
    3
    >>> print(caught[0].category.__name__, caught[0].message)
    FutureWarning old_total is deprecated since trustkit 0.2 and goes in 0.3; use new_total instead
    """

    def decorate(obj: T) -> T:
        name = getattr(obj, "__qualname__", getattr(obj, "__name__", repr(obj)))
        message = f"{name} is deprecated since trustkit {since} and goes in {removal}"
        if use:
            message += f"; use {use} instead"
        note = f"\n\n.. deprecated:: {since}\n   {message}.\n"
        if isinstance(obj, type):
            init = obj.__init__

            @functools.wraps(init)
            def __init__(self, *args, **kwargs):
                warnings.warn(message, FutureWarning, stacklevel=2)
                init(self, *args, **kwargs)

            obj.__init__ = __init__  # type: ignore[misc]
            obj.__doc__ = (obj.__doc__ or "") + note
            return obj

        @functools.wraps(obj)
        def wrapper(*args, **kwargs):
            warnings.warn(message, FutureWarning, stacklevel=2)
            return obj(*args, **kwargs)

        wrapper.__doc__ = (obj.__doc__ or "") + note
        return wrapper  # type: ignore[return-value]

    return decorate
