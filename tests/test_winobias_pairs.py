"""WinoBias as likelihood pairs: pairing checked line by line against the published files; reporting."""

import re

import pandas as pd
import pytest
import reference_scorer as ref
import tolerances

from trustkit.cli import main
from trustkit.data import load_pairs, load_winobias_pairs
from trustkit.data.fetching import fetch
from trustkit.scoring import CausalLMScorer, MaskedLMScorer
from trustkit.stats import winobias_scores


def _plain(line: str) -> tuple[int, str]:
    number, text = line.split(" ", 1)
    return int(number), text.replace("[", "").replace("]", "")


def test_every_pair_is_line_n_of_the_pro_file_against_line_n_of_the_anti_file():
    pairs = load_pairs("winobias")
    assert len(pairs) == 4 * 396 and pairs["pair_id"].is_unique
    folder = fetch("winobias")
    seen = 0
    for t in (1, 2):
        for split in ("dev", "test"):
            pro = (folder / f"pro_stereotyped_type{t}.txt.{split}").read_text(encoding="utf-8").splitlines()
            anti = (folder / f"anti_stereotyped_type{t}.txt.{split}").read_text(encoding="utf-8").splitlines()
            mine = pairs[(pairs["type"] == t) & (pairs["split"] == split)].reset_index(drop=True)
            assert len(mine) == len(pro) == len(anti) == 396
            for k, (p_line, a_line) in enumerate(zip(pro, anti)):
                (n_pro, s_pro), (n_anti, s_anti) = _plain(p_line), _plain(a_line)
                assert n_pro == n_anti == k + 1 == mine.loc[k, "item"]
                assert mine.loc[k, "sent_more"] == s_pro and mine.loc[k, "sent_less"] == s_anti
                assert mine.loc[k, "source_row"] == f"type{t}.{split}:{k + 1}"
                pronoun = re.findall(r"\[([^\]]*)\]", p_line)[1].lower()
                assert mine.loc[k, "pronoun_gender"] == (
                    "male" if pronoun in ("he", "him", "his") else "female"
                )
                seen += 1
    assert seen == 1584
    assert set(pairs["direction"]) == {"stereo"} and set(pairs["bias_type"]) == {"gender"}
    assert (pairs["pronoun_gender"].value_counts() == 792).all()


def test_pairs_that_differ_beyond_the_pronoun_are_flagged_not_hidden():
    pairs = load_winobias_pairs()
    odd = pairs[~pairs["only_pronoun_differs"]]
    # e.g. type1.test:157 "because he is a generous man." vs "because she is generous."
    assert len(odd) == 20 and "type1.test:157" in set(odd["source_row"])
    assert "type1.dev:1" not in set(odd["source_row"])
    assert len(load_winobias_pairs(2, "test")) == 396


def test_any_metric_scores_winobias_and_the_report_breaks_it_down():
    pairs = load_winobias_pairs().groupby(["type", "split"]).head(3).reset_index(drop=True)
    model, tokenizer = ref.tiny_causal_lm("gpt2")
    scored = CausalLMScorer(model, tokenizer, cache=False, progress=False).score_pairs(pairs, "ll")
    for row in scored.head(2).itertuples():
        want = ref.causal_ll(model, tokenizer, row.sent_more)
        assert row.score_more == pytest.approx(want, abs=tolerances.ENGINE_VS_REFERENCE)
    report = winobias_scores(scored, n_resamples=100)
    assert report[["facet", "group"]].values.tolist() == [
        ["all", "overall"],
        ["type", "1"],
        ["type", "2"],
        ["split", "dev"],
        ["split", "test"],
        ["pronoun_gender", "female"],
        ["pronoun_gender", "male"],
    ]
    type2 = scored[scored["type"] == 2]
    assert report.loc[2, "estimate"] == pytest.approx(
        100 * (type2.score_more.round(3) > type2.score_less.round(3)).mean()
    )
    assert report.loc[0, "n"] == 12 and (report["ci_low"] <= report["estimate"]).all()
    masked, tok = ref.tiny_masked_lm("bert")
    crows = MaskedLMScorer(masked, tok, cache=False, progress=False).score_pairs(pairs.head(4), "crows")
    assert (crows["n_shared"] > 5).all()  # the twins share everything but the pronoun


def test_cli_scores_winobias(tmp_path, capsys):
    model, tokenizer = ref.tiny_causal_lm("gpt2")
    model.save_pretrained(tmp_path / "m")
    tokenizer.save_pretrained(tmp_path / "m")
    out = tmp_path / "wb.csv"
    code = main(
        [
            "score",
            "--model",
            str(tmp_path / "m"),
            "--random-control",
            "--data",
            "winobias",
            "--metric",
            "ll",
            "--limit",
            "6",
            "--no-cache",
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0 and "WinoBias bias score" in printed and "pronoun_gender" in printed
    table = pd.read_csv(out)
    assert {"type", "split", "pronoun_gender", "only_pronoun_differs"} <= set(table.columns)
