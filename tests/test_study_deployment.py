"""The deployment-choice study (notebook 07): every choice paired on the same pairs, each one named."""

from trustkit.study.deployment import deployment_study


def test_every_choice_is_recorded_with_its_precision_and_compared_with_the_first(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTKIT_CACHE", str(tmp_path / "cache"))
    result = deployment_study(
        "crows_pairs",
        control="bert-tiny",
        control_precisions=["fp32", "int8"],
        control_n_pairs=6,
        control_n_texts=1,
        n_resamples=100,
        progress=False,
    )
    # one provenance record per scored (model, precision), for the figures' manifest entries
    assert [m["precision"] for m in result.models] == ["fp32", "int8"]
    assert len({m["model_id"] for m in result.models}) == 1
    assert list(result.runs["precision"]) == ["fp32", "int8"] and set(result.runs["n"]) == {6}
    diff = result.differences().iloc[0]
    assert diff["precision"] == "int8" and diff["n_pairs"] == 6
    assert f"{diff['flips']} of 6 decisions flip" in result.findings()
