"""Reading data-capture files: every encoding AWS writes, and files that are corrupt or cut
short, which are named in one line without hiding their good records."""

from __future__ import annotations

import json

import pytest

from bot.explain.capture import read_capture
from tests.unit.explain.samples import DOCS_CSV_LINE, answer, line


def test_the_documented_csv_line() -> None:
    found = read_capture((DOCS_CSV_LINE + "\n").encode(), "capture.jsonl")
    [record] = found.records
    assert found.problem is None
    assert record.event_id == "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    assert record.inference_id is None
    assert record.time is not None and record.time.isoformat() == "2022-02-14T17:25:49+00:00"
    assert record.input is not None and record.input.format == "csv"
    assert record.input.text.startswith("69,0,153.7")
    assert record.output is not None and record.output.text == "0.0254181120544672"


@pytest.mark.parametrize("encoding", ["JSON", "BASE64"])
def test_json_and_base64_payloads_decode_to_the_same_text(encoding: str) -> None:
    body = answer("0.9", [[("amount", [0.5])]])
    raw = line(
        '{"amount": 12}',
        body,
        input_type="application/json",
        input_encoding=encoding,
        output_encoding=encoding,
        inference="txn-1",
    )
    [record] = read_capture(raw.encode(), "f.jsonl").records
    assert record.inference_id == "txn-1"
    assert record.input is not None and record.input.format == "json"
    assert json.loads(record.input.text) == {"amount": 12}
    assert record.output is not None and json.loads(record.output.text) == json.loads(body)


def test_base64_csv_is_read_as_csv_from_its_content_type() -> None:
    raw = line(
        "1,2,3", "0.5", input_encoding="BASE64", output_encoding="BASE64", output_type="text/csv"
    )
    [record] = read_capture(raw.encode(), "f.jsonl").records
    assert record.input is not None and (record.input.format, record.input.text) == ("csv", "1,2,3")


def test_a_corrupt_and_partial_file_is_one_line_and_keeps_the_good_records() -> None:
    good = line("1,2,3", "0.5", output_type="text/csv", output_encoding="CSV")
    bad_base64 = good.replace('"encoding": "CSV"', '"encoding": "BASE64"', 1)
    lines = [good, "{not json", bad_base64, '{"eventVersion": "0"}', good, good[:40]]
    found = read_capture("\n".join(lines).encode(), "AllTraffic/2026/11/25/04/x.jsonl")
    assert len(found.records) == 2
    assert [n for n, _ in found.bad] == [2, 3, 4, 6]
    assert found.problem == (
        "AllTraffic/2026/11/25/04/x.jsonl: 4 of 6 lines unreadable (line 2: not JSON; "
        "line 3: bad base64; line 4: no captureData; 1 more)"
    )
    assert "\n" not in found.problem


def test_a_cut_short_last_line_says_so() -> None:
    good = line("1", "0.5")
    found = read_capture((good + "\n" + good[:-10]).encode(), "f.jsonl")
    assert found.bad == [(2, "cut short")]


def test_bytes_that_are_not_text_do_not_raise() -> None:
    found = read_capture(b"\xff\xfe\x00garbage\n" + line("1", "0.5").encode(), "f.jsonl")
    assert len(found.records) == 1 and found.bad == [(1, "not JSON")]
