"""Memory is bounded by the token budget; a batch that does not fit is split, a row that cannot fit
is refused with one line."""

import pytest
import reference_scorer as ref
import tolerances
import torch

from trustkit.scoring import MaskedLMScorer, RowDoesNotFitError, batching
from trustkit.scoring.memory import budget_from_free_memory, bytes_per_token, default_batch_tokens


def scorer_for(batch_tokens=64):
    model, tokenizer = ref.tiny_masked_lm("bert")
    return MaskedLMScorer(model, tokenizer, cache=False, batch_tokens=batch_tokens, progress=False)


def test_every_batch_stays_within_the_token_budget(monkeypatch):
    scorer = scorer_for(batch_tokens=48)
    shapes = []
    real = scorer._step

    def spy(metric):
        step = real(metric)
        return lambda ids, *rest: (shapes.append(tuple(ids.shape)), step(ids, *rest))[1]

    monkeypatch.setattr(scorer, "_step", spy)
    scorer.score_sentences(ref.SENTENCES, "pll")
    assert shapes and all(rows * width <= 48 or rows == 1 for rows, width in shapes)


@pytest.mark.parametrize("pipeline", [False, True])  # batches made inline, or ahead in a worker thread
def test_a_batch_that_runs_out_of_memory_is_split_and_scores_do_not_change(monkeypatch, pipeline):
    # Batches as large as the budget allows, as on CUDA: on CPU a short run is otherwise cut into
    # MIN_CPU_STEPS batches for the progress bar, none of them over five rows.
    monkeypatch.setattr(batching, "MIN_CPU_STEPS", 1)
    want = scorer_for(batch_tokens=4096).score_sentences(ref.SENTENCES, "pll")
    scorer = scorer_for(batch_tokens=4096)
    scorer.pipeline = pipeline
    real, sizes = scorer._step, []

    def small_device(metric):
        step = real(metric)

        def run(ids, *rest):
            sizes.append(len(ids))
            if len(ids) > 5:
                raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
            return step(ids, *rest)

        return run

    monkeypatch.setattr(scorer, "_step", small_device)
    got = scorer.score_sentences(ref.SENTENCES, "pll")
    assert got == pytest.approx(want, abs=tolerances.BATCH_SHAPES)  # halved batches
    failed = [k for k, n in enumerate(sizes) if n > 5]
    assert 1 <= len(failed) <= 4  # the budget is learned: halved until it fits, then kept


def test_one_row_that_cannot_fit_is_one_clear_error(monkeypatch):
    scorer = scorer_for()
    monkeypatch.setattr(
        scorer,
        "_step",
        lambda metric: (
            lambda *a: (_ for _ in ()).throw(
                RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 9 GB")
            )
        ),
    )
    with pytest.raises(RowDoesNotFitError) as info:
        scorer.score_sentences(["He is strong."], "pll")
    message = str(info.value)
    assert "\n" not in message and "one row of 6 tokens" in message and "--truncate" in message
    assert isinstance(info.value, ValueError)  # the CLI prints it as one line, exit code 2


def test_other_errors_are_not_taken_for_memory(monkeypatch):
    scorer = scorer_for()
    monkeypatch.setattr(
        scorer,
        "_step",
        lambda metric: lambda *a: (_ for _ in ()).throw(RuntimeError("index out of range in self")),
    )
    with pytest.raises(RuntimeError, match="index out of range"):
        scorer.score_sentences(["He is strong."], "pll")


def test_default_budget_follows_free_memory():
    from transformers import BertConfig

    config = BertConfig()
    assert default_batch_tokens(torch.nn.Linear(2, 2), torch.device("cpu"), None) == 2048
    small = budget_from_free_memory(2 * 2**30, config, 2)
    large = budget_from_free_memory(80 * 2**30, config, 2)
    assert 1024 <= small < large <= 1 << 20 and large & (large - 1) == 0  # a power of two: a stable cache key
    assert large * bytes_per_token(config, 2) <= 0.5 * 80 * 2**30  # half the free memory at most
    assert budget_from_free_memory(0, config, 2) == 1024
