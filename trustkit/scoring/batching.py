"""The one batching routine every scorer uses: rows sorted by length, packed under a token budget.

Scorers describe rows as arrays (``trustkit.scoring.rows``); :func:`run_table` packs them, builds
each padded batch with a few numpy gathers, runs a model step and scatters the results into flat
per-token arrays. On CUDA (``pipeline``) a worker thread assembles and stages the next batches
through pinned buffers with non-blocking copies while the device runs this one
(``trustkit.scoring.prefetch``), and the results stay on the device until a flush (every few
seconds, or at the end): no host synchronisation per batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import torch
from tqdm.auto import tqdm

from trustkit.errors import InputError
from trustkit.scoring.memory import Trimmer, is_out_of_memory, row_does_not_fit
from trustkit.scoring.prefetch import BatchFeed, Transfer
from trustkit.scoring.rows import Plan, Row, RowTable

# A step receives the padded batch and the flattened (batch index, position, target) triples
# and returns one fp32 log-probability per triple, plus optional per-triple extras (or None).
Step = Callable[
    [torch.Tensor, torch.Tensor | None, torch.Tensor, torch.Tensor, torch.Tensor],
    tuple[torch.Tensor, torch.Tensor | None],
]
FLUSH_SECONDS = 2.0  # on CUDA, how often results are brought back when a caller waits for them


def pack_batches(lengths: Sequence[int], batch_tokens: int) -> list[list[int]]:
    """Sort row indices by length and pack them greedily so that rows × longest ≤ ``batch_tokens``.

    A row longer than the budget gets a batch of its own (it still has to run).

    Parameters
    ----------
    lengths : sequence of int
        Token length of each row.
    batch_tokens : int
        Budget of padded tokens per batch.

    Returns
    -------
    list of list of int
        Row indices per batch, in increasing length order.

    Example
    -------
    >>> pack_batches([5, 3, 5, 4], batch_tokens=10)
    [[1, 3], [0, 2]]
    """
    return [b.tolist() for b in _pack(np.asarray(lengths, dtype=np.int64), batch_tokens)]


def _pack(lengths: np.ndarray, batch_tokens: int) -> list[np.ndarray]:
    if batch_tokens < 1:
        raise InputError(f"batch_tokens must be a positive number of tokens, got {batch_tokens}")
    order = np.argsort(lengths, kind="stable")
    batches: list[np.ndarray] = []
    start, n = 0, len(order)
    while start < n:
        # Sorted ascending, so k rows from here cost k × the k-th length: the rows that fit are a
        # prefix (the cost only grows with k), and the greedy batch is that whole prefix.
        width = lengths[order[start : start + batch_tokens]]
        size = max(1, int(np.count_nonzero(np.arange(1, len(width) + 1) * width <= batch_tokens)))
        batches.append(order[start : start + size])
        start += size
    return batches


def run_table(
    table: RowTable,
    step: Step,
    *,
    batch_tokens: int,
    pad_id: int,
    mask_id: int | None = None,
    device: str | torch.device = "cpu",
    progress: bool = True,
    desc: str = "scoring",
    on_batch_done: Callable[[np.ndarray, np.ndarray, np.ndarray | None], None] | None = None,
    timings: dict | None = None,
    pipeline: bool | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Run every row of ``table`` through ``step`` in length-sorted, token-budgeted batches.

    Parameters
    ----------
    table : RowTable
        All rows of the whole input (every sentence, every masked position).
    step : callable
        ``step(input_ids, attention_mask, batch_index, positions, targets)`` returning one fp32
        log-probability per scored position (and optional extras, e.g. attention weights).
    batch_tokens : int
        Budget of padded tokens per forward pass; results do not depend on it. When a batch runs
        out of memory the budget is halved for the rest of the run and the rows left are packed
        again; a single row that does not fit raises ``RowDoesNotFitError``.
    pad_id, mask_id : int
        Padding token id and the mask token id placed at the masked positions.
    device : str or torch.device
        Where the model runs.
    progress : bool
        Show a tqdm bar (rows done / rows total).
    on_batch_done : callable, optional
        Called as ``on_batch_done(rows, log_probs, extras)`` with the indices of rows whose
        results are now in those arrays (the ones returned at the end; after every batch on CPU,
        every ``FLUSH_SECONDS`` on CUDA), so callers can commit finished work as the run goes on.
    timings : dict, optional
        Seconds spent in ``assemble``, ``model`` and ``bookkeeping`` are added to it (with a
        pipeline, ``assemble`` is the wait for a batch the worker had not finished yet).
    pipeline : bool, optional
        Assemble and stage the next batches in a worker thread while the model runs this one,
        and keep the results on the device until a flush (no host synchronisation per batch).
        Default: on CUDA only. The batches are the same, so the results are bit-equal.

    Returns
    -------
    (log_probs, extras) : float64 arrays over the table's output slots (NaN where not computed);
    ``extras`` is None when the step returns none.

    Example
    -------
    >>> table = RowTable.from_plans([Plan.one_mask_per_row([[1, 2, 3]], [[1]], [[1]])])
    >>> step = lambda ids, am, b, p, t: (torch.full((len(t),), -0.5), None)
    >>> run_table(table, step, batch_tokens=64, pad_id=0, mask_id=9, progress=False)[0].tolist()
    [nan, -0.5, nan]
    """
    device = torch.device(device)
    pipeline = device.type == "cuda" if pipeline is None else pipeline
    timings = {} if timings is None else timings
    for key in ("assemble", "model", "bookkeeping"):
        timings.setdefault(key, 0.0)
    results = _Results(
        len(table.tokens), device, on_batch_done, on_host=not pipeline and device.type != "cuda"
    )
    transfer, trimmer = Transfer(device), Trimmer()
    lengths = table.row_lengths()

    def make(rows: np.ndarray):
        return _assembled(table, rows, pad_id, mask_id, transfer)

    feed = BatchFeed(make, _pack(lengths, batch_tokens), background=pipeline)
    bar = tqdm(
        total=table.n_rows,
        desc=desc,
        unit="row",
        disable=not progress or not table.n_rows,
        leave=False,
        mininterval=1.0,
    )
    try:
        while True:
            t0 = time.perf_counter()
            batch = feed.next()
            if batch is None:
                break
            rows, (inputs, out) = batch
            t1 = time.perf_counter()
            try:
                log_probs, extras = step(*inputs)  # only am is None (unpadded)
                values: tuple = (log_probs, extras)
                if results.on_host:  # the copy to the host is where a CPU step's lazy errors surface
                    values = (log_probs.float().numpy(), None if extras is None else extras.float().numpy())
            except Exception as err:
                if not is_out_of_memory(err):
                    raise
                del err
                batch_tokens, left = _repacked_after_oom(rows, feed.rest(), lengths, device)
                feed = BatchFeed(make, left, background=pipeline)
                timings["model"] += time.perf_counter() - t1
                continue
            t2 = time.perf_counter()
            results.store(rows, out, values[0], values[1])
            if results.on_host:
                trimmer.maybe()
            if results.due():
                results.flush()
            bar.update(len(rows))
            timings["assemble"] += t1 - t0
            timings["model"] += t2 - t1
            timings["bookkeeping"] += time.perf_counter() - t2
    finally:
        feed.close()
    t3 = time.perf_counter()
    results.flush()
    timings["bookkeeping"] += time.perf_counter() - t3
    bar.close()
    return results.host_lp, results.host_ex


def _assembled(table: RowTable, rows: np.ndarray, pad_id: int, mask_id: int | None, transfer: Transfer):
    """The step's inputs for ``rows`` on the device, and their output slots (numpy, and on the device)."""
    ids, am, b, p, tgt, out = table.assemble(rows, pad_id, mask_id)
    transfer.turn += 1
    inputs = [
        transfer.send(name, a) for name, a in (("ids", ids), ("am", am), ("b", b), ("p", p), ("t", tgt))
    ]
    return inputs, (out, transfer.send("out", out))


def _repacked_after_oom(rows: np.ndarray, queue: list, lengths: np.ndarray, device: torch.device):
    """What did not fit is the limit from now on: the halved budget and the rows left, packed again."""
    if len(rows) == 1:
        raise row_does_not_fit(int(lengths[rows[0]]), device, RuntimeError("out of memory")) from None
    if device.type == "cuda":
        torch.cuda.empty_cache()
    batch_tokens = max(1, len(rows) * int(lengths[rows].max()) // 2)
    left = np.concatenate([rows, *queue])
    return batch_tokens, [left[b] for b in _pack(lengths[left], batch_tokens)]


class _Results:
    """The run's per-slot results: numpy on the host path; else kept on the device until a flush."""

    def __init__(self, n_out: int, device: torch.device, on_batch_done, on_host: bool) -> None:
        self.on_host = on_host
        self.device = device
        self.host_lp = np.full(n_out, np.nan)
        self.host_ex: np.ndarray | None = None
        self.dev_lp = None if self.on_host else torch.full((n_out,), float("nan"), device=device)
        self.dev_ex: torch.Tensor | None = None
        self.on_batch_done = on_batch_done
        self.pending: list[np.ndarray] = []
        self.last_flush = time.perf_counter()

    def store(self, rows: np.ndarray, out: tuple, log_probs, extras) -> None:
        """Put one batch's values in their slots (numpy arrays on the host path, else tensors)."""
        n_out = len(self.host_lp)
        out, out_dev = out
        if self.on_host:
            self.host_lp[out] = log_probs
            if extras is not None:
                if self.host_ex is None:
                    self.host_ex = np.full(n_out, np.nan)
                self.host_ex[out] = extras
        else:
            assert self.dev_lp is not None and out_dev is not None
            self.dev_lp.index_copy_(0, out_dev, log_probs.float())
            if extras is not None:
                if self.dev_ex is None:
                    self.dev_ex = torch.full((n_out,), float("nan"), device=self.device)
                self.dev_ex.index_copy_(0, out_dev, extras.float())
        self.pending.append(rows)

    def due(self) -> bool:
        """Flush now: after every batch on the host path, else every ``FLUSH_SECONDS`` when a caller waits."""
        waited = time.perf_counter() - self.last_flush >= FLUSH_SECONDS
        return self.on_host or (self.on_batch_done is not None and waited)

    def flush(self) -> None:
        """Bring the results so far to the host (one synchronisation on CUDA) and report the rows done."""
        if not self.pending:
            return
        if self.dev_lp is not None:
            self.host_lp[:] = self.dev_lp.cpu().numpy()
            if self.dev_ex is not None:
                self.host_ex = self.dev_ex.cpu().numpy().astype(np.float64)
        done = np.concatenate(self.pending)
        self.pending.clear()
        self.last_flush = time.perf_counter()
        if self.on_batch_done is not None:
            self.on_batch_done(done, self.host_lp, self.host_ex)


def run_rows(
    rows: Sequence[Row],
    step: Step,
    *,
    batch_tokens: int,
    pad_id: int,
    mask_id: int | None = None,
    device: str | torch.device = "cpu",
    progress: bool = True,
    desc: str = "scoring",
) -> list[tuple[list[float], list[float] | None]]:
    """Run :class:`Row` objects through ``step`` (:func:`run_table` on a table built from them).

    Returns, for each row in input order, one log-probability per scored position and the
    extras (or None).

    Example
    -------
    >>> rows = [Row((1, 2, 3), (1,), (1,), (2,))]
    >>> step = lambda ids, am, b, p, t: (torch.zeros(len(t)), None)
    >>> run_rows(rows, step, batch_tokens=64, pad_id=0, mask_id=9, progress=False)
    [([0.0], None)]
    """
    # One sentence per row; the results land in a per-row output of one slot per scored entry.
    plans = []
    for row in rows:
        n = len(row.scored)
        plan = Plan(
            [list(row.ids)],
            [list(range(n))],
            row_slot=np.zeros(1, dtype=np.int64),
            mask_ptr=np.array([0, len(row.masked)]),
            mask_pos=np.array(row.masked, dtype=np.int64),
            score_ptr=np.array([0, n]),
            score_pos=np.array(row.scored, dtype=np.int64),
            score_tgt=np.array(row.targets, dtype=np.int64),
            score_dst=np.arange(n),
        )
        plans.append(plan)
    table = RowTable.from_plans(plans)
    lp, ex = run_table(
        table,
        step,
        batch_tokens=batch_tokens,
        pad_id=pad_id,
        mask_id=mask_id,
        device=device,
        progress=progress,
        desc=desc,
    )
    starts = table.seq_start
    return [
        (lp[s : s + len(r.scored)].tolist(), None if ex is None else ex[s : s + len(r.scored)].tolist())
        for s, r in zip(starts, rows)
    ]
