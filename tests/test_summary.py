"""One summary type for every result: a dict of named numbers with a table, text and HTML."""

import json

import pandas as pd

from trustkit.summary import Summary


def test_summary_is_a_dict_with_a_table_text_and_html():
    s = Summary({"pairs": 4, "bias score": 62.5, "rejected_by_kind": {"too_similar": 2}}, title="m")
    assert dict(s) == {"pairs": 4, "bias score": 62.5, "rejected_by_kind": {"too_similar": 2}}
    assert json.loads(json.dumps(s)) == dict(s)  # reports store it as JSON
    table = s.table()
    assert table.name == "m" and table.index.tolist() == ["pairs", "bias score", "rejected_by_kind"]
    assert pd.DataFrame({"m": s}).loc["bias score", "m"] == 62.5  # notebooks compare results side by side
    assert s.text().splitlines() == [
        "m",
        "pairs: 4",
        "bias score: 62.5",
        "rejected_by_kind: {'too_similar': 2}",
    ]
    assert str(s) == s.text() and "<table" in s._repr_html_() and "62.5" in s.html()


def test_a_summary_with_prose_prints_its_own_lines():
    s = Summary({"papers": 10}, title="landscape", lines=["10 papers 2020-2021", "runtime 1.0 s"])
    assert s.text() == "10 papers 2020-2021\nruntime 1.0 s" and s["papers"] == 10
    assert "<pre>10 papers 2020-2021" in s.html()
