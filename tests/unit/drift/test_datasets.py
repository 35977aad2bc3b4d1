"""Reading the datasets our own statistics compare (bot.drift.sources, sniff, datasets):
CSV with or without a header, any delimiter or line ending, gzip, Parquet, SageMaker
data-capture JSON lines (CSV, BASE64, other content skipped), columns matched by name or
position, and the data too large to keep counted on a grid."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bot.drift import columns, datasets
from bot.drift.columns import Counted, Kept
from bot.drift.compare import Comparison, FeatureDrift, compare_data
from bot.drift.sniff import sniff
from bot.drift.sources import open_input


def no_s3() -> None:
    raise AssertionError("no S3 here")


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


def put(folder: Path, name: str, data: str | bytes) -> str:
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


def compare(
    folder: Path,
    base: str | bytes,
    current: str | bytes,
    names: tuple[str, str] = ("a.csv", "b.csv"),
) -> Comparison:
    a, b = put(folder, names[0], base), put(folder, names[1], current)
    return compare_data(open_input(a, no_s3), open_input(b, no_s3))


def by_name(comparison: Comparison) -> dict[str, FeatureDrift]:
    return {f.name: f for f in comparison.features}


def test_a_header_is_recognised_and_kinds_follow_the_cells(tmp_path: Path) -> None:
    found = compare(tmp_path, "age,city\n31,paris\n45,lyon\n", "age,city\n30,paris\n44,nice\n")
    assert {f.name: f.kind for f in found.features} == {"age": "numeric", "city": "categorical"}
    assert (found.baseline_rows, found.current_rows) == (2, 2)


def test_without_a_header_columns_are_named_as_model_monitor_names_them(tmp_path: Path) -> None:
    found = compare(tmp_path, "31,0.5\n45,0.7\n", "30,0.5\n44,0.6\n")
    assert sorted(f.name for f in found.features) == ["_c0", "_c1"]
    assert found.baseline_rows == 2


def test_an_all_text_table_keeps_its_header_only_when_it_looks_like_one() -> None:
    assert sniff(b"city,plan\nparis,gold\nlyon,free\n", "a.csv", True).header
    layout = sniff(b"paris,gold\nparis,gold\n", "a.csv", True)
    assert not layout.header and layout.names == ("_c0", "_c1")


def test_missing_spellings_and_text_in_a_numeric_column_are_missing(tmp_path: Path) -> None:
    rows = ["1", "", "NA", "nan", "None", "null", "N/A", "abc", "4"] + ["2"] * 200
    base = "x,y\n" + "\n".join(f"{cell},1" for cell in rows) + "\n"
    feature = by_name(compare(tmp_path, base, base))["x"]
    assert feature.kind == "numeric" and feature.baseline.rows == len(rows)
    assert feature.baseline.count == len(rows) - 7  # 'abc' too: a number column's stray word


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a;b\r\n1;x\r\n2;y\r\n", "semicolon, CRLF"),
        ("a\tb\r1\tx\r2\ty\r", "tab, old Mac CR"),
        ('a,b\n1,"x, with comma"\n2,"y ""quoted"""\n', "quoted fields"),
        ('a|b\n1|"two\nlines"\n2|y\n', "pipe, a line break inside quotes"),
    ],
)
def test_delimiters_and_line_endings_are_sniffed(text: str, delimiter: str, tmp_path: Path) -> None:
    found = compare(tmp_path, text, text)
    assert [f.name for f in sorted(found.features, key=lambda f: f.name)] == ["a", "b"], delimiter
    assert found.baseline_rows == 2 and found.notes == []


def test_ragged_rows_are_skipped_and_counted(tmp_path: Path) -> None:
    found = compare(tmp_path, "a,b\n1,x\n2\n3,z,extra\n4,w\n", "a,b\n1,x\n")
    assert found.baseline_rows == 2
    assert found.notes == [f"{tmp_path / 'a.csv'}: 2 row(s) without 2 cells skipped"]


def test_gzip_is_told_by_its_content(tmp_path: Path) -> None:
    text = "a,b\n1,x\n2,y\n"
    found = compare(tmp_path, gzip.compress(text.encode()), text, ("a.csv.gz", "b.data"))
    assert found.baseline_rows == 2 and len(found.features) == 2


def test_parquet_is_read_with_its_own_types(tmp_path: Path) -> None:
    table = pa.table(
        {"age": [31, 45, None], "city": ["paris", "lyon", None], "score": [0.5, 0.7, 0.1]}
    )
    pq.write_table(table, tmp_path / "a.parquet")
    found = compare_data(
        open_input(str(tmp_path / "a.parquet"), no_s3),
        open_input(put(tmp_path, "b.csv", "age,city\n30,paris\n"), no_s3),
    )
    assert {f.name: f.kind for f in found.features} == {"age": "numeric", "city": "categorical"}
    assert found.notes == ["only in the baseline: score"]
    age = by_name(found)["age"]
    assert age.baseline.rows == 3 and age.baseline.count == 2


def test_data_capture_lines_give_rows_whatever_their_encoding(tmp_path: Path) -> None:
    lines = [
        capture_line("31,paris"),
        capture_line(base64.b64encode(b"45,lyon\n52,nice").decode(), "BASE64"),
        capture_line('{"instances": [1, 2]}', "JSON", "application/json"),
        "not json at all",
        "",
    ]
    found = compare(
        tmp_path,
        "age,city\n31,paris\n45,lyon\n38,paris\n",
        "\n".join(lines),
        ("train.csv", "part.jsonl"),
    )
    assert found.current_rows == 3
    assert {f.name: f.kind for f in found.features} == {"age": "numeric", "city": "categorical"}
    assert any("2 record(s) without CSV input skipped" in note for note in found.notes)


def test_data_capture_is_matched_to_the_baseline_by_position(tmp_path: Path) -> None:
    capture = "\n".join(capture_line(row) for row in ("33,paris", "41,nice", "30,lyon"))
    found = compare(
        tmp_path, "age,city\n31,paris\n45,lyon\n38,paris\n", capture, ("train.csv", "capture-part")
    )
    assert sorted(f.name for f in found.features) == ["age", "city"]


def test_columns_are_matched_by_name_when_both_have_a_header(tmp_path: Path) -> None:
    found = compare(tmp_path, "a,b,c\n1,2,3\n4,5,6\n", "c,a,d\n3,1,9\n6,4,9\n")
    assert sorted(f.name for f in found.features) == ["a", "c"]
    assert found.notes == ["only in the baseline: b", "only in the current data: d"]
    assert all(f.psi.value == 0.0 for f in found.features)


def data_file(folder: Path, name: str, rng: np.random.Generator, rows: int, shift: float) -> str:
    values = rng.normal(shift, 1.0, rows)
    words = rng.choice(["a", "b", "c"], rows)
    lines = ["x,w", *(f"{v:.5f},{w}" for v, w in zip(values, words, strict=True))]
    return put(folder, name, "\n".join(lines) + "\n")


@pytest.mark.parametrize("too_large", ["baseline", "current"])
def test_data_too_large_to_keep_is_counted_on_the_baselines_grid(
    too_large: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(5)
    a = data_file(tmp_path, "a.csv", rng, 30_000 if too_large == "baseline" else 8_000, 0.0)
    b = data_file(tmp_path, "b.csv", rng, 30_000, 0.3)
    exact = {f.name: f for f in compare_data(open_input(a, no_s3), open_input(b, no_s3)).features}
    monkeypatch.setattr(columns, "EXACT_VALUES", 10_000)
    monkeypatch.setattr(datasets, "EXACT_VALUES", 10_000)
    monkeypatch.setattr(datasets, "BLOCK_BYTES", 64 * 1024)
    _, base, current, _ = datasets.load(open_input(a, no_s3), open_input(b, no_s3))
    assert isinstance(base.numbers["x"], Counted) and isinstance(current.numbers["x"], Counted)
    binned = {f.name: f for f in compare_data(open_input(a, no_s3), open_input(b, no_s3)).features}
    x, exact_x = binned["x"], exact["x"]
    assert x.ks is not None and exact_x.ks is not None
    assert x.ks.statistic <= exact_x.ks.statistic <= x.ks.statistic + x.ks.resolution + 1e-12
    assert x.ks.resolution < 0.01
    assert x.psi.value == pytest.approx(exact_x.psi.value, abs=0.01)
    assert x.baseline.mean == pytest.approx(exact_x.baseline.mean, abs=1e-9)
    assert x.current.std == pytest.approx(exact_x.current.std, abs=1e-9)
    assert x.verdict == exact_x.verdict == "moderate"
    assert binned["w"].psi == exact["w"].psi


def test_values_kept_while_they_fit(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    a, b = data_file(tmp_path, "a.csv", rng, 500, 0), data_file(tmp_path, "b.csv", rng, 500, 0)
    _, base, current, _ = datasets.load(open_input(a, no_s3), open_input(b, no_s3))
    assert isinstance(base.numbers["x"], Kept) and isinstance(current.numbers["x"], Kept)
