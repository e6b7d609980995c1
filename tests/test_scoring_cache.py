"""The score cache: a re-run is instant, and a SIGKILLed run resumes without recomputing what it stored."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import reference_scorer as ref
import tolerances

from trustkit.scoring import MaskedLMScorer, ScoreCache
from trustkit.scoring.cache import item_key

TESTS = Path(__file__).parent
SENTENCES = [
    f"Sentence number {i} tells how {w} the weather was."
    for i, w in enumerate(
        [
            "unbelievably",
            "cold",
            "warm",
            "strange",
            "calm",
            "wet",
            "dry",
            "windy",
            "foggy",
            "bright",
            "grey",
            "humid",
        ]
    )
]

CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    import reference_scorer as ref
    from trustkit.scoring import MaskedLMScorer, ScoreCache
    from trustkit.scoring import cache as cache_module

    original = cache_module.ScoreCache.put_many
    commits = 0
    def put_many(self, values):
        global commits
        original(self, values)
        if values:
            commits += 1
            print("stored", len(self), flush=True)
            if commits == 3:
                print("waiting", flush=True)
                sys.stdin.read()  # blocks until the parent kills us, however fast this machine is
    cache_module.ScoreCache.put_many = put_many

    model, tokenizer = ref.tiny_masked_lm("bert")
    scorer = MaskedLMScorer(model, tokenizer, cache=ScoreCache({db!r}), model_id="tiny-bert-seed0",
                            batch_tokens=40, progress=False)
    scorer.score_sentences({sentences!r}, "pll")
    print("finished", flush=True)
""")


def make_scorer(db, **kw):
    model, tokenizer = ref.tiny_masked_lm("bert")
    cache = ScoreCache(db) if db else False
    return MaskedLMScorer(model, tokenizer, cache=cache, model_id="tiny-bert-seed0", progress=False, **kw)


def test_rerun_reads_everything_from_the_cache(tmp_path):
    db = tmp_path / "scores.sqlite"
    first = make_scorer(db)
    a = first.score_sentences(SENTENCES[:3], "pll")
    assert first.stats["items_computed"] == 3 and first.stats["rows_computed"] > 0
    second = make_scorer(db)
    assert second.score_sentences(SENTENCES[:3], "pll") == a  # bit-identical from the cache
    assert second.stats == {"rows_computed": 0, "items_computed": 0, "items_cached": 3}
    # another metric or another model is another key
    assert make_scorer(db).score_sentences(SENTENCES[:1], "aul") and len(ScoreCache(db)) == 4
    other = MaskedLMScorer(*ref.tiny_masked_lm("bert", seed=1), cache=ScoreCache(db), progress=False)
    other.score_sentences(SENTENCES[:1], "pll")
    assert other.stats["items_computed"] == 1


def test_sigkilled_run_resumes_with_identical_results_and_no_recomputation(tmp_path):
    db = tmp_path / "scores.sqlite"
    code = CHILD.format(tests=str(TESTS), db=str(db), sentences=SENTENCES)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    # the child prints "waiting" after its third commit and blocks there: no race with its speed
    lines = []
    for line in child.stdout:
        lines.append(line)
        if line.startswith("waiting"):
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL, f"the child never reached its third commit: {lines}"
    stored = len(ScoreCache(db))
    assert 0 < stored < len(SENTENCES)

    resumed = make_scorer(db, batch_tokens=40)
    plans = {s: resumed._plan(s, "pll") for s in SENTENCES}
    present = ScoreCache(db).get_many(item_key(resumed.identity(), "pll", s) for s in SENTENCES)
    todo = [s for s in SENTENCES if item_key(resumed.identity(), "pll", s) not in present]
    scores = resumed.score_sentences(SENTENCES, "pll")
    assert resumed.stats["items_cached"] == stored
    assert resumed.stats["items_computed"] == len(todo) == len(SENTENCES) - stored
    assert resumed.stats["rows_computed"] == sum(len(plans[s].rows) for s in todo)

    fresh = make_scorer(None, batch_tokens=40).score_sentences(SENTENCES, "pll")
    # the resumed run scores the rest in other batches than the fresh one
    assert max(abs(a - b) for a, b in zip(scores, fresh)) < tolerances.BATCH_SHAPES
    assert len(ScoreCache(db)) == len(SENTENCES)


def _open_together(args):
    path, barrier = args
    barrier.wait()
    try:
        cache = ScoreCache(path)
        cache.put_many({f"key-{os.getpid()}": {"s": [1.0]}})
        cache.close()
        return "ok"
    except Exception as err:  # reported to the parent, which fails with the message
        return f"{type(err).__name__}: {err}"


def test_processes_opening_a_fresh_cache_together_all_succeed(tmp_path):
    """The ranks of a torchrun job open one new cache at the same moment; none may fail.

    SQLite answers "database is locked" at once, without its busy wait, to a second process
    switching a new file to WAL; before the set-up was retried this failed in about one round of
    six.
    """
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    procs = 6
    with ctx.Manager() as manager, ctx.Pool(procs) as pool:
        for round_ in range(15):
            path = str(tmp_path / f"round{round_}.sqlite")
            barrier = manager.Barrier(procs)
            outcomes = pool.map(_open_together, [(path, barrier)] * procs)
            assert outcomes == ["ok"] * procs, (round_, outcomes)
            assert len(ScoreCache(path)) == procs
