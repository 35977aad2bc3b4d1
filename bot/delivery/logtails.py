"""The log tail under a failed job's alert: the last lines of its CloudWatch Logs, a reply in
its thread, posted once the alert itself is in Slack.

The tail is the last step of the failure's own outbox item (`STAGE_TAIL`, after the root
and the thread reply): the item is done only once the tail is posted, so a retry, a crash
or another replica taking the item over finds the step still to do, and the post's marker
(`<item>:logs`) lets a retry find a tail that reached Slack instead of posting it twice,
like any other step. A separate outbox item queued from delivery could be lost or queued
twice by a crash between queueing it and finishing the alert; a stage cannot. The step is
taken in a pass of its own, so the tail waits for the channel's pace as every post does,
and the alerts already waiting for the channel go first.

The logs are read after the root is posted, so they never hold the alert back, and the read
is bounded (`TIMEOUT_S`): a CloudWatch Logs that does not answer costs one line saying so,
not the delivery of the alerts behind it. No lines yet, no permission, another account:
one line that says which.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from functools import partial
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.errors import AwsError
from bot.aws.logtail import LogTail
from bot.core.clock import Clock
from bot.delivery.logsources import LogSource, log_source
from bot.delivery.posting import Poster, text_only
from bot.store import OutboxItem, RootMessage
from bot.store.roles import OutboxStore
from notifiers.logtail import render_log_tail, render_logs_unread, render_no_log_lines

log = logging.getLogger(__name__)
STAGE_TAIL = 2  # after bot.store.STAGE_ROOT_DONE: the alert is in Slack, its log tail remains
LINES = 20
LINE_CHARS = 300  # a stack trace line can be kilobytes
TIMEOUT_S = 15.0
_BEHIND = timedelta(milliseconds=1)


class TailReader(Protocol):
    """What reads the logs (bot.aws.logtail.LogReader)."""

    def available(self) -> bool: ...

    def read(
        self, group: str, prefix: str, region: str | None, account: str | None, count: int
    ) -> LogTail: ...


class LogTails:
    def __init__(
        self,
        reader: TailReader | None,
        store: OutboxStore,
        poster: Poster,
        clock: Clock,
        timeout: float = TIMEOUT_S,
    ) -> None:
        self.reader, self.store, self.poster, self.clock = reader, store, poster, clock
        self.timeout = timeout
        self._on: bool | None = None  # whether the bot can read logs at all, once asked

    def finish(self, item: OutboxItem, root: RootMessage | None, wanted: bool = True) -> None:
        """After the item's alert is in Slack: done, or, when `wanted` and it reports a
        failure whose logs can be read, left at `STAGE_TAIL` for the worker's next pass,
        so the tail waits for the channel's pace like any post."""
        source = log_source(item.event) if wanted else None
        if source is not None and root is not None and root.digest_id is None and self._able():
            self.store.progress(item.id, STAGE_TAIL)
            # Due a moment later, behind the alerts already waiting: tails hold none up.
            later = self.clock.now() + _BEHIND
            self.store.retry_later(item.id, later, "log tail to post", count=False)
        else:
            self.store.complete(item.id)

    def post(self, item: OutboxItem, root: RootMessage | None) -> None:
        """An item at `STAGE_TAIL`: its log tail in the root's thread; then it is done."""
        source = log_source(item.event)
        if source is not None and root is not None and root.digest_id is None and self._able():
            payload = self._payload(source)
            plain = partial(text_only, payload)
            self.poster.post(root.channel, payload, plain, root.ts, f"{item.id}:logs", item)
        self.store.complete(item.id)

    def _able(self) -> bool:
        if self._on is None:
            self._on = self.reader is not None and self.reader.available()
        return self._on

    def _payload(self, source: LogSource) -> dict[str, Any]:
        found = self._read(source)
        if isinstance(found, str):
            return render_logs_unread(source.noun, source.name, found, source.link)
        if not found.lines:
            return render_no_log_lines(
                source.noun, source.name, source.group, source.prefix, source.link,
                source.one_stream,
            )  # fmt: skip
        lines = found.text(LINE_CHARS)
        return render_log_tail(source.noun, source.name, lines, found.streams, source.link)

    def _read(self, source: LogSource) -> LogTail | str:
        """The tail, or why it could not be read; a read that outlasts the timeout is left
        to finish on its own (its thread is a daemon), unwaited for."""
        answer: list[LogTail | str] = []
        reading = threading.Thread(
            target=lambda: answer.append(self._attempt(source)), name="log-tail", daemon=True
        )
        reading.start()
        reading.join(self.timeout)
        if not answer:
            log.warning("CloudWatch Logs did not answer for %s in time", source.group)
            return f"CloudWatch Logs did not answer within {self.timeout:g} s"
        return answer[0]

    def _attempt(self, source: LogSource) -> LogTail | str:
        assert self.reader is not None  # only asked when there is one
        try:
            return self.reader.read(
                source.group, source.prefix, source.region, source.account, LINES
            )
        except AwsError as error:
            return str(error)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "an error")
            return f"CloudWatch Logs answered {code}"
        except BotoCoreError as error:
            return f"could not reach CloudWatch Logs ({type(error).__name__})"
        except Exception:  # a bug must cost the tail, not the alert's delivery
            log.exception("reading the logs of %s failed", source.group)
            return "an error in mlpulse (see its log)"
