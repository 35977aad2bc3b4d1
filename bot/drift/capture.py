"""SageMaker data-capture JSON lines as CSV rows. Pure: text in, CSV text out.

Each line's `captureData.endpointInput.data` (encoding CSV, or BASE64 of CSV) gives rows;
records with other content (JSON input, unreadable lines) are counted as skipped. Data
capture has no header: its columns are matched to the baseline's by position.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any


def capture_csv(text: str) -> tuple[str, int]:
    """The CSV rows of every record, one per line, and how many records held none."""
    parts: list[str] = []
    skipped = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            skipped += 1
            continue
        payload = _csv_payload(record)
        if payload is None or not payload.strip():
            skipped += 1
            continue
        parts.append(payload.strip("\r\n"))
    return "\n".join(parts) + ("\n" if parts else ""), skipped


def looks_like_capture(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return first.lstrip().startswith("{") and "captureData" in first


def _csv_payload(record: Any) -> str | None:
    data = record.get("captureData") if isinstance(record, dict) else None
    entry = data.get("endpointInput") if isinstance(data, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.get("data"), str):
        return None
    payload, encoding = entry["data"], str(entry.get("encoding", "CSV")).upper()
    content_type = str(entry.get("observedContentType", "text/csv")).lower()
    if encoding == "BASE64":
        try:
            payload = base64.b64decode(payload, validate=False).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return None
        encoding = "CSV" if "csv" in content_type else "JSON"
    return payload if encoding == "CSV" else None
