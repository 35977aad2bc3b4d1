"""SageMaker data-capture files (JSON lines) read into `CaptureRecord`s.

One line per invocation, as AWS documents it ("Capture data from real-time endpoint",
"View Captured Data"):

    {"captureData": {
        "endpointInput":  {"observedContentType": "text/csv", "mode": "INPUT",
                           "data": "1,2,3", "encoding": "CSV"},
        "endpointOutput": {"observedContentType": "text/csv; charset=utf-8", "mode": "OUTPUT",
                           "data": "0.0254", "encoding": "CSV"}},
     "eventMetadata": {"eventId": "...", "inferenceId": "...", "inferenceTime": "...Z"},
     "eventVersion": "0"}

`encoding` is CSV, JSON (the payload's text as is) or BASE64 (its bytes, base64-encoded: what
SageMaker writes for content types not named in `CaptureContentTypeHeader`); the payload's
format then comes from `observedContentType`. `inferenceId` is there only when the caller
gave one to InvokeEndpoint.

A corrupt or partial file (a line that is not JSON, a last line cut short, bad base64, a
line without `captureData`) never raises and never hides the good lines: each bad line is
counted, and `CaptureFile.problem` says so in one line.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from bot.core.timeparse import parse_time

Format = Literal["csv", "json", "other"]
_SHOWN_PROBLEMS = 3


@dataclass(frozen=True)
class Payload:
    """One side of an invocation, decoded to text."""

    content_type: str
    format: Format
    text: str


@dataclass(frozen=True)
class CaptureRecord:
    event_id: str | None
    inference_id: str | None
    time: datetime | None
    input: Payload | None
    output: Payload | None
    source: str  # the file it came from
    line: int  # 1-based


@dataclass
class CaptureFile:
    source: str
    records: list[CaptureRecord] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)  # (line, why)

    @property
    def problem(self) -> str | None:
        """`x.jsonl: 2 of 40 lines unreadable (line 7: not JSON; line 40: cut short)`."""
        if not self.bad:
            return None
        total = len(self.records) + len(self.bad)
        shown = "; ".join(f"line {n}: {why}" for n, why in self.bad[:_SHOWN_PROBLEMS])
        more = (
            f"; {len(self.bad) - _SHOWN_PROBLEMS} more" if len(self.bad) > _SHOWN_PROBLEMS else ""
        )
        lines = "line" if total == 1 else "lines"
        return f"{self.source}: {len(self.bad)} of {total} {lines} unreadable ({shown}{more})"


class _Bad(ValueError):
    """Why one line cannot be used."""


def read_capture(raw: bytes, source: str) -> CaptureFile:
    """Every readable record of one capture file, in file order."""
    found = CaptureFile(source)
    text = raw.decode("utf-8", errors="replace")
    lines = text.split("\n")
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            found.records.append(_record(line, source, index + 1))
        except _Bad as why:
            found.bad.append((index + 1, str(why)))
        except ValueError:
            cut = index == last and not text.endswith("\n")
            found.bad.append((index + 1, "cut short" if cut else "not JSON"))
    return found


def _record(line: str, source: str, number: int) -> CaptureRecord:
    document = json.loads(line)
    data = document.get("captureData") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        raise _Bad("no captureData")
    meta = document.get("eventMetadata")
    meta = meta if isinstance(meta, dict) else {}
    record = CaptureRecord(
        event_id=_text(meta.get("eventId")),
        inference_id=_text(meta.get("inferenceId")),
        time=parse_time(meta.get("inferenceTime")),
        input=payload(data.get("endpointInput")),
        output=payload(data.get("endpointOutput")),
        source=source,
        line=number,
    )
    if record.input is None and record.output is None:
        raise _Bad("neither endpointInput nor endpointOutput")
    return record


def payload(entry: Any) -> Payload | None:
    """One `endpointInput`/`endpointOutput`, decoded; None when absent. Raises _Bad for
    base64 that does not decode."""
    if not isinstance(entry, dict) or entry.get("data") is None:
        return None
    content_type = str(entry.get("observedContentType") or "").strip()
    encoding = str(entry.get("encoding") or "").upper()
    data = entry["data"]
    if not isinstance(data, str):  # JSON written inline rather than as text
        return Payload(content_type, "json", json.dumps(data))
    if encoding == "BASE64":
        try:
            data = base64.b64decode(data, validate=True).decode("utf-8", errors="replace")
        except (binascii.Error, ValueError):
            raise _Bad("bad base64") from None
        return Payload(content_type, format_of(content_type), data)
    if encoding == "CSV":
        return Payload(content_type, "csv", data)
    if encoding == "JSON":
        return Payload(content_type, "json", data)
    return Payload(content_type, format_of(content_type), data)


def format_of(content_type: str) -> Format:
    kind = content_type.lower()
    if "csv" in kind:
        return "csv"
    if "json" in kind:
        return "json"
    return "other"


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and str(value) else None
