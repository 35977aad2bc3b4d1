"""Tables for our own drift statistics: a CSV file, or SageMaker data-capture JSON lines.

CSV: the first row is a header when all its cells are distinct non-numbers and some column
below it holds numbers (or none of its cells reappear below); otherwise the columns are
named `_c0`, `_c1`, ... as Model Monitor names them. Data capture (`*.jsonl`): each line's
`captureData.endpointInput.data` (encoding CSV, or BASE64 of CSV) gives rows; records with
other content are counted as skipped. Data capture has no header: its columns are matched
to the baseline's by position.

A column is numeric when at least 95% of its non-missing baseline cells are numbers;
missing cells are empty, `NA`, `NaN`, `null` or `None` (any case).
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

MISSING = frozenset({"", "na", "n/a", "nan", "null", "none"})


@dataclass
class Table:
    """Rows as read, before typing: one list of cells per column."""

    source: str
    names: list[str] | None
    columns: list[list[str]]
    skipped: int = 0  # data-capture records that held no CSV rows
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return max((len(c) for c in self.columns), default=0)


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return cell.strip().lower() not in MISSING


def read_csv(text: str, source: str) -> Table:
    rows = [row for row in csv.reader(io.StringIO(text)) if row]
    names = None
    if rows and _has_header(rows):
        names, rows = [cell.strip() for cell in rows[0]], rows[1:]
    return Table(source, names, _columns(rows, len(names) if names else 0))


def read_capture(text: str, source: str) -> Table:
    rows: list[list[str]] = []
    skipped = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            skipped += 1
            continue
        found = _capture_rows(record)
        skipped += not found
        rows += found
    table = Table(source, None, _columns(rows, 0), skipped)
    if skipped:
        table.notes.append(f"{source}: {skipped} record(s) without CSV input skipped")
    return table


def _capture_rows(record: Any) -> list[list[str]]:
    data = record.get("captureData") if isinstance(record, dict) else None
    entry = data.get("endpointInput") if isinstance(data, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.get("data"), str):
        return []
    payload, encoding = entry["data"], str(entry.get("encoding", "CSV")).upper()
    content_type = str(entry.get("observedContentType", "text/csv")).lower()
    if encoding == "BASE64":
        try:
            payload = base64.b64decode(payload, validate=False).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return []
        encoding = "CSV" if "csv" in content_type else "JSON"
    if encoding != "CSV":
        return []
    return [row for row in csv.reader(io.StringIO(payload)) if row]


def _has_header(rows: list[list[str]]) -> bool:
    first, body = rows[0], rows[1:101]
    cells = [cell.strip() for cell in first]
    if any(not cell or is_number(cell) for cell in cells) or len(set(cells)) != len(cells):
        return False
    if not body:
        return True
    for index in range(len(cells)):
        if any(index < len(row) and is_number(row[index]) for row in body):
            return True
    return not any(
        index < len(row) and row[index].strip() == cell
        for index, cell in enumerate(cells)
        for row in body
    )


def _columns(rows: list[list[str]], width: int) -> list[list[str]]:
    """Rows to columns; short rows are padded with missing cells, long ones widen the table."""
    width = max([width, *(len(row) for row in rows)]) if rows else width
    columns: list[list[str]] = [[] for _ in range(width)]
    for row in rows:
        for index in range(width):
            columns[index].append(row[index] if index < len(row) else "")
    return columns


def read_table(raw: bytes, source: str) -> Table:
    text = raw.decode("utf-8-sig", errors="replace")
    return read_capture(text, source) if _is_capture(source) else read_csv(text, source)


def _is_capture(source: str) -> bool:
    return source.lower().rstrip("/").endswith(".jsonl")
