"""Choosing predictions from capture files: the newest N, one by id, a time window, a
filter; bad files are reported and skipped, never fatal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.explain.scan import Selection, scan
from bot.explain.where import parse_where
from tests.unit.explain.samples import fraud_line, line

CaptureFiles = list[tuple[str, Callable[[], bytes | None]]]


def files(*contents: list[str] | None) -> CaptureFiles:
    """Files given newest first; None: one that cannot be read."""
    made: CaptureFiles = []
    for number, lines in enumerate(contents):
        body = None if lines is None else ("\n".join(lines) + "\n").encode()
        made.append((f"f{number}.jsonl", lambda body=body: body))
    return made


def at(minute: int) -> str:
    return f"2026-11-25T04:{minute:02d}:00Z"


NEWER = [fraud_line(0.2, event=f"n{m}", time=at(m)) for m in range(30, 40)]
OLDER = [fraud_line(0.95 if m == 5 else 0.1, event=f"o{m}", time=at(m)) for m in range(0, 10)]


def test_the_newest_n_are_read_last_line_first_and_the_scan_stops() -> None:
    found = scan(files(NEWER, OLDER), Selection(last=3))
    assert [p.id for p in found.shown] == ["n39", "n38", "n37"]
    assert found.scanned == 3 and found.files == 1


def test_an_id_is_an_event_or_inference_id() -> None:
    raw = line(
        "1", "0.5", event="ev-7", inference="txn-7", output_type="text/csv", output_encoding="CSV"
    )
    found = scan(files(NEWER, [raw, *OLDER]), Selection(last=3, id="txn-7"))
    assert [p.id for p in found.shown] == ["ev-7"] and found.matched == 1


def test_where_counts_matches_across_files() -> None:
    found = scan(files(NEWER, OLDER), Selection(last=3, where=parse_where("score>0.9")))
    assert [p.id for p in found.shown] == ["o5"]
    assert (found.matched, found.scanned, found.capped) == (1, 20, False)


def test_since_stops_at_the_first_older_record() -> None:
    since = datetime(2026, 11, 25, 4, 35, tzinfo=UTC)
    found = scan(files(NEWER, OLDER), Selection(last=10, since=since))
    assert [p.id for p in found.shown] == ["n39", "n38", "n37", "n36", "n35"]
    assert found.files == 1


def test_unreadable_and_corrupt_files_are_reported_and_skipped() -> None:
    corrupt = ["{oops", *OLDER[:2]]
    found = scan(files(None, corrupt), Selection(last=5))
    assert found.problems == [
        "f0.jsonl: could not be read",
        "f1.jsonl: 1 of 3 lines unreadable (line 1: not JSON)",
    ]
    assert [p.id for p in found.shown] == ["o1", "o0"]


def test_at_most_most_predictions_are_read() -> None:
    found = scan(files(NEWER, OLDER), Selection(last=3, where=parse_where("score>2"), most=12))
    assert (found.scanned, found.capped, found.matched) == (12, True, 0)
