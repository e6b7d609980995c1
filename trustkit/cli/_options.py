"""Checks of options that several sub-commands share, made before anything slow loads.

A helper module of the CLI, not a sub-command (its name starts with ``_``).
"""

from __future__ import annotations


def device_problem(device: str | None) -> str | None:
    """Why ``--device`` names no device torch can use here, or None (checked before a model loads).

    >>> device_problem("tpu:7")
    "--device: unknown device 'tpu:7'; use cpu, cuda, cuda:N, mps or auto"
    """
    from trustkit.models import parse_device

    try:
        parse_device(device)
    except ValueError as err:
        return f"--device: {err}"
    return None


def lms_examples(value: str) -> int:
    """``--stereoset-lms``: a positive number of examples, or ``all`` (0).

    >>> lms_examples("all"), lms_examples("300")
    (0, 300)
    """
    import argparse

    if value == "all":
        return 0
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"give a positive number of examples or 'all', not {value!r}")
    return int(value)
