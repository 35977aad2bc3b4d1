"""Malformed and unusual input files: each is either read right or refused with one
`InputError` naming the file and what to do, never a traceback (bot.drift.sources,
bot.drift.sniff, bot.drift.datasets). The same files through the CLI as a real process:
tests/scenarios/test_drift_cli.py."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from bot.core.errors import InputError
from bot.drift.compare import Comparison, compare_data
from bot.drift.sources import open_input

GOOD = "age,city\n" + "".join(f"{30 + i % 40},{('paris', 'lyon')[i % 2]}\n" for i in range(300))


def binary() -> bytes:
    return b"\x89\x00" + np.random.default_rng(7).bytes(4_000)


# name -> the current file's bytes, read right (rows) or refused (words of the message)
READ_RIGHT: dict[str, tuple[bytes, int]] = {
    "lf": (GOOD.encode(), 300),
    "crlf": (GOOD.replace("\n", "\r\n").encode(), 300),
    "cr": (GOOD.replace("\n", "\r").encode(), 300),
    "semicolon": (GOOD.replace(",", ";").encode(), 300),
    "tab": (GOOD.replace(",", "\t").encode(), 300),
    "quoted": (GOOD.replace("paris", '"paris, fr"').replace("lyon", '"ly""on"').encode(), 300),
    "ragged": ((GOOD + "31\n32,paris,extra\n").encode(), 300),
    "gzip": (gzip.compress(GOOD.encode()), 300),
    "utf8-bom": (b"\xef\xbb\xbf" + GOOD.encode(), 300),
}
REFUSED: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "is empty"),
    "blank-lines": (b"\n\n  \n", "is empty"),
    "binary": (binary(), "is not text"),
    "latin-1-garbage": (bytes(range(128, 256)) * 20, "is not UTF-8 text"),
    "corrupt-gzip": (b"\x1f\x8b\x08\x00" + b"not really gzip" * 10, "cannot read"),
    "header-only": (b"age,city\n", "holds no data rows"),
    "unknown-delimiter": (GOOD.replace(",", ":").encode(), "is its delimiter one of"),
    "mostly-ragged": (
        ("age,city,x\n31,paris,3\n" + "31,lyon\n" * 50).encode(),
        "most rows do not have 3 cells when split on comma",
    ),
}


def compare(tmp_path: Path, current: bytes) -> Comparison:
    (tmp_path / "base.csv").write_text(GOOD)
    (tmp_path / "current.csv").write_bytes(current)
    opened = [open_input(str(tmp_path / n), lambda: None) for n in ("base.csv", "current.csv")]
    return compare_data(*opened)


@pytest.mark.parametrize("name", sorted(READ_RIGHT))
def test_read_right(name: str, tmp_path: Path) -> None:
    data, rows = READ_RIGHT[name]
    found = compare(tmp_path, data)
    assert found.current_rows == rows
    assert sorted(f.name for f in found.features) == ["age", "city"]
    if name != "quoted":  # its cities are other words
        assert all(f.verdict == "stable" for f in found.features)
    else:
        city = next(f for f in found.features if f.name == "city")
        assert {value for value, _ in city.current.top} == {"paris, fr", 'ly"on'}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_one_line_naming_the_file(name: str, tmp_path: Path) -> None:
    data, words = REFUSED[name]
    with pytest.raises(InputError) as raised:
        compare(tmp_path, data)
    message = str(raised.value)
    assert words in message and "current.csv" in message and "\n" not in message


def test_a_ragged_row_is_counted_in_a_note(tmp_path: Path) -> None:
    found = compare(tmp_path, READ_RIGHT["ragged"][0])
    assert found.notes == [f"{tmp_path / 'current.csv'}: 2 row(s) without 2 cells skipped"]


def test_a_numeric_column_holding_words_later_on_reads_them_as_missing(tmp_path: Path) -> None:
    late_words = GOOD + "".join("unknown,paris\n" for _ in range(100))
    found = {f.name: f for f in compare(tmp_path, late_words.encode()).features}
    age = found["age"]
    assert age.kind == "numeric" and age.current.rows == 400 and age.current.count == 300
    assert age.verdict == "major"  # a quarter of the values lost is drift


def test_a_missing_file_and_a_folder_without_capture_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        open_input(str(tmp_path / "nope.csv"), lambda: None)
    with pytest.raises(InputError, match=r"no data-capture \.jsonl files under"):
        open_input(str(tmp_path), lambda: None)
