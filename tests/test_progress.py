"""Progress bars: scoring bars name model · dataset · metric, move during a short CPU run, end at their
total and stay; in a Jupyter kernel they are text on stdout (no widget to break a reopened notebook)."""

import pandas as pd
import pytest
import tolerances

from trustkit import progress
from trustkit.scoring import batching


@pytest.fixture(scope="module")
def scorer():
    from trustkit.models import random_control
    from trustkit.scoring import load_scorer

    return load_scorer(random_control("bert", "tiny"), random_control=True, cache=False, progress=True)


def _pairs(n, source="toy_pairs"):
    pairs = pd.DataFrame(
        {
            "pair_id": range(n),
            "sent_more": [f"Poor people number {i} are lazy." for i in range(n)],
            "sent_less": [f"Rich people number {i} are lazy." for i in range(n)],
            "direction": "stereo",
            "bias_type": "socioeconomic",
        }
    )
    pairs.attrs["source"] = source
    return pairs


def test_a_short_cpu_run_moves_its_bar_and_ends_at_the_total(scorer, monkeypatch):
    bars, updates = [], []
    real = batching.progress_bar

    def recording(*args, **kwargs):
        bar = real(*args, **kwargs)
        update = bar.update
        bar.update = lambda n=1: updates.append(n) or update(n)
        bars.append(bar)
        return bar

    monkeypatch.setattr(batching, "progress_bar", recording)
    scorer.score_pairs(_pairs(30), "pll")
    (bar,) = bars
    # the rows fit a few 2,048-token batches; the bar still gets MIN_CPU_STEPS updates
    assert len(updates) >= batching.MIN_CPU_STEPS and sum(updates) == bar.total == bar.n
    assert bar.desc.startswith("bert-tiny") and bar.desc.endswith(" · toy_pairs · pll")
    assert bar.leave, "a finished bar stays on screen"


def test_a_label_set_by_the_caller_wins_and_is_restored(scorer, monkeypatch):
    seen = []
    real = batching.progress_bar
    monkeypatch.setattr(batching, "progress_bar", lambda *a, **kw: seen.append(kw["desc"]) or real(*a, **kw))
    with scorer.labelled("my model · my data"):
        scorer.score_pairs(_pairs(2), "pll")
    scorer.score_sentences(["The nurse is tired."], "pll")
    assert seen == ["my model · my data · pll", f"{scorer.model_label()} · pll"]
    assert scorer.progress_label == ""


def test_results_do_not_depend_on_the_cpu_step_cap(scorer, monkeypatch):
    """The cap cuts batches only; each value equals the one-batch run within fp32 batch-shape noise.

    Measured on 40 CrowS-Pairs pairs: 0 (bert tiny) and 9.5e-7 nats (roberta tiny) between the two
    packings; the bound is the engine's batch-shape tolerance against the one-row-per-pass reference.
    """
    pairs = _pairs(25)
    capped = scorer.score_pairs(pairs, "pll")
    monkeypatch.setattr(batching, "MIN_CPU_STEPS", 1)
    whole = scorer.score_pairs(pairs, "pll")
    assert capped.delta.to_numpy() == pytest.approx(
        whole.delta.to_numpy(), abs=2 * tolerances.ENGINE_VS_REFERENCE
    )


def test_in_a_kernel_the_bar_is_text_on_stdout_and_stays(monkeypatch, capsys):
    monkeypatch.setattr(progress, "in_kernel", lambda: True)
    with progress.progress_bar(total=3, desc="tiny · toy · pll", unit="row") as bar:
        bar.update(3)
    out, err = capsys.readouterr()
    assert err == "" and "tiny · toy · pll: 100%" in out and "3/3" in out
    monkeypatch.setattr(progress, "in_kernel", lambda: False)
    with progress.progress_bar(total=2, desc="terminal", unit="row") as bar:
        bar.update(2)
    out, err = capsys.readouterr()
    assert out == "" and "terminal: 100%" in err
