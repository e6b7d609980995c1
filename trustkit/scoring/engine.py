"""From items (sentences or pairs) to :class:`ItemScore` results: dedupe, cache, shard, run, finish.

The scorer says how items become rows (``_plan_many``) and how a batch runs (``_step``); this
module does the rest once for every scorer: deduplication, the disk cache (read before, each
finished batch committed), the share of each rank inside a process group, and the reduction of
per-token results to item scores.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
import warnings
from collections.abc import Sequence

import numpy as np
import torch

from trustkit.models.precision import precision_context
from trustkit.scoring.batching import run_table
from trustkit.scoring.cache import CacheError, CacheIntegrityWarning, item_key
from trustkit.scoring.distributed import all_gather_results, shard_by_cost, world
from trustkit.scoring.gpu import attention_backends
from trustkit.scoring.precision import guarded_scores
from trustkit.scoring.reduced import non_finite, reduced_weights
from trustkit.scoring.results import ItemScore, finish_item
from trustkit.scoring.rows import RowTable


def score_items(scorer, items: list, metric: str, *, compare=None) -> list[ItemScore]:
    """Score every item with ``metric``; inside a process group each rank scores its share.

    Returns one :class:`ItemScore` per item, in input order (repeated items are scored once).
    With a guarded reduced precision (``scorer.precision``, see ``trustkit.scoring.precision``)
    ``compare`` names the groups of item indices whose scores are compared; the comparisons then
    come out as fp32's. The guard's report is kept in ``scorer.precision_report``.
    """
    precision = getattr(scorer, "precision", None)
    if precision is None or not precision.guarded:
        values = _score_at(scorer, items, metric, scorer.dtype)
        if precision is None or precision.dtype is None:
            return values
        values = [dataclasses.replace(v, precision=precision.label) for v in values]
        # unguarded still returns nothing an overflow broke: those items are scored in fp32
        overflow = non_finite(values)
        exact = _score_at(scorer, [items[n] for n in overflow], metric, None)
        for n, value in zip(overflow, exact):
            values[n] = dataclasses.replace(value, precision="fp32")
        scorer.precision_report = {
            "dtype": precision.name,
            "guard": False,
            "items": len(values),
            "overflow": len(overflow),
        }
        return values
    policy = getattr(scorer, "policy", None)
    values, scorer.precision_report = guarded_scores(
        lambda todo, dtype: _score_at(scorer, todo, metric, dtype),
        items,
        metric,
        precision,
        compare=compare,
        normalise=getattr(policy, "normalise", "sum"),
    )
    return values


def _score_at(scorer, items: list, metric: str, dtype) -> list[ItemScore]:
    """Score ``items`` with the scorer computing in ``dtype`` (None: fp32) for this call."""
    if not items:
        return []
    with _computing_in(scorer, dtype):
        return _score_now(scorer, items, metric)


@contextlib.contextmanager
def _computing_in(scorer, dtype):
    previous = scorer.dtype
    scorer.dtype = dtype
    try:
        yield
    finally:
        scorer.dtype = previous


def _score_now(scorer, items: list, metric: str) -> list[ItemScore]:
    unique = list(dict.fromkeys(items))
    rank, size = world()
    before = dict(scorer.stats)
    plans: dict[int, object] = {}
    mine: Sequence[int] = range(len(unique))
    if size > 1:  # every rank plans everything (cheap) to agree on the shards without talking
        planned = _plan(scorer, unique, metric)
        plans = dict(enumerate(planned))
        costs = [int(np.array([len(x) for x in p.ids])[p.row_slot].sum()) for p in planned]  # tokens run
        mine = shard_by_cost(costs, size)[rank]
    error, values = None, {}
    try:
        values = _score_share(scorer, unique, list(mine), plans, metric, progress=rank == 0)
    except Exception as err:
        if size == 1:
            raise
        error = err
    if size > 1:
        local_stats = {k: scorer.stats[k] - before.get(k, 0) for k in scorer.stats}
        values, totals = all_gather_results(values, local_stats, error)
        scorer.stats.update({k: before.get(k, 0) + v for k, v in totals.items()})
    index = {it: n for n, it in enumerate(unique)}
    return [values[index[it]] for it in items]


def _plan(scorer, items: list, metric: str) -> list:
    start, tokenise = time.perf_counter(), scorer.timings.get("tokenise", 0.0)
    plans = scorer._plan_many(items, metric) if items else []
    spent = time.perf_counter() - start - (scorer.timings.get("tokenise", 0.0) - tokenise)
    scorer.timings["plan"] = scorer.timings.get("plan", 0.0) + spent
    return plans


def _score_share(
    scorer, unique: list, mine: list[int], plans: dict, metric: str, progress: bool
) -> dict[int, ItemScore]:
    """Score ``unique[i]`` for ``i`` in ``mine``: from the cache where present, else computed.

    A reduced pass runs on a copy of the weights cast once (``trustkit.scoring.reduced``);
    ``scorer.weights_cast`` says so while it runs, and the cache key names the path taken.
    """
    if scorer.cache is not None:
        scorer.identity()  # the weights' fingerprint is taken from the fp32 weights, before any cast
    with reduced_weights(scorer.model, _cast_dtype(scorer)) as cast:
        scorer.weights_cast = cast
        try:
            return _compute_share(scorer, unique, mine, plans, metric, progress)
        finally:
            scorer.weights_cast = False


def _compute_share(
    scorer, unique: list, mine: list[int], plans: dict, metric: str, progress: bool
) -> dict[int, ItemScore]:
    values: dict[int, ItemScore] = {}
    keys: dict[int, str] = {}
    if scorer.cache is not None:
        keys = {i: item_key(scorer.identity(), metric, unique[i]) for i in mine}
        stored = cache_call(scorer, "get_many", keys.values()) or {}
        for i in mine:
            if keys[i] in stored:
                values[i] = ItemScore.from_json(stored[keys[i]])
        scorer.stats["items_cached"] += len(values)
    todo = [i for i in mine if i not in values]
    missing = [i for i in todo if i not in plans]
    plans.update(zip(missing, _plan(scorer, [unique[i] for i in missing], metric)))
    todo_plans = [plans[i] for i in todo]
    table = RowTable.from_plans(todo_plans)
    remaining = np.fromiter((p.n_rows for p in todo_plans), dtype=np.int64, count=len(todo))
    pending: dict = {}
    results: dict = {}

    def finish(n: int) -> None:
        plan = todo_plans[n]
        value = finish_item(plan, results["lp"], results.get("ex"), int(table.seq_start[table.item_seq[n]]))
        values[todo[n]] = value
        scorer.stats["items_computed"] += 1
        if scorer.cache is not None:
            pending[keys[todo[n]]] = value.to_json()

    def commit() -> None:
        if scorer.cache is not None and pending:
            cache_call(scorer, "put_many", dict(pending))
        pending.clear()

    def on_batch_done(rows: np.ndarray, lp: np.ndarray, ex: np.ndarray | None) -> None:
        results["lp"], results["ex"] = lp, ex
        scorer.stats["rows_computed"] += len(rows)
        done, counts = np.unique(table.row_item[rows], return_counts=True)
        remaining[done] -= counts
        for n in done[remaining[done] == 0].tolist():
            finish(n)
        commit()

    results["lp"] = np.full(len(table.tokens), np.nan)
    for n in np.nonzero(remaining == 0)[0].tolist():  # e.g. a pair with no shared token
        finish(n)
    if table.n_rows:
        with (
            torch.inference_mode(),
            scorer._running(metric),
            attention_backends(scorer.device),
            precision_context(scorer.model),
        ):
            desc = " · ".join(filter(None, [scorer.progress_label, f"{metric} rows"]))
            run_table(
                table,
                scorer._step(metric),
                batch_tokens=scorer.batch_tokens,
                pad_id=scorer.pad_id,
                mask_id=getattr(scorer.tokenizer, "mask_token_id", None),
                device=scorer.device,
                progress=scorer.progress and progress,
                desc=desc,
                on_batch_done=on_batch_done,
                timings=scorer.timings,
                pipeline=getattr(scorer, "pipeline", None),
            )
        left = np.nonzero(remaining > 0)[0]
        if len(left):  # pragma: no cover - every row reports back through on_batch_done
            raise RuntimeError(f"{len(left)} item(s) were never finished")
    commit()
    return values


def _cast_dtype(scorer):
    """The dtype the weights are cast to for this pass (None: keep them; fp32 or autocast)."""
    precision = getattr(scorer, "precision", None)
    return None if precision is None or precision.autocast else scorer.dtype


def cache_call(scorer, method: str, arg):
    """Call the cache; on failure raise (cache asked for explicitly) or warn once and drop it."""
    start = time.perf_counter()
    try:
        result = getattr(scorer.cache, method)(arg)
    except CacheError as err:
        if scorer._cache_explicit:
            raise
        warnings.warn(f"{err}; going on without it", stacklevel=4)
        scorer.cache = None
        return None
    if scorer.cache.corrupt:
        warnings.warn(
            f"{scorer.cache.corrupt} cached value(s) in {scorer.cache.path} failed their "
            "checksum and are recomputed",
            CacheIntegrityWarning,
            stacklevel=4,
        )
        scorer.cache.corrupt = 0
    key = "cache_write" if method == "put_many" else "cache_read"  # lock waits included
    scorer.timings[key] = scorer.timings.get(key, 0.0) + time.perf_counter() - start
    return result
