"""The ``trustkit`` command line: one sub-command per module in this package.

Each module ``trustkit/cli/<name>.py`` defines ``register(subparsers)``, which adds its parser and
sets ``func`` (called with the parsed arguments, returning an exit code); a module whose name
starts with ``_`` is a helper the sub-commands share.

:func:`main` is the one error boundary. An expected failure (a
:class:`~trustkit.errors.TrustkitError`: bad input, a model or data file that is missing or does
not load, the score cache; or the operating system's I/O, memory and corrupt-binary errors) is
printed as one line saying what went wrong and what to do, with exit code 1 (2 for a usage error);
``trustkit --debug ...`` shows the traceback instead. Anything else is a bug in trustkit: it is
printed with its traceback and a line saying so and where to report it, so that a bug never
passes for a user error. Warnings print as one ``trustkit: warning: ...`` line each.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sqlite3
import struct
import sys
import traceback
import warnings

from trustkit.errors import TrustkitError

# Failures trustkit expects besides its own errors: the system's I/O, memory and truncated binary files.
EXPECTED_ERRORS = (TrustkitError, OSError, MemoryError, struct.error, sqlite3.Error)
BUG_REPORT = (
    "this is a bug in trustkit, not a problem with your input: please report it in the trustkit issue "
    "tracker with the command you ran and the traceback above"
)


def build_parser() -> argparse.ArgumentParser:
    """The ``trustkit`` parser, with the sub-command of every module in this package."""
    parser = argparse.ArgumentParser(
        prog="trustkit",
        description="Bias measures of language models under paraphrase, reproducibly.",
    )
    parser.add_argument("--debug", action="store_true", help="show the full traceback of a failure")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):  # a helper of several sub-commands, not one itself
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``trustkit`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    if args.debug:
        return int(args.func(args) or 0)
    shown = warnings.showwarning
    warnings.showwarning = _one_line_warning
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted; finished work is kept in the cache", file=sys.stderr)
        return 130
    except Exception as err:
        if is_expected(err):  # the boundary: one line, no traceback (--debug shows it)
            print(f"trustkit {args.command}: error: {describe_failure(err)}", file=sys.stderr)
        else:  # a bug: its traceback, and a line that says so
            traceback.print_exc()
            print(f"trustkit {args.command}: {BUG_REPORT}", file=sys.stderr)
        return 1
    finally:
        warnings.showwarning = shown


def is_expected(err: BaseException) -> bool:
    """Whether a failure is an expected one (printed in one line) rather than a bug.

    torch's ``OutOfMemoryError`` (a RuntimeError) is recognised by name, so that the command line
    does not import torch to tell it.

    >>> is_expected(OSError("disk full")), is_expected(KeyError("oops"))
    (True, False)
    """
    return isinstance(err, EXPECTED_ERRORS) or type(err).__name__ == "OutOfMemoryError"


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"trustkit: warning: {message}", file=sys.stderr)


def describe_failure(err: BaseException) -> str:
    """One line for a failure: what went wrong and what to do (the CLI's error boundary).

    Example
    -------
    >>> print(describe_failure(struct.error("unpack requires a buffer of 8 bytes")))  # doctest: +NORMALIZE_WHITESPACE
    a binary file ended early or is corrupt (unpack requires a buffer of 8 bytes): re-download or
    re-convert it; run with --debug for the traceback
    """
    text = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
    text = " ".join(str(text).split())[:500] or type(err).__name__
    if isinstance(err, struct.error):
        what = f"a binary file ended early or is corrupt ({text}): re-download or re-convert it"
    elif isinstance(err, sqlite3.Error):
        what = f"the score cache failed ({text}): delete it or run with --no-cache"
    elif isinstance(err, MemoryError) or type(err).__name__ == "OutOfMemoryError":
        what = "out of memory: lower --batch-tokens or score fewer pairs (--limit)"
    elif isinstance(err, OSError):
        what = f"{text}: check that the path exists, is readable/writable and the disk is not full"
    elif isinstance(err, TrustkitError):
        what = text
    else:
        what = f"{text} ({type(err).__name__})"
    return f"{what}; run with --debug for the traceback"


if __name__ == "__main__":
    sys.exit(main())
