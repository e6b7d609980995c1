"""Pair audits: word-level differences, duplicates, and what a revision changed."""

import pandas as pd

from trustkit.data import pair_audit


def _pairs(rows):
    return pd.DataFrame(
        rows, columns=["pair_id", "sent_more", "sent_less", "direction", "bias_type", "source_row"]
    )


def test_pair_differences_flags_extra_edits_and_punctuation():
    pairs = _pairs(
        [
            (0, "Poor people are lazy.", "Rich people are lazy.", "stereo", "socioeconomic", "0"),
            (1, "He said his mom cooks.", "She said her mom cooks", "stereo", "gender", "1"),
            (2, "Same words.", "Same words.", "stereo", "age", "2"),
        ]
    )
    d = pair_audit.pair_differences(pairs)
    assert d.single_span.tolist() == [True, False, False]
    assert d.n_spans.tolist() == [1, 3, 0] and d.identical.tolist() == [False, False, True]
    assert d.words_more[1] == "he his ." and d.words_less[1] == "she her"
    assert d.punctuation_differs.tolist() == [False, True, False]


def test_audit_summary_counts_duplicates():
    pairs = _pairs(
        [
            (0, "A b.", "C b.", "stereo", "age", "0"),
            (1, "a b.", "c b.", "antistereo", "age", "1"),
        ]
    )
    row = pair_audit.audit_summary({"v": pairs}).loc["v"]
    assert (row.pairs, row.stereo, row.antistereo, row.duplicate_pairs, row.several_spans) == (2, 1, 1, 1, 0)


def test_compare_versions_names_every_change():
    before = _pairs(
        [
            (0, "a x", "b x", "stereo", "age", "0"),
            (1, "c y", "d y", "stereo", "age", "1"),
            (2, "e z", "f z", "stereo", "age", "2"),
            (3, "g w", "h w", "stereo", "age", "3"),
        ]
    )
    after = _pairs(
        [
            (0, "a x", "b x", "stereo", "age", "0"),
            (1, "c y!", "d y!", "stereo", "age", "1"),
            (2, "e z", "f z", "antistereo", "disability", "2"),
            (3, "new", "pair", "stereo", "other", "LA0"),
        ]
    )
    changes = pair_audit.compare_versions(before, after).set_index("source_row")
    assert changes.status.to_dict() == {
        "0": "unchanged",
        "1": "edited",
        "2": "relabelled",
        "3": "removed",
        "LA0": "added",
    }
    assert changes.loc["2", "bias_type"] == "disability" and changes.loc["3", "bias_type"] == "age"
    counts = pair_audit.revision_counts(changes.reset_index().assign(revision="r"))
    assert list(counts.columns) == list(pair_audit.REVISION_STATUSES)
    assert counts.loc[("r", "age")].tolist() == [1, 0, 1, 0]
    assert counts.loc[("r", "other")].tolist() == [0, 0, 0, 1]


def test_load_versions_reports_normalisations_and_drops_as_a_table(tmp_path, recwarn):
    path = tmp_path / "mine.csv"
    path.write_text(
        "sent_more,sent_less,stereo_antistereo,bias_type\n"
        "He is old.,She is old.,stereo,Race-color\n"
        "He is tall.,She is tall.,stereo,race-color\n"
        "He is.,She is.,sideways,race-color\n"
    )
    pairs, changes = pair_audit.load_versions([str(path)])
    assert len(pairs[str(path)]) == 2
    assert changes[["change", "rows", "lines"]].values.tolist()[0] == [
        "bias_type 'Race-color' read as 'race-color'",
        1,
        "2",
    ]
    dropped = changes[changes.change.str.startswith("row dropped")]
    assert dropped.lines.tolist() == ["4"] and changes.file.str.endswith("mine.csv").all()
    assert not [w for w in recwarn if "PairFileWarning" in w.category.__name__], (
        "reported in the table, not warned"
    )
