"""The tail of a job's CloudWatch Logs: the last lines across its streams.

SageMaker writes each instance of a job to its own stream, named `<job>/<host>-<epoch>`
(training, processing) or `<job>/<instance>` (transform), and a labeling job to one stream
named as the job, in one group per job kind (the rows of bot.kinds.jobs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.aws.calls import optional, pages
from bot.aws.errors import NotFound

MAX_STREAMS = 8  # the most recently written streams read for a tail


@dataclass(frozen=True)
class LogLine:
    stream: str
    time: datetime
    message: str


@dataclass(frozen=True)
class LogTail:
    group: str
    prefix: str
    streams: int  # streams found under the prefix
    lines: list[LogLine]

    def text(self, line_chars: int = 300) -> list[str]:
        """The lines as plain text, each with its time, its host when there are several,
        and cut to `line_chars` (a stack trace line can be kilobytes)."""
        several = len({line.stream for line in self.lines}) > 1
        shown = []
        for line in self.lines:
            host = f"[{line.stream.removeprefix(self.prefix)}] " if several else ""
            text = f"{line.time:%H:%M:%S} {host}{line.message.rstrip()}"
            shown.append(text if len(text) <= line_chars else text[: line_chars - 1] + "…")
        return shown


def tail(logs: Any, group: str, prefix: str, count: int = 20) -> LogTail:
    """The last `count` lines written to the streams of `group` starting with `prefix`
    (an empty tail when the group or the streams do not exist yet)."""
    try:
        streams = pages(
            logs,
            "describe_log_streams",
            "logStreams",
            limit=50,
            page_size=50,
            what=f"log group {group}",
            logGroupName=group,
            logStreamNamePrefix=prefix,
        )
    except NotFound:
        return LogTail(group, prefix, 0, [])
    streams.sort(key=lambda stream: stream.get("lastEventTimestamp") or 0, reverse=True)
    lines: list[LogLine] = []
    for stream in streams[:MAX_STREAMS]:
        name = str(stream.get("logStreamName", ""))
        answer = optional(
            logs,
            "get_log_events",
            logGroupName=group,
            logStreamName=name,
            limit=count,
            startFromHead=False,
        )
        for event in (answer or {}).get("events") or []:
            stamp = event.get("timestamp")
            if isinstance(stamp, int | float):
                moment = datetime.fromtimestamp(stamp / 1000, UTC)
                lines.append(LogLine(name, moment, str(event.get("message", ""))))
    lines.sort(key=lambda line: line.time)
    return LogTail(group, prefix, len(streams), lines[-count:])
