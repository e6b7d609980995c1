"""Batches made ahead: host → device staging, and a background thread that assembles batch n+1.

:class:`Transfer` moves a batch's numpy inputs to the device (on CUDA through two pinned staging
buffers per input, copies non-blocking). :class:`BatchFeed` hands out the assembled batches in
order; with ``background=True`` one worker thread assembles (gathers, pads, stages, copies) the
next ``depth`` batches while the caller runs the model on this one, so the main thread only
launches kernels. The batches and their order are the same either way, so the results are
bit-equal; an error in the worker is raised, with its own message, where its batch is asked for.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

__all__ = ["BatchFeed", "Transfer"]


class Transfer:
    """Host → device: on CUDA through two pinned staging buffers per input, copies non-blocking.

    Before a buffer is filled again, the copy issued from it two batches ago must have finished
    (an event wait): with a :class:`BatchFeed` in the background that wait is the worker's.

    >>> Transfer(torch.device("cpu")).send("ids", np.arange(3)).tolist()
    [0, 1, 2]
    """

    def __init__(self, device: torch.device):
        self.device = device
        self.cuda = device.type == "cuda"
        self.turn = 0
        self._buffers: dict = {}

    def send(self, name: str, array: np.ndarray | None) -> torch.Tensor | None:
        """``array`` on the device (on CPU the same memory, no copy); None stays None."""
        if array is None:
            return None
        source = torch.from_numpy(np.ascontiguousarray(array))
        if not self.cuda:
            return source
        key = (name, self.turn & 1)
        buffer, event = self._buffers.get(key, (None, None))
        if event is not None:
            event.synchronize()  # the copy issued from this buffer two batches ago has finished
        n = source.numel()
        if buffer is None or buffer.numel() < n:
            buffer = torch.empty(
                max(n, 2 * (0 if buffer is None else buffer.numel())), dtype=source.dtype, pin_memory=True
            )
        staged = buffer[:n].view(source.shape)
        staged.copy_(source)
        out = staged.to(self.device, non_blocking=True)
        event = torch.cuda.Event()
        event.record()
        self._buffers[key] = (buffer, event)
        return out


class BatchFeed:
    """Hand out ``(rows, make(rows))`` for each batch in order, made ahead in a thread if asked.

    Parameters
    ----------
    make : callable
        Builds one batch from its row indices (called in the worker thread when ``background``).
    batches : iterable of arrays of row indices
    background : bool
        Make up to ``depth`` batches ahead in one worker thread (else each when asked for).
    depth : int
        How many batches the worker may have ready or in the making beyond the one in use.

    Example
    -------
    >>> feed = BatchFeed(lambda rows: sum(rows), [[1, 2], [3]], background=True)
    >>> [feed.next(), feed.next(), feed.next()]
    [([1, 2], 3), ([3], 3), None]
    >>> feed.close()
    """

    def __init__(self, make: Callable, batches: Iterable, *, background: bool, depth: int = 2):
        self.make = make
        self.todo = collections.deque(batches)
        self.ahead: collections.deque = collections.deque()
        self.depth = depth
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="trustkit-batches") if background else None

    def _fill(self) -> None:
        while self.pool is not None and len(self.ahead) < self.depth and self.todo:
            rows = self.todo.popleft()
            self.ahead.append((rows, self.pool.submit(self.make, rows)))

    def next(self):
        """The next ``(rows, batch)``, or None when every batch was handed out."""
        self._fill()
        if self.ahead:
            rows, future = self.ahead.popleft()
            self._fill()  # the worker starts on the batch after while this one runs
            return rows, future.result()  # an error in the worker is raised here, as it was
        if self.pool is None and self.todo:
            rows = self.todo.popleft()
            return rows, self.make(rows)
        return None

    def rest(self) -> list:
        """Stop (waiting for a batch in the making) and return the row sets not handed out, in order."""
        left = [rows for rows, _future in self.ahead] + list(self.todo)
        self.ahead.clear()
        self.todo.clear()
        self.close()
        return left

    def close(self) -> None:
        """Stop the worker: batches not started are dropped, one in the making is waited for."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
