"""Data-parallel scoring on torch.distributed: shard the items by token count, gather the results.

Inside an initialised process group (``torchrun --nproc-per-node N ...``, or
``torch.distributed.init_process_group`` in Python), every rank holds the whole input; each
scores the share :func:`shard_by_cost` gives it, and :func:`all_gather_results` brings every
rank's results (and any rank's failure) to every rank, so all return the same table.
"""

from __future__ import annotations

import contextlib
import datetime
import heapq
import os
from collections.abc import Sequence

import torch

from trustkit.errors import RunError, TrustkitError


class RankFailure(TrustkitError, RuntimeError):
    """Another rank of the process group failed while scoring; the message names it and why."""

    gathered = True  # every rank knows of the failure: rank 0 alone reports it


def world() -> tuple[int, int]:
    """(rank, world size) of the initialised default process group, else (0, 1).

    Example
    -------
    >>> world()
    (0, 1)
    """
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def launched_world_size() -> int:
    """The world size torchrun (or another launcher) set in ``WORLD_SIZE``; 1 when unset."""
    try:
        return int(os.environ.get("WORLD_SIZE", "1"))
    except ValueError:
        return 1


def shard_by_cost(costs: Sequence[int], ranks: int) -> list[list[int]]:
    """Split item indices over ``ranks`` so that each gets about the same total cost.

    Longest-processing-time greedy: items by decreasing cost (ties by index), each to the rank
    with the least cost so far (ties to the lowest rank). Deterministic, so every rank computes
    the same shards without talking. Each shard is returned in increasing index order.

    Example
    -------
    >>> shard_by_cost([9, 1, 1, 5, 4], 2)
    [[0, 1], [2, 3, 4]]
    """
    heap = [(0, r) for r in range(ranks)]
    shards: list[list[int]] = [[] for _ in range(ranks)]
    for i in sorted(range(len(costs)), key=lambda i: (-costs[i], i)):
        load, r = heapq.heappop(heap)
        shards[r].append(i)
        heapq.heappush(heap, (load + int(costs[i]), r))
    return [sorted(s) for s in shards]


def _raise_if_any_failed(messages: list, error: BaseException | None, stage: str) -> None:
    """After a collective that exchanged each rank's failure message (None: no failure)."""
    failed = [(r, m) for r, m in enumerate(messages) if m is not None]
    if not failed:
        return
    if error is not None:
        error.gathered = True  # type: ignore[attr-defined]  # marks any exception as known to all ranks
        raise error
    r, m = failed[0]
    raise RankFailure(f"rank {r} of {len(messages)} failed {stage}: {m}")


def _message(error: BaseException | None) -> str | None:
    return None if error is None else f"{type(error).__name__}: {error}"


def check_every_rank(error: BaseException | None, stage: str = "before scoring") -> None:
    """A collective: raise on every rank if any rank met an error; a no-op outside a group.

    Every rank must call it, with its own error or None. The failing rank re-raises its own
    error and the others raise :class:`RankFailure` naming it, both with ``gathered = True``, so
    that a failure every rank meets (a missing file) is printed once, by rank 0.

    Example
    -------
    >>> check_every_rank(None)  # one process: nothing to exchange
    """
    _, size = world()
    if size == 1:
        if error is not None:
            raise error
        return
    messages: list = [None] * size
    torch.distributed.all_gather_object(messages, _message(error))
    _raise_if_any_failed(messages, error, stage)


def all_gather_results(local: dict, stats: dict, error: BaseException | None) -> tuple[dict, dict]:
    """Exchange every rank's ``{item index: result}`` and stats; raise on every rank if one failed.

    The failing rank re-raises its own error; the others raise :class:`RankFailure` naming it.
    Both carry ``gathered = True`` so that a command line can let rank 0 alone report it.
    """
    _, size = world()
    gathered: list = [None] * size
    torch.distributed.all_gather_object(gathered, (_message(error), None if error else local, stats))
    _raise_if_any_failed([m for m, _, _ in gathered], error, "while scoring")
    merged: dict = {}
    totals = dict.fromkeys(stats, 0)
    for _, values, rank_stats in gathered:
        merged.update(values)
        for key, value in rank_stats.items():
            totals[key] = totals.get(key, 0) + value
    return merged, totals


def rank_device(device: str | None, local_rank: int) -> str | None:
    """The device of one rank: ``cuda``/``auto`` mean ``cuda:LOCAL_RANK`` (when CUDA is there).

    Example
    -------
    >>> rank_device("cpu", 1), rank_device(None, 1)
    ('cpu', None)
    """
    if device in ("cuda", "auto") and torch.cuda.is_available():
        return f"cuda:{local_rank}"
    return device


@contextlib.contextmanager
def joined_process_group(device: str | None):
    """Join the process group a launcher (torchrun) describes in the environment, for the block.

    Yields ``(rank, world size, this rank's device)``. Without a launcher (``WORLD_SIZE`` unset
    or 1), or with a group the caller already initialised, nothing is joined or torn down.
    The backend is NCCL when this rank runs on CUDA, else gloo. Multi-node runs are the same
    with torchrun's rendezvous (``--nnodes``, ``--rdzv-endpoint``).
    """
    dist = torch.distributed
    size = launched_world_size()
    joined = False
    if size > 1 and not (dist.is_available() and dist.is_initialized()):
        if not dist.is_available():
            raise RunError("WORLD_SIZE > 1 but this torch build has no torch.distributed")
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        device = rank_device(device, local_rank)
        cuda = str(device or "").startswith("cuda")
        if cuda:
            torch.cuda.set_device(torch.device(str(device)))
        # ranks wait for the slowest at the one collective: allow long runs before a timeout
        dist.init_process_group("nccl" if cuda else "gloo", timeout=datetime.timedelta(hours=12))
        joined = True
    rank, size = world()
    try:
        yield rank, size, device
    finally:
        if joined:
            dist.destroy_process_group()
