"""Vectorised batch assembly equals the obvious per-row construction; trimming is amortised."""

import numpy as np
import pytest
import reference_scorer as ref
import tolerances
import torch

from trustkit.scoring import MaskedLMScorer, Plan, Row, RowTable, run_rows
from trustkit.scoring.memory import Trimmer


def random_plans(rng, n):
    plans = []
    for _ in range(n):
        slots = int(rng.integers(1, 3))
        ids = [rng.integers(5, 99, size=int(rng.integers(3, 12))).tolist() for _ in range(slots)]
        positions = [
            sorted(
                rng.choice(
                    np.arange(1, len(x) - 1), size=int(rng.integers(0, len(x) - 1)), replace=False
                ).tolist()
            )
            for x in ids
        ]
        masks = [
            [(p,) + tuple(q for q in range(p + 1, len(x)) if rng.random() < 0.3) for p in ps]
            for x, ps in zip(ids, positions)
        ]
        plans.append(Plan.one_mask_per_row(ids, positions, positions, masks))
    return plans


def per_row_batch(rows: list[Row], pad_id, mask_id):
    """The obvious construction, one Python row at a time."""
    width = max(len(r.ids) for r in rows)
    ids = torch.full((len(rows), width), pad_id)
    am = torch.zeros((len(rows), width), dtype=torch.long)
    b, p, t = [], [], []
    for k, r in enumerate(rows):
        ids[k, : len(r.ids)] = torch.tensor(r.ids)
        ids[k, list(r.masked)] = mask_id
        am[k, : len(r.ids)] = 1
        b += [k] * len(r.scored)
        p += list(r.scored)
        t += list(r.targets)
    return ids, am, b, p, t


def test_assembly_equals_the_per_row_construction():
    rng = np.random.default_rng(0)
    plans = random_plans(rng, 40)
    table = RowTable.from_plans(plans)
    rows = [r for plan in plans for r in plan.rows]
    assert table.n_rows == len(rows)
    for _ in range(20):
        pick = rng.choice(table.n_rows, size=int(rng.integers(1, 12)), replace=False)
        ids, am, b, p, t, out = table.assemble(pick, pad_id=0, mask_id=4)
        want = per_row_batch([rows[i] for i in pick], 0, 4)
        assert ids.tolist() == want[0].tolist()
        if am is not None:
            assert am.tolist() == want[1].tolist()
        else:
            assert bool(want[1].all())
        assert (b.tolist(), p.tolist(), t.tolist()) == (want[2], want[3], want[4])
        # each scored entry lands in its own sentence's output slot, at the scored position
        seq = table.row_seq[pick][b]
        assert (out - table.seq_start[seq] == p).all()


def test_run_rows_returns_per_row_results_in_input_order():
    rows = [Row((1, 2, 3, 4), (2,), (2,), (3,)), Row((1, 5, 6), (), (0, 1), (5, 6))]
    step = lambda ids, am, b, p, t: (t.float() * -1, p.float())  # noqa: E731
    assert run_rows(rows, step, batch_tokens=4, pad_id=0, mask_id=9, progress=False) == [
        ([-3.0], [2.0]),
        ([-5.0, -6.0], [0.0, 1.0]),
    ]


def test_engine_records_its_phases():
    model, tokenizer = ref.tiny_masked_lm("bert")
    scorer = MaskedLMScorer(model, tokenizer, cache=False, batch_tokens=64, progress=False)
    scorer.score_sentences(ref.SENTENCES, "pll")
    assert set(scorer.timings) == {"tokenise", "plan", "assemble", "model", "bookkeeping"}
    assert all(v >= 0 for v in scorer.timings.values()) and scorer.timings["model"] > 0


def test_memory_trimming_is_amortised_by_its_measured_cost(monkeypatch):
    from trustkit.scoring import memory

    calls = []
    monkeypatch.setattr(memory, "release_freed_memory", lambda: (calls.append(1), sum(range(20000))))
    trimmer = Trimmer()
    for _ in range(2000):
        trimmer.maybe()
    assert 1 <= len(calls) <= 5  # the first call, then only once 500 × its cost has passed
    eager = Trimmer(interval=0)
    for _ in range(3):
        eager.maybe()
    assert eager.calls == 3


def test_scores_do_not_change_with_the_head_chunk(monkeypatch):
    from trustkit.scoring import memory

    model, tokenizer = ref.tiny_masked_lm("bert")
    whole = MaskedLMScorer(model, tokenizer, cache=False, progress=False).score_sentences(
        ref.SENTENCES, "aul"
    )
    monkeypatch.setattr(memory, "HEAD_BYTES_CPU", 8 * model.config.vocab_size * 3)  # 3 rows a chunk
    sizes = []
    handle = model.cls.register_forward_hook(lambda m, args, out: sizes.append(len(out)))
    chunked = MaskedLMScorer(model, tokenizer, cache=False, progress=False).score_sentences(
        ref.SENTENCES, "aul"
    )
    handle.remove()
    assert max(sizes) <= 3 and len(sizes) > len(ref.SENTENCES)
    assert chunked == pytest.approx(whole, abs=tolerances.BATCH_SHAPES_ONE_FORWARD)
