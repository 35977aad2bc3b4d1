"""Structured logs: one JSON object a line, with the event and resource it concerns."""

from __future__ import annotations

import json
import logging

from bot.ops.logs import JsonFormatter


def record(message: str, **extra: object) -> logging.LogRecord:
    entry = logging.LogRecord(
        "bot.delivery.worker", logging.WARNING, __file__, 1, message, (), None
    )
    for name, value in extra.items():
        setattr(entry, name, value)
    return entry


def test_a_line_is_json_with_its_context() -> None:
    line = JsonFormatter().format(
        record("delivery failed", event_id="e-1", resource="training_job:x")
    )
    data = json.loads(line)
    assert data["level"] == "warning"
    assert data["logger"] == "bot.delivery.worker"
    assert data["message"] == "delivery failed"
    assert data["event_id"] == "e-1" and data["resource"] == "training_job:x"
    assert "\n" not in line


def test_fields_without_a_value_are_left_out_and_unicode_kept() -> None:
    data = json.loads(JsonFormatter().format(record("ümlaut <!channel>")))
    assert "event_id" not in data
    assert data["message"] == "ümlaut <!channel>"


def test_an_exception_is_one_field_not_many_lines() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        entry = record("failed")
        entry.exc_info = sys.exc_info()
    line = JsonFormatter().format(entry)
    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["error"]
