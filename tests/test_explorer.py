"""trustkit.explore: the tables behind the linked views, and the Vega-Lite chart JupyterLab renders."""

import doctest
import json

import numpy as np
import pandas as pd
import pytest

import trustkit
from trustkit import stats
from trustkit.explorer import (
    VEGALITE_MIME,
    explore,
    pair_rows,
    read_scored,
    tables,
    views,
    wording_rows,
)


def _scored(n_pairs=12, seed=0, model=None):
    rng = np.random.default_rng(seed)
    rows = []
    for pid in range(n_pairs):
        base = rng.normal(0, 2)
        for k in range(1 if pid % 4 == 0 else 3):
            rows.append(
                {
                    "pair_id": pid,
                    "para_index": k,
                    "bias_type": ["age", "gender"][pid % 2],
                    "direction": "stereo",
                    "sent_more": f"The old man {pid} wording {k}.",
                    "sent_less": f"The young man {pid} wording {k}.",
                    "delta": base + (rng.normal(0, 2) if k else 0.0),
                }
            )
    out = pd.DataFrame(rows)
    return out.assign(model=model) if model else out


def test_pair_rows_flag_flips_as_stats_does():
    scored = _scored()
    pairs = pair_rows(scored)
    assert len(pairs) == 12 and (pairs.abs_delta == pairs.delta.abs()).all()
    sens = stats.paraphrase_sensitivity(scored).set_index("pair_id")["flipped"]
    for row in pairs.itertuples():
        expected = (
            "no paraphrase" if row.pair_id not in sens.index else ("yes" if sens[row.pair_id] else "no")
        )
        assert row.flipped == expected
    assert (pairs.loc[pairs.pair_id % 4 == 0, "n_paraphrases"] == 0).all()
    assert (
        wording_rows(scored).groupby("pair_id").size().to_dict() == scored.groupby("pair_id").size().to_dict()
    )


def test_chart_is_vega_lite_v5_with_linked_selections_and_every_row():
    scored = _scored(n_pairs=3000)  # more rows than Altair's default limit of 5,000
    explorer = explore(scored)
    bundle, metadata = explorer._repr_mimebundle_()
    assert (
        set(bundle) == {VEGALITE_MIME, "text/plain"}
        and metadata[VEGALITE_MIME]["embed_options"]["renderer"] == "svg"
    )
    spec = bundle[VEGALITE_MIME]
    assert "vega-lite/v5" in spec["$schema"]
    text = json.dumps(spec)
    for name in ("brush", "pick", "f_bias_type", "f_direction", "f_flipped", "f_min_abs_delta"):
        assert f'"{name}"' in text
    sizes = sorted(len(values) for values in spec["datasets"].values())
    assert len(scored) in sizes and 3000 in sizes
    assert '"param": "pick"' in text and '"param": "brush"' in text, (
        "the table and detail views must be linked"
    )


def test_several_models_need_a_choice():
    both = pd.concat([_scored(model="a"), _scored(seed=1, model="b")])
    with pytest.raises(ValueError, match="model="):
        explore(both)
    assert len(explore(both, model="b").pairs) == 12
    with pytest.raises(ValueError, match="not in the table"):
        explore(both, model="c")


def test_a_saved_score_table_gets_its_sentences_back(tmp_path):
    from trustkit.data import load_pairs
    from trustkit.fileio import write_table_with_sidecar

    pairs = load_pairs("crows_pairs").head(5)
    scored = pairs.assign(score_more=-10.0, score_less=-11.0 + np.arange(5), delta=1.0 - np.arange(5))
    out = tmp_path / "ll.csv"
    columns = ["pair_id", "bias_type", "direction", "score_more", "score_less", "delta"]
    sidecar = {"metric": "ll", "data": "crows_pairs", "data_sha256": pairs.attrs["sha256"]}
    write_table_with_sidecar(scored[columns], out, sidecar)
    back = read_scored(out)
    assert back.sent_more.tolist() == pairs.sent_more.tolist() and back.attrs["metric"] == "ll"
    explorer = trustkit.explore(str(out))
    assert explorer.pairs.sent_less.tolist() == pairs.sent_less.tolist()


def test_tokens_come_from_the_scorer_and_mark_the_group_words():
    from trustkit.models import random_control
    from trustkit.scoring import load_scorer

    scorer = load_scorer(random_control("bert", "tiny"), random_control=True, cache=False, progress=False)
    pairs = pd.DataFrame(
        {
            "pair_id": [7],
            "sent_more": ["Poor people are lazy."],
            "sent_less": ["Rich people are lazy."],
            "direction": ["stereo"],
            "bias_type": ["socioeconomic"],
        }
    )
    scored = scorer.score_pairs(pairs, "pll")
    explorer = explore(scored, scorer=scorer)
    tokens = explorer.tokens
    assert set(tokens.sentence) == {"sent_more", "sent_less"}
    assert tokens.loc[tokens.differs, "token"].tolist() == ["poor", "rich"]
    more = tokens[tokens.sentence == "sent_more"]
    assert more.log_prob.sum() == pytest.approx(scored.score_more.iloc[0], abs=1e-4)


def test_explore_needs_a_table():
    with pytest.raises(ValueError, match="scored table"):
        explore(pd.DataFrame())


def test_live_scoring_matches_the_table_path():
    """score_pair gives the Δ and decision of score_pairs, and tokens whose sums are the scores."""
    from trustkit.explorer import live_scorer, score_pair
    from trustkit.explorer.live import STATIC_MESSAGE
    from trustkit.models import random_control
    from trustkit.scoring import load_scorer

    scorer = load_scorer(random_control("bert", "tiny"), random_control=True, cache=False, progress=False)
    pair = score_pair(scorer, "Poor people are lazy.", "Rich people are lazy.")
    table = scorer.score_pairs(
        pd.DataFrame(
            {
                "pair_id": [0],
                "sent_more": ["Poor people are lazy."],
                "sent_less": ["Rich people are lazy."],
                "direction": ["stereo"],
            }
        ),
        "pll",
    )
    assert pair.delta == pytest.approx(float(table.delta.iloc[0]), abs=1e-9)
    assert pair.outcome == int(
        np.sign(round(table.score_more.iloc[0], 3) - round(table.score_less.iloc[0], 3))
    )
    assert pair.tokens.loc[pair.tokens.differs, "token"].tolist() == ["poor", "rich"]
    more = pair.tokens[pair.tokens.sentence == "sent_more"]
    assert more.log_prob.sum() == pytest.approx(table.score_more.iloc[0], abs=1e-4)
    assert f"{pair.delta:+.2f}" in pair.text() and pair.decision in pair.text()
    with pytest.raises(ValueError, match="sent_less is empty"):
        score_pair(scorer, "A sentence.", "  ")
    form = live_scorer(scorer)
    assert form._repr_mimebundle_() == {"text/plain": STATIC_MESSAGE}  # no kernel: the clear message
    widget = form._widget()  # what JupyterLab shows: the starting pair is scored at once
    verdict = widget.children[3].value
    assert verdict.startswith("<b>Δ = ") and form.result.decision in verdict
    widget.children[0].value = "The old man forgot."
    widget.children[2].children[1].click()
    assert (
        form.result.sent_more == "The old man forgot." and form.result.text()[:9] in widget.children[3].value
    )
    widget.children[1].value = "The young man forgot."  # Enter or leaving the box scores again
    assert (
        form.result.sent_less == "The young man forgot."
        and form.result.text()[:9] in widget.children[3].value
    )


@pytest.mark.parametrize("module", [tables, views])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted and not result.failed
