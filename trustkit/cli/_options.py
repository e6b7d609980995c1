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
