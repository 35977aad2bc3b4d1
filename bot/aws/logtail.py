"""The tail of a job's CloudWatch Logs: the last lines across its streams.

SageMaker writes each instance of a job to its own stream, named `<job>/<host>-<epoch>`
(training, processing) or `<job>/<instance>` (transform), and a labeling job to one stream
named as the job, in one group per job kind (the rows of bot.kinds.jobs). A CodeBuild build
writes one stream.

`tail` reads with the client it is given (`/mlpulse job`); `LogReader` reads for alerts
(bot.delivery.logtails) in the region the alert names: with the bot's own credentials, or,
for a job of an account configured in `aws.accounts`, through that account's role.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.accounts import Accounts
from bot.aws.calls import optional, pages
from bot.aws.clients import AwsClients
from bot.aws.errors import AwsError, AwsUnavailable, NotFound

log = logging.getLogger(__name__)
# A client for another region than the bot's: few retries, as the alert's tail waits on it.
_ELSEWHERE = BotoConfig(retries={"max_attempts": 3, "mode": "standard"}, read_timeout=10)

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


class LogReader:
    """Tails for alerts: in the bot's own account with its own access, in another account
    configured in `aws.accounts` through its role (bot.aws.accounts), in the region the
    alert names (each region's stack grants its own groups, deploy/cloudformation.yaml).
    A job of an account mlpulse is not given cannot be read, and the tail says so."""

    def __init__(self, aws: AwsClients, accounts: Accounts | None = None) -> None:
        self.aws, self.accounts = aws, accounts
        self._lock = threading.Lock()
        self._elsewhere: dict[str, Any] = {}  # region -> its logs client
        self._account: str | None = None
        self._asked = False

    def available(self) -> bool:
        """Whether the bot has AWS access to read with at all (a region configured): without
        one, alerts carry no log tail, as `/mlpulse job` has no answer."""
        try:
            self.aws.logs  # noqa: B018 (made on first use: it fails here without a region)
        except BotoCoreError as error:
            log.info("no log tails under alerts: %s", error)
            return False
        return True

    def read(
        self, group: str, prefix: str, region: str | None, account: str | None, count: int
    ) -> LogTail:
        """The last `count` lines of the streams of `group` starting with `prefix`; AwsError
        when they cannot be read (no permission, another account, AWS unreachable)."""
        own = self._own_account()
        try:
            if account and own and account != own:
                return tail(self._member_client(account, own, region), group, prefix, count)
            return tail(self._client(region), group, prefix, count)
        except BotoCoreError as error:  # a client for a region could not be made
            problem = f"could not reach CloudWatch Logs: {type(error).__name__}"
            raise AwsUnavailable(problem) from error

    def _client(self, region: str | None) -> Any:
        home = self.aws.logs
        if region is None or region == home.meta.region_name:
            return home
        with self._lock:
            if region not in self._elsewhere:
                session = boto3.session.Session()
                self._elsewhere[region] = session.client(
                    "logs", region_name=region, config=_ELSEWHERE
                )
            return self._elsewhere[region]

    def _member_client(self, account: str, own: str, region: str | None) -> Any:
        """The logs client of `account` through its configured role; AwsError (RoleRefused
        among them) when it is not configured or its role cannot be assumed."""
        member = self.accounts.member_clients(account, region) if self.accounts else None
        if member is None:
            raise AwsError(
                f"they are in account {account}, which is not in aws.accounts with a role;"
                f" mlpulse reads logs in its own account ({own}) and those"
            )
        return member.logs

    def _own_account(self) -> str | None:
        """The bot's account (asked once); None if STS does not say, and then logs are read
        wherever the alert says."""
        with self._lock:
            if not self._asked:
                self._asked = True
                try:
                    answer = self.aws.client("sts").get_caller_identity()
                    self._account = str(answer.get("Account") or "") or None
                except (BotoCoreError, ClientError) as error:
                    log.info("cannot tell the bot's own AWS account: %s", error)
            return self._account
