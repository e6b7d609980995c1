"""The one-call landscape study on a planted corpus: tables, the claim test, figures written."""

import matplotlib.pyplot as plt
import pytest

from trustkit.landscape import LandscapeParams, landscape_params, run_landscape
from trustkit.landscape.synthetic import SMALL_SETTINGS, planted_papers

SMALL = {**SMALL_SETTINGS, "stability_seeds": 3}


@pytest.fixture(scope="module")
def result():
    res = run_landscape(SMALL, papers=planted_papers(n_per_topic=80, seed=3), progress=False)
    yield res
    plt.close("all")


def test_run_landscape_finds_planted_trustworthy_communities(result):
    tw = result.trustworthy.set_index("concept")
    m = result.membership
    assert tw.loc["privacy", "community"] == m["privacy"] != m["fairness"]
    assert tw.loc["fairness", "community"] == m["fairness"]
    assert result.separation["separated"].all()
    assert "privacy vs fairness/demography: SEPARATE" in result.summary().text()
    assert result.stability["ami"].min() > 0.9
    labelled = result.communities.set_index("community")["trustworthy"]
    # a label names the concept, then the community's two top words
    assert labelled[m["privacy"]].startswith("privacy (")
    assert labelled[m["fairness"]].startswith("fairness (")


def test_run_landscape_validation_and_tables(result):
    v = result.validation.set_index(result.validation["score"].str.split(" (", regex=False).str[0])
    assert set(v.index) == {"privacy", "fairness", "trustworthy"}
    assert v.loc["privacy", "estimate"] > 0.85 > v.loc["fairness", "estimate"]
    assert (v["ci_low"] <= v["estimate"]).all() and (v["estimate"] <= v["ci_high"]).all()
    assert len(result.paper_scores) == result.corpus.n_docs == 320
    assert result.paper_scores["is_trustnlp"].sum() == 10
    top = result.placement.iloc[0]
    assert top["community"] == result.membership["privacy"] and top["relevance_lift"] > 1
    assert set(result.share_by_year["year"]) == {2021, 2022, 2023}
    assert set(result.timings["stage"]) >= {"corpus", "network", "communities", "figures"}
    # the 10 TrustNLP papers are held out of the network but still scored
    assert result.graph.graph["n_docs"] == 310
    assert result.paper_scores.loc[result.paper_scores["is_trustnlp"], "n_words"].min() > 0


def test_figures_render_and_save(result, tmp_path):
    assert set(result.figures) == {"network_map", "top_words", "trustworthy_share", "trustnlp_placement"}
    written = result.save(tmp_path)
    pngs = [p for p in written if p.suffix == ".png"]
    assert len(pngs) == 4 and all(p.stat().st_size > 10_000 for p in pngs)
    assert (tmp_path / "05_landscape_validation.csv").read_text().startswith("score,")
    assert "TrustNLP AUC" in (tmp_path / "05_landscape_summary.txt").read_text()


def test_parameters_and_profiles():
    assert landscape_params("smoke").max_papers < landscape_params("lab").max_papers
    assert landscape_params("offline") == LandscapeParams()
    with pytest.raises(ValueError, match="unknown landscape parameters"):
        run_landscape({"resolutoin": 2.0}, papers=planted_papers(n_per_topic=2))
    with pytest.raises(ValueError, match="unknown profile"):
        landscape_params("huge")
