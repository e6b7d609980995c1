"""The one error for a name that is not registered (a dataset, model bundle, profile, notebook, architecture).

:class:`UnknownNameError` is both a ValueError and a KeyError, so callers that caught either keep
working, and it carries the closest registered name as a "did you mean" suggestion.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["UnknownNameError", "closest_name", "did_you_mean"]


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


class UnknownNameError(ValueError, KeyError):
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
