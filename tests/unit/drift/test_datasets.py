"""Reading the tables our own statistics compare: CSV with or without a header, and
SageMaker data-capture JSON lines (CSV, BASE64, other content skipped)."""

from __future__ import annotations

import base64
import json

import numpy as np

from bot.drift.compare import Categorical, Numeric, compare_tables, typed
from bot.drift.datasets import read_capture, read_csv, read_table


def capture_line(data: str, encoding: str = "CSV", content_type: str = "text/csv") -> str:
    """One data-capture record, shaped as SageMaker writes them."""
    return json.dumps(
        {
            "captureData": {
                "endpointInput": {
                    "observedContentType": content_type,
                    "mode": "INPUT",
                    "data": data,
                    "encoding": encoding,
                },
                "endpointOutput": {
                    "observedContentType": "text/csv; charset=utf-8",
                    "mode": "OUTPUT",
                    "data": "0.93",
                    "encoding": "CSV",
                },
            },
            "eventMetadata": {"eventId": "7f1c", "inferenceTime": "2026-11-25T03:00:00Z"},
            "eventVersion": "0",
        }
    )


def test_a_header_is_recognised() -> None:
    table = read_csv("age,city\n31,paris\n45,lyon\n", "a.csv")
    assert table.names == ["age", "city"] and table.columns == [["31", "45"], ["paris", "lyon"]]


def test_without_a_header_columns_are_named_as_model_monitor_names_them() -> None:
    table = read_csv("31,0.5\n45,0.7\n", "a.csv")
    assert table.names is None and table.rows == 2
    comparison = compare_tables(table, read_csv("30,0.5\n44,0.6\n", "b.csv"))
    assert sorted(f.name for f in comparison.features) == ["_c0", "_c1"]


def test_an_all_text_table_keeps_its_header_only_when_it_looks_like_one() -> None:
    assert read_csv("city,plan\nparis,gold\nlyon,free\n", "a.csv").names == ["city", "plan"]
    assert read_csv("paris,gold\nparis,gold\n", "a.csv").names is None


def test_missing_cells_and_ragged_rows() -> None:
    table = read_csv("a,b\n1,x\n,y\nNA\n4,z,extra\n", "a.csv")
    assert table.rows == 4 and len(table.columns) == 3
    base, _ = typed(table.columns[0], table.columns[0])
    assert isinstance(base, Numeric)
    assert np.isnan(base.values[1]) and np.isnan(base.values[2]) and base.values[3] == 4.0


def test_numbers_make_a_numeric_column_and_words_a_categorical_one() -> None:
    numeric, _ = typed(["1", "2.5", "-3e2", "nan", ""], ["4"])
    words, other = typed(["paris", "lyon", "1"], ["nice", ""])
    assert isinstance(numeric, Numeric) and numeric.values[2] == -300.0
    assert isinstance(words, Categorical) and isinstance(other, Categorical)
    assert words.vocabulary == other.vocabulary == ("paris", "lyon", "1", "nice")
    assert other.codes.tolist() == [3, -1]


def test_data_capture_lines_give_rows_whatever_their_encoding() -> None:
    lines = [
        capture_line("31,paris"),
        capture_line(base64.b64encode(b"45,lyon\n52,nice").decode(), "BASE64"),
        capture_line('{"instances": [1, 2]}', "JSON", "application/json"),
        "not json at all",
        "",
    ]
    table = read_capture("\n".join(lines), "capture.jsonl")
    assert table.names is None
    assert table.columns == [["31", "45", "52"], ["paris", "lyon", "nice"]]
    assert table.skipped == 2 and "2 record(s)" in table.notes[0]


def test_data_capture_is_matched_to_the_baseline_by_position() -> None:
    baseline = read_csv("age,city\n31,paris\n45,lyon\n38,paris\n", "train.csv")
    current = read_table(
        "\n".join(capture_line(row) for row in ("33,paris", "41,nice", "30,lyon,7")).encode(),
        "s3://bucket/capture/2026/11/25/03/part.jsonl",
    )
    comparison = compare_tables(baseline, current)
    assert {f.name: f.kind for f in comparison.features} == {
        "age": "numeric",
        "city": "categorical",
    }
    assert comparison.notes == ["only in the current data: _c2"]


def test_columns_are_matched_by_name_when_both_have_a_header() -> None:
    baseline = read_csv("a,b,c\n1,2,3\n4,5,6\n", "a.csv")
    current = read_csv("c,a,d\n3,1,9\n6,4,9\n", "b.csv")
    comparison = compare_tables(baseline, current)
    assert sorted(f.name for f in comparison.features) == ["a", "c"]
    assert comparison.notes == ["only in the baseline: b", "only in the current data: d"]
    assert all(f.psi == 0.0 for f in comparison.features)
