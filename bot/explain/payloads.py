"""Captured payloads read into records: CSV rows, JSON lines, or one JSON document.

An input record becomes its values, named where the payload names them (a JSON object's
keys); an output record becomes its cells or JSON value. A batch request (several CSV rows
or JSON lines) gives several records, matched to the output's by position.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from bot.explain.capture import Payload

Cells = list[tuple[str | None, str]]  # (name when the payload gives one, value)


def records(payload: Payload | None) -> list[Any]:
    """The records a payload holds: lists of CSV cells, or JSON values."""
    if payload is None:
        return []
    if payload.format == "csv":
        return [row for row in csv.reader(io.StringIO(payload.text)) if row]
    if payload.format == "json":
        return _json_records(payload.text)
    return [[payload.text]] if payload.text.strip() else []


def _json_records(text: str) -> list[Any]:
    try:
        document = json.loads(text)
    except ValueError:  # JSON lines: one record a line
        found = []
        for line in text.splitlines():
            if line.strip():
                try:
                    found.append(json.loads(line))
                except ValueError:
                    found.append(line)
        return found
    if isinstance(document, dict):
        for key in ("instances", "predictions"):  # the TensorFlow Serving style batch
            if isinstance(document.get(key), list) and len(document) == 1:
                return list(document[key])
    return [document]


def input_cells(record: Any, features_attribute: str | None = None) -> Cells:
    """One input record's values."""
    if isinstance(record, dict):
        for key in (features_attribute, "features"):
            if key and isinstance(record.get(key), list):
                return [(None, shown(v)) for v in record[key]]
        return [(str(k), shown(v)) for k, v in record.items()]
    if isinstance(record, list):
        return [(None, shown(v)) for v in record]
    return [(None, shown(record))]


def shown(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
