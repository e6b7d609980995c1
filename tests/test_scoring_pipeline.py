"""Batches made ahead in a worker thread: same results bit for bit, errors kept, no sync per batch."""

import threading
from functools import partial

import numpy as np
import pandas as pd
import pytest
import reference_scorer as ref
import torch
from test_scoring_batches import random_plans

from trustkit.data import load_pairs
from trustkit.scoring import MaskedLMScorer, RowTable
from trustkit.scoring.batching import run_table
from trustkit.scoring.prefetch import BatchFeed

# the calls that make the host wait for the device on CUDA (on CPU they are plain calls, counted)
SYNCS = ("item", "cpu", "tolist", "numpy", "__bool__")


@pytest.fixture(scope="module")
def bert():
    return ref.tiny_masked_lm("bert")


def table_of(n_items=60):
    return RowTable.from_plans(random_plans(np.random.default_rng(1), n_items))


def toy_step(ids, am, b, p, t):
    """A deterministic function of every input, computed on the device without a sync."""
    x = (ids.double() * 0.37).sin().cumsum(dim=1)
    return (x[b, p] + 0.01 * t).float(), (x[b, p] * 2).float()


@pytest.mark.parametrize("metric", ["crows", "aula"])
def test_pipelined_scores_equal_the_synchronous_ones_bit_for_bit(bert, metric):
    pairs = load_pairs("crows_pairs").head(12)
    model, tokenizer = bert
    tables = []
    for pipeline in (False, True):
        scorer = MaskedLMScorer(model, tokenizer, cache=False, progress=False, batch_tokens=96)
        scorer.pipeline = pipeline
        tables.append(scorer.score_pairs(pairs, metric))
    pd.testing.assert_frame_equal(tables[0], tables[1], check_exact=True)


def test_run_table_results_and_extras_equal_with_and_without_a_worker():
    table = table_of()
    sync = run_table(table, toy_step, batch_tokens=40, pad_id=0, mask_id=4, progress=False, pipeline=False)
    ahead = run_table(table, toy_step, batch_tokens=40, pad_id=0, mask_id=4, progress=False, pipeline=True)
    for a, b in zip(sync, ahead):
        np.testing.assert_array_equal(a, b)  # NaN where nothing is scored, in both
    assert np.isfinite(sync[0]).sum() > 0


def test_an_error_while_making_a_batch_is_raised_with_its_message(monkeypatch):
    table = table_of()
    real, calls = RowTable.assemble, []

    def assemble(self, rows, *args):
        calls.append(threading.current_thread().name)
        if len(calls) == 3:
            raise ValueError("sentence 7 of pairs.csv: token id 99999 beyond the vocabulary")
        return real(self, rows, *args)

    monkeypatch.setattr(RowTable, "assemble", assemble)
    with pytest.raises(ValueError, match="sentence 7 of pairs.csv: token id 99999"):
        run_table(table, toy_step, batch_tokens=40, pad_id=0, mask_id=4, progress=False, pipeline=True)
    assert calls and all(name.startswith("trustkit-batches") for name in calls)  # made in the worker
    assert not [t for t in threading.enumerate() if t.name.startswith("trustkit-batches")]  # stopped


def test_the_feed_hands_out_every_batch_in_order_and_returns_the_rest():
    made = []
    feed = BatchFeed(lambda rows: made.append(rows) or rows * 2, [1, 2, 3, 4, 5], background=True, depth=2)
    assert [feed.next(), feed.next()] == [(1, 2), (2, 4)]
    assert feed.rest() == [3, 4, 5]  # the row sets not handed out, in order (some made already)
    assert made[:2] == [1, 2] and feed.next() is None


def count_syncs(monkeypatch, run) -> int:
    """Calls of the synchronising tensor methods while ``run()`` runs (any thread)."""
    count = [0]
    for name in SYNCS:
        real = getattr(torch.Tensor, name)

        def counted(self, *args, _real=real, **kwargs):
            count[0] += 1
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, counted)
    run()
    monkeypatch.undo()
    return count[0]


def test_the_pipelined_loop_has_no_synchronisation_per_batch(monkeypatch):
    table = table_of(200)
    counts = {}
    for pipeline in (False, True):
        for budget in (4096, 24):  # one batch, then many
            batches = []
            step = partial(counted_step, batches)
            run = partial(run_table, table, step, batch_tokens=budget, pad_id=0, mask_id=4)
            counts[pipeline, budget] = count_syncs(
                monkeypatch, partial(run, progress=False, pipeline=pipeline)
            )
            counts[pipeline, budget, "batches"] = len(batches)
    n_many = counts[True, 24, "batches"]
    # the one flush at the end (log-probabilities and extras: .cpu() and .numpy() each), whatever
    # the number of batches
    assert n_many > 50 and counts[True, 24] == counts[True, 4096] <= 4
    assert counts[False, 24] >= n_many  # the host path brings each batch back: the count can fail


def counted_step(batches: list, *inputs):
    batches.append(1)
    return toy_step(*inputs)
