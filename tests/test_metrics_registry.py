"""The metric registry is the one list of metrics: scorers, CLI, tie rule and docs all follow it."""

from pathlib import Path

import pytest

from trustkit.cli import main
from trustkit.cli.score import METRIC_CHOICES
from trustkit.metrics.cards import metric_cards_markdown
from trustkit.scoring import METRICS, CausalLMScorer, MaskedLMScorer
from trustkit.scoring.registry import METRIC_TABLE, get_metric, metric_names
from trustkit.tables import tie_decimals

ROOT = Path(__file__).resolve().parents[1]


def test_scorers_accept_exactly_the_registered_metrics_of_their_kind():
    # stereoset_blank scores a candidate in its BLANK context, through score_blank_word
    masked = MaskedLMScorer.sentence_metrics + MaskedLMScorer.pair_metrics + ("stereoset_blank",)
    assert sorted(masked) == sorted(metric_names("masked"))
    assert sorted(CausalLMScorer.sentence_metrics + CausalLMScorer.pair_metrics) == sorted(
        metric_names("causal")
    )
    assert MaskedLMScorer.pair_metrics == ("crows",) and CausalLMScorer.pair_metrics == ("ll_shared",)


def test_cli_and_package_lists_come_from_the_registry():
    assert tuple(m.name for m in METRIC_TABLE) == METRICS
    assert len(set(METRICS)) == len(METRICS) == 9
    # the score CLI scores pairs: every metric but the StereoSet BLANK-context one
    assert tuple(m for m in METRICS if m != "stereoset_blank") == METRIC_CHOICES


def test_tie_rule_follows_the_registry():
    assert {m.name: tie_decimals(metric=m.name) for m in METRIC_TABLE} == {
        "pll": 3,
        "pll_word_l2r": 3,
        "aul": None,
        "aula": None,
        "crows": 3,
        "ll": 3,
        "ll_shared": 3,
        "geomean_prob": None,
        "stereoset_blank": None,
    }


def test_every_card_is_complete():
    for m in METRIC_TABLE:
        assert (
            m.kind in ("masked", "causal")
            and m.unit in ("sentence", "pair", "blank")
            and m.ties in ("raw", "3dp")
        )
        for field in ("title", "measures", "formula", "reference", "caveats", "citation"):
            assert len(getattr(m, field)) > 10 or field == "title", (m.name, field)


def test_docs_page_is_generated_from_the_registry():
    on_disk = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert on_disk == metric_cards_markdown(), "regenerate: trustkit metrics --markdown > docs/metrics.md"


def test_readme_names_every_metric_and_links_the_cards():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/metrics.md" in readme
    for name in METRICS:
        assert f"`{name}`" in readme, name


def test_unknown_metric_names_the_closest_one():
    from trustkit.errors import UnknownNameError

    with pytest.raises(UnknownNameError, match=r"unknown metric 'aulaa' \(did you mean 'aula'\?\)"):
        get_metric("aulaa")


def test_cli_lists_and_shows_cards(capsys):
    assert main(["metrics"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(METRICS)
    assert main(["metrics", "crows"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("### `crows`") and "nyu-mll/crows-pairs metric.py" in out
    assert main(["metrics", "nope"]) == 1
    assert "unknown metric 'nope'" in capsys.readouterr().err


def test_scorers_dispatch_through_the_registry_only():
    """No scorer module tests a metric by name: plans, fast path and attention come from the registry."""
    import re

    tests = 0
    for path in (ROOT / "trustkit" / "scoring").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        tests += len(re.findall(r"metric\s*(?:==|!=|in|not in)\s*[(\[\"']", text))
    assert tests <= 4


def test_metric_none_means_the_default_of_the_kind():
    from trustkit.scoring.registry import default_metric

    assert [default_metric(k, c) for k in ("masked", "causal") for c in ("sentences", "pairs")] == [
        "pll",
        "crows",
        "ll",
        "ll",
    ]
    for m in METRIC_TABLE:
        assert callable(m.plan), m.name
    flags = {m.name for m in METRIC_TABLE if m.one_position_per_row}
    assert flags == {"pll", "pll_word_l2r", "crows", "stereoset_blank"}
    assert {m.name for m in METRIC_TABLE if m.needs_attention} == {"aula"}


def test_unknown_paraphrase_method_is_the_one_unknown_name_error():
    from trustkit.errors import UnknownNameError
    from trustkit.paraphrase import paraphraser_from_spec

    with pytest.raises(UnknownNameError, match=r"did you mean 'backtranslation'"):
        paraphraser_from_spec("backtranslaton")
