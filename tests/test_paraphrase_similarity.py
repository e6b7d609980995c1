"""Similarities are cached exactly, only for the same embedding model, and never misassigned."""

import torch

from trustkit.paraphrase import SimilarityScorer
from trustkit.scoring import ScoreCache

SOURCES = ["Women don't know how to drive.", "The poor are lazy.", "He is a nurse."]
CANDIDATES = ["Women are unable to drive.", "Poor people do not work hard.", "He works as a nurse."]


def test_cached_similarities_equal_fresh_ones_and_cost_no_encoding(tmp_path):
    fresh = SimilarityScorer(cache=False).similarity(CANDIDATES, SOURCES)
    first = SimilarityScorer(cache=tmp_path / "s.sqlite")
    assert first.similarity(CANDIDATES, SOURCES) == fresh
    assert first.stats == {"computed": 3, "cached": 0}

    again = SimilarityScorer(cache=ScoreCache(tmp_path / "s.sqlite"))
    again._model.encode = None  # any encoding now fails: every value must come from the cache
    # a different order and a repeated pair: each value stays with its own pair
    order = [2, 0, 1, 2]
    got = again.similarity([CANDIDATES[i] for i in order], [SOURCES[i] for i in order])
    assert got == [fresh[i] for i in order]
    assert again.stats == {"computed": 0, "cached": 3}


def test_a_changed_weight_or_swapped_reference_misses_the_cache(tmp_path):
    db = tmp_path / "s.sqlite"
    SimilarityScorer(cache=db).similarity(CANDIDATES, SOURCES)

    swapped = SimilarityScorer(cache=db)
    swapped.similarity(SOURCES, CANDIDATES)  # (candidate, source) order is part of the key
    assert swapped.stats == {"computed": 3, "cached": 0}

    changed = SimilarityScorer(cache=db)
    with torch.no_grad():
        weight = next(p for name, p in changed._model.named_parameters() if "encoder" in name)
        weight.mul_(1.5)  # one matrix of the first layer
    values = changed.similarity(CANDIDATES, SOURCES)
    assert changed.stats == {"computed": 3, "cached": 0}
    original = SimilarityScorer(cache=db).similarity(CANDIDATES, SOURCES)
    assert values != original  # the changed weight moved the similarities, so a hit would be wrong
    changed.cache = None
    assert changed.similarity(CANDIDATES, SOURCES) == values
