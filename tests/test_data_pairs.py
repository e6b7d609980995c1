"""Pair loaders: CrowS-Pairs and its revisions load with their counts; bad rows are named by line."""

import warnings
from pathlib import Path

import pandas as pd
import pytest

from trustkit.data import PAIR_COLUMNS, PairFileError, PairFileWarning, check_pair_file, load_pairs

FIXTURES = Path(__file__).parent / "fixtures" / "data"
CROWS_COUNTS = {
    "race-color": 516,
    "socioeconomic": 172,
    "gender": 262,
    "nationality": 159,
    "religion": 105,
    "age": 87,
    "sexual-orientation": 84,
    "physical-appearance": 63,
    "disability": 60,
}


def test_crows_pairs_has_1508_pairs_with_the_published_counts():
    pairs = load_pairs("crows_pairs")
    assert list(pairs.columns) == PAIR_COLUMNS
    assert len(pairs) == 1508 and pairs.attrs["dropped"] == []
    assert pairs.bias_type.value_counts().to_dict() == CROWS_COUNTS
    assert pairs.direction.value_counts().to_dict() == {"stereo": 1290, "antistereo": 218}
    assert pairs.pair_id.is_unique and pairs.source_row.tolist() == [str(i) for i in range(1508)]
    # row 1293's sent_less holds a quoted line break: it must stay one pair
    assert pairs.loc[1293, "sent_less"] == "Bob was denied because he was white\n."
    assert pairs.attrs["sha256"].startswith("dfb36986")


def test_neveol_revision_reads_tabs_new_pairs_and_french_labels_visibly():
    with pytest.warns(PairFileWarning, match=r"'autre' read as 'other' \(11 row"):
        pairs = load_pairs("crows_pairs_revised")
    assert len(pairs) == 1677
    assert pairs.source_row.str.startswith("LA").sum() == 210
    assert (pairs.bias_type == "other").sum() == 11
    assert set(pairs.bias_type) <= set(CROWS_COUNTS) | {"other"}


def test_pikuliak_revision_fixes_the_typo_and_drops_the_stereo_label_visibly():
    with pytest.warns(PairFileWarning) as record:
        pairs = load_pairs("crows_pairs_pikuliak")
    messages = "\n".join(str(w.message) for w in record)
    assert "'Race-color' read as 'race-color' (1 row(s), line 404)" in messages
    assert "crows_revised.csv:1255: bias_type 'stereo' is a direction label" in messages
    assert len(pairs) == 1466 and "1293" not in set(pairs.source_row)
    assert pairs.attrs["dropped"][0]["source_row"] == "1293"
    assert "Race-color" not in set(pairs.bias_type) and "stereo" not in set(pairs.bias_type)


def test_french_file_drops_its_four_unscorable_rows_visibly():
    with pytest.warns(PairFileWarning) as record:
        pairs = load_pairs("crows_pairs_revised_fr")
    assert any("4 row(s) dropped" in str(w.message) for w in record)
    assert len(pairs) == 1673
    assert sorted(d["source_row"] for d in pairs.attrs["dropped"]) == ["129", "379", "388", "59"]


@pytest.mark.parametrize("name", ["pairs_good.tsv", "pairs_good.jsonl"])
def test_clean_user_files_load_without_any_warning(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error", PairFileWarning)
        pairs = load_pairs(FIXTURES / name)
    assert list(pairs.columns) == PAIR_COLUMNS
    assert pairs.sent_less.tolist() == ["Rich people are lazy.", "The young man learned the app quickly."]
    assert pairs.direction.tolist() == ["stereo", "antistereo"]
    assert pairs.bias_type.tolist() == ["socioeconomic", "age"]
    assert pairs.attrs["dropped"] == []


def test_user_csv_keeps_quoted_line_breaks_and_its_index_column():
    with pytest.warns(PairFileWarning, match="'Gender' read as 'gender'.*line 3"):
        pairs = load_pairs(FIXTURES / "pairs_good.csv")
    assert pairs.source_row.tolist() == ["7", "8", "9"]
    assert pairs.loc[1, "sent_more"] == 'He said: "women can\'t drive"\nand laughed.'
    assert pairs.loc[1, "bias_type"] == "gender"


BAD_CSV_LINES = {
    6: "empty sent_less",
    7: "identical",
    8: "unknown direction 'sideways'",
    9: "empty bias_type",
    10: "bias_type 'stereo' is a direction label",
}


def test_every_bad_row_is_listed_with_its_real_line_number():
    path = FIXTURES / "pairs_bad.csv"
    with pytest.raises(PairFileError) as info:
        load_pairs(path)
    assert isinstance(info.value, ValueError)
    assert [p.line for p in info.value.problems] == list(BAD_CSV_LINES)
    for line, reason in BAD_CSV_LINES.items():
        assert f"{path}:{line}: " in str(info.value) and reason in str(info.value)


def test_errors_drop_keeps_good_rows_and_reports_the_rest():
    with pytest.warns(PairFileWarning, match="5 row"):
        pairs = load_pairs(FIXTURES / "pairs_bad.csv", errors="drop")
    assert len(pairs) == 2  # line 2 and the multi-line record on lines 3-5
    assert [d["line"] for d in pairs.attrs["dropped"]] == list(BAD_CSV_LINES)


def test_missing_column_raises_even_with_drop():
    with pytest.raises(PairFileError, match=r"pairs_missing_column.csv:1: missing column\(s\) sent_less"):
        load_pairs(FIXTURES / "pairs_missing_column.csv", errors="drop")


def test_jsonl_problems_are_named_by_line():
    problems = [str(p) for p in check_pair_file(FIXTURES / "pairs_bad.jsonl").problems]
    assert [p.split(": ", 1)[0].rsplit(":", 1)[1] for p in problems] == ["2", "3", "4"]
    assert "missing field(s) sent_less" in problems[0]
    assert "not valid JSON" in problems[1] and "empty sent_more" in problems[2]


def test_undecodable_bytes_are_named_by_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        b"sent_more,sent_less,stereo_antistereo,bias_type\n"
        b"Poor people are lazy.,Rich people are lazy.,stereo,socioeconomic\n"
        b"Jos\xe9 is lazy.,John is lazy.,stereo,nationality\n"
    )
    with pytest.raises(PairFileError, match=r"latin1.csv:3: undecodable bytes b'\\xe9'"):
        load_pairs(path)


def test_stray_fields_are_named_and_pair_ids_stay_stable(tmp_path):
    path = tmp_path / "stray.jsonl"
    path.write_text(
        '{"sent_more": "A", "sent_less": "B", "direction": "stereo", "bias_type": "age"}\n'
        "[1, 2]\n"
        '{"sent_more": "C", "sent_less": "D", "direction": "stereo", "bias_type": "age"}\n'
    )
    with pytest.warns(PairFileWarning, match=r"stray.jsonl:2: not a JSON object -> row dropped"):
        pairs = load_pairs(path, errors="drop")
    assert pairs.pair_id.tolist() == [0, 2]
    csv_path = tmp_path / "stray.csv"
    csv_path.write_text("sent_more,sent_less,direction,bias_type\nA,B,stereo,age,extra\nC,D,stereo,age\n")
    with pytest.raises(PairFileError, match=r"stray.csv:2: expected 4 fields, found 5"):
        load_pairs(csv_path)


def test_bad_arguments_are_refused_clearly(tmp_path):
    with pytest.raises(ValueError, match="errors must be"):
        load_pairs("crows_pairs", errors="ignore")
    with pytest.raises(FileNotFoundError, match="crows_pairs_revised"):
        load_pairs(tmp_path / "absent.csv")
    with pytest.raises(ValueError, match="not a pair dataset"):
        load_pairs("stereoset")


def test_loaded_table_is_a_plain_dataframe():
    pairs = load_pairs(FIXTURES / "pairs_good.tsv")
    assert isinstance(pairs, pd.DataFrame) and pairs.pair_id.dtype == "int64"
