"""The paraphrase cache: the score cache's store, so entries are atomic and checksummed."""

import sqlite3

import pytest

from trustkit.paraphrase.base import Paraphraser
from trustkit.paraphrase.cache import FILE_NAME, ParaphraseCache
from trustkit.scoring.cache import CacheIntegrityWarning


class Counting(Paraphraser):
    backend_id = "counting:v1"

    def __init__(self, root):
        self.cache_root = root
        self.calls = 0

    def _generate_batch(self, sentences, n, seed):
        self.calls += len(sentences)
        return [[f"{s} ({seed}, {k})" for k in range(n)] for s in sentences]


def test_candidates_come_back_for_the_same_backend_seed_and_n_only(tmp_path):
    backend = Counting(tmp_path)
    first = backend.generate(["The poor are lazy.", "Rich men."], n_paraphrases=2, seed=1, progress=False)
    assert backend.calls == 2
    assert backend.generate(["Rich men."], n_paraphrases=2, seed=1, progress=False) == [first[1]]
    assert backend.calls == 2  # from the cache
    backend.generate(["Rich men."], n_paraphrases=3, seed=1, progress=False)
    backend.generate(["Rich men."], n_paraphrases=2, seed=2, progress=False)
    assert backend.calls == 4
    other = ParaphraseCache("counting:v2", root=tmp_path)
    assert other.get("Rich men.", seed=1, n=2) is None
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))] == [FILE_NAME]


def test_an_entry_that_fails_its_checksum_is_generated_again_with_a_warning(tmp_path):
    backend = Counting(tmp_path)
    first = backend.generate(["The poor are lazy."], n_paraphrases=1, progress=False)
    with sqlite3.connect(tmp_path / FILE_NAME) as db:  # a bit flip in the stored text
        db.execute("UPDATE scores_v2 SET value = replace(value, 'lazy', 'lazz')")
    with pytest.warns(CacheIntegrityWarning, match="failed its checksum"):
        again = backend.generate(["The poor are lazy."], n_paraphrases=1, progress=False)
    assert again == first and backend.calls == 2


def test_a_cache_that_cannot_be_opened_is_skipped_with_a_warning(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    backend = Counting(blocker)
    with pytest.warns(UserWarning, match="paraphrasing without it"):
        out = backend.generate(["Rich men."], n_paraphrases=1, progress=False)
    assert out == [["Rich men. (0, 0)"]] and backend.calls == 1
