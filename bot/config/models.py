"""The YAML configuration as models: routes, incidents, pacing, queues, topics and permissions.
Every field says what it is for; README's configuration reference is generated from them
(bot.config.reference). Secrets are never here: they are in the environment (settings.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)

from bot.config.accounts import AwsConfig
from bot.config.addresses import queue_url, topic_arn
from bot.core.durations import parse_duration
from bot.core.events import Kind, Outcome, Severity

_CHANNEL = re.compile(r"^(#[a-z0-9][a-z0-9._-]{0,79}|[CGD][A-Z0-9]{6,})$")


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def _as_list(value: Any) -> Any:
    """Let a single value stand for a list of one (`kind: training_job`)."""
    return [value] if isinstance(value, str | int) and not isinstance(value, bool) else value


StrList = Annotated[list[str], BeforeValidator(_as_list)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Match(_Strict):
    """Every given condition must hold; a list means any of its values."""

    kind: Annotated[list[Kind], BeforeValidator(_as_list)] | None = Field(
        default=None, description="event kinds (`training_job`, `alarm`, ...)"
    )
    status: StrList | None = Field(default=None, description="statuses, in any spelling")
    outcome: Annotated[list[Outcome], BeforeValidator(_as_list)] | None = Field(
        default=None,
        description="`succeeded`, `failed`, `degraded`, `running`, `stopped`, `unknown`",
    )
    name: StrList | None = Field(default=None, description="globs on the resource name")
    account: StrList | None = Field(
        default=None, description="globs on the AWS account id, or its alias (`aws.accounts`)"
    )
    region: StrList | None = Field(default=None, description="globs on the region")
    tags: dict[str, str] | None = Field(default=None, description="tag -> glob on its value")
    severity: Annotated[list[Severity], BeforeValidator(_as_list)] | None = Field(
        default=None,
        description="the severity the defaults give the event (failures `critical`, "
        "violations `warning`, the rest `info`), before any route sets its own",
    )


MentionOn = Literal["incidents", "all"]
Routine = Literal["message", "digest"]


class Route(_Strict):
    """A routing rule: the first whose `match` holds decides; unset fields keep defaults."""

    match: Match = Field(default=Match(), description="when the rule applies")
    channel: str | None = Field(default=None, description="where the alert goes")
    severity: Severity | None = Field(default=None, description="`info`, `warning`, `critical`")
    incident: bool | None = Field(default=None, description="whether it opens an incident")
    mention: str | None = Field(default=None, description="`@here`, `@channel`, `<@U123>`, ...")
    mention_on: MentionOn = Field(
        default="incidents",
        description="which alerts carry the mention: `incidents` (those opening an incident, "
        "and reminders) or `all`",
    )
    routine: Routine = Field(
        default="message",
        description="what a resource whose first event is routine (no failure, no incident)"
        " gets: a `message` of its own, or a line in the channel's `digest` of the day;"
        " a later failure still gets a message of its own",
    )

    @field_validator("channel")
    @classmethod
    def _channel_name(cls, value: str | None) -> str | None:
        return _check_channel(value)


def _check_channel(value: str | None) -> str | None:
    if value is not None and not _CHANNEL.match(value):
        raise ValueError(
            f"{value!r} is not a Slack channel: use `#name` (lower case) "
            "or a channel id like C0123ABCD"
        )
    return value


class Incidents(_Strict):
    renotify_after: Duration = Field(
        default=timedelta(minutes=30), description="remind of an unacknowledged incident after"
    )
    max_renotify: int = Field(default=3, ge=0, le=100, description="reminders at most")
    snooze_choices: list[Duration] = Field(
        default=[timedelta(hours=1), timedelta(hours=4), timedelta(hours=24)],
        description="the Snooze menu's lengths",
    )


class SlackDelivery(_Strict):
    posts_per_second: float = Field(
        default=1.0, gt=0, le=50, description="pace of posts into one channel"
    )
    burst: int = Field(default=3, ge=1, le=50, description="posts one channel may take at once")


QueueUrls = Annotated[list[Annotated[str, AfterValidator(queue_url)]], BeforeValidator(_as_list)]
TopicArns = Annotated[list[Annotated[str, AfterValidator(topic_arn)]], BeforeValidator(_as_list)]


class Retention(_Strict):
    """How long each kind of record is kept once it is no longer needed: the SQLite store
    prunes them from the scheduler, the DynamoDB store lets its table's TTL (`expires_at`)
    delete them. Nothing still needed expires: a pending alert, an unresolved incident and
    its resource's root message are kept however old."""

    dedup: Duration = Field(
        default=timedelta(days=7),
        description="event ids remembered for dedup (the same delivery later is a new alert)",
    )
    roots: Duration = Field(
        default=timedelta(days=30),
        description="a resource's root message and state after its last event"
        " (a later event posts a new root); burst digests as long",
    )
    incidents: Duration = Field(
        default=timedelta(days=30), description="a resolved incident and its state"
    )
    audit: Duration = Field(
        default=timedelta(days=400),
        description="audit entries (incident transitions, silences, refusals, approvals' steps)",
    )
    silences: Duration = Field(default=timedelta(days=30), description="silences after they end")
    outbox: Duration = Field(
        default=timedelta(days=30),
        description="alerts kept undelivered (undeliverable, or held by a silence)",
    )

    @field_validator("*")
    @classmethod
    def _at_least_a_day(cls, value: timedelta) -> timedelta:
        if value < timedelta(days=1):
            raise ValueError("keep records at least a day (`1d`)")
        return value


class Queues(_Strict):
    queue_urls: QueueUrls = Field(default=[], description="SQS queues `mlpulse run` consumes")


class Topics(_Strict):
    topic_arns: TopicArns = Field(default=[], description="SNS topics allowed to post to /sns")


Audience = Literal["everyone", "admins"]


class Permissions(_Strict):
    admins: StrList = Field(default=[], description="Slack user ids of admins")
    commands: dict[str, Audience | StrList] = Field(
        default={"silence": "admins"},
        description="per subcommand: `everyone`, `admins` or a list of user ids",
    )
    approvers: dict[str, StrList] = Field(
        default={},
        description="pipeline-name or model-package-group glob -> Slack user ids or user "
        "group ids who may approve or reject from Slack; absent, nobody may",
    )


class Config(_Strict):
    default_channel: str = Field(default="#mlpulse", description="where unrouted alerts go")
    fallback_channel: str | None = Field(
        default=None, description="where alerts go when their channel is gone"
    )
    routes: list[Route] = Field(default=[], description="routing rules, first match wins")
    sqs: Queues = Queues()
    sns: Topics = Topics()
    incidents: Incidents = Incidents()
    slack: SlackDelivery = SlackDelivery()
    permissions: Permissions = Permissions()
    aws: AwsConfig = AwsConfig()
    retention: Retention = Retention()

    @field_validator("default_channel", "fallback_channel")
    @classmethod
    def _channel_name(cls, value: str | None) -> str | None:
        return _check_channel(value)
