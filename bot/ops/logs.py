"""Logging set-up: JSON lines for machines (one object a line, with the event id and the
resource when a record concerns one), plain text for a person at a terminal."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

# Attributes a record may carry through `extra=`; they become fields of the JSON line.
CONTEXT_FIELDS = ("event_id", "resource", "kind", "channel", "incident", "queue")

# Libraries' loggers held above INFO: what they say at INFO is routine, not news.
#   APScheduler: "Running job" and "executed successfully" for every 15 s tick (about
#     11,500 lines a day), "Added job", "Scheduler started"; a job that raises is an ERROR.
#   slack_sdk: an ERROR line of its own for every 5xx page that is not JSON, besides the
#     one line mlpulse logs for each failed Slack call.
#   waitress: "Client disconnected while serving" (the client's business), a connection
#     count back under the limit; "waitress.queue" warns of every request that waited for a
#     handler thread, which 200 requests at once all do.
QUIET_LOGGERS = {
    "apscheduler": logging.WARNING,
    "slack_sdk.web.base_client": logging.CRITICAL,
    "waitress": logging.WARNING,
    "waitress.queue": logging.ERROR,
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(level: int, json_lines: bool | None = None) -> None:
    """JSON unless standard error is a terminal (or `json_lines` says otherwise). Like
    logging.basicConfig, it leaves logging alone when the host (a test runner, an
    embedding program) has configured it already; the libraries are quieted either way."""
    quiet_libraries()
    root = logging.getLogger()
    if root.handlers:
        return
    use_json = not sys.stderr.isatty() if json_lines is None else json_lines
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter()
        if use_json
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level)


def quiet_libraries() -> None:
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)
