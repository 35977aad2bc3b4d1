"""Configuration: secrets and deployment settings from the environment, everything else
from a YAML file validated at start-up with each problem's location."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.durations import parse_duration
from bot.core.errors import ConfigError
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
    account: StrList | None = Field(default=None, description="globs on the AWS account")
    region: StrList | None = Field(default=None, description="globs on the region")
    tags: dict[str, str] | None = Field(default=None, description="tag -> glob on its value")


class Route(_Strict):
    """A routing rule: the first whose `match` holds decides; unset fields keep defaults."""

    match: Match = Field(default=Match(), description="when the rule applies")
    channel: str | None = Field(default=None, description="where the alert goes")
    severity: Severity | None = Field(default=None, description="`info`, `warning`, `critical`")
    incident: bool | None = Field(default=None, description="whether it opens an incident")
    mention: str | None = Field(default=None, description="`@here`, `@channel`, `<@U123>`, ...")

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


class Queues(_Strict):
    queue_urls: StrList = Field(default=[], description="SQS queues `mlpulse run` consumes")


class Topics(_Strict):
    topic_arns: StrList = Field(default=[], description="SNS topics allowed to post to /sns")


Audience = Literal["everyone", "admins"]


class Permissions(_Strict):
    admins: StrList = Field(default=[], description="Slack user ids of admins")
    commands: dict[str, Audience | StrList] = Field(
        default={"silence": "admins"},
        description="per subcommand: `everyone`, `admins` or a list of user ids",
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

    @field_validator("default_channel", "fallback_channel")
    @classmethod
    def _channel_name(cls, value: str | None) -> str | None:
        return _check_channel(value)


class Settings(BaseSettings):
    """The environment (README: Configuration). Secrets live only here, never in the YAML."""

    model_config = SettingsConfigDict(env_prefix="MLPULSE_", extra="ignore", frozen=True)

    slack_bot_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_BOT_TOKEN"),
        description="the Slack app's bot token (xoxb-...); needed to post",
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET"),
        description="verifies requests to /slack/events; without it they are refused",
    )
    slack_app_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_APP_TOKEN"),
        description="an app-level token (xapp-...): turns on Socket Mode",
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/", description="base URL of the Slack Web API"
    )
    config: Path | None = Field(
        default=None, description="the YAML config; else ./mlpulse.yaml, else built-in defaults"
    )
    store: str = Field(
        default="sqlite:///./mlpulse.db",
        description="`sqlite:///PATH`, or `dynamodb://TABLE` for several replicas",
    )
    port: int = Field(default=3000, ge=0, le=65535, description="HTTP port of `mlpulse run`")
    sqs_queue_urls: str | None = Field(
        default=None, description="comma-separated SQS queue URLs (overrides `sqs.queue_urls`)"
    )
    sns_topic_arns: str | None = Field(
        default=None,
        description="comma-separated SNS topics allowed on /sns (overrides `sns.topic_arns`)",
    )
    lease_seconds: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="how long a replica holds an alert it delivers before another may take it",
    )


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


def config_path(settings: Settings) -> Path | None:
    """MLPULSE_CONFIG, else ./mlpulse.yaml when it exists, else none (built-in defaults)."""
    if settings.config is not None:
        return settings.config
    default = Path("mlpulse.yaml")
    return default if default.exists() else None


def load_config(settings: Settings) -> Config:
    """The validated config with the environment's overrides applied; ConfigError if bad."""
    path = config_path(settings)
    config = Config() if path is None else _from_file(path)
    queues, topics = _split(settings.sqs_queue_urls), _split(settings.sns_topic_arns)
    if queues is not None:
        config = config.model_copy(update={"sqs": Queues(queue_urls=queues)})
    if topics is not None:
        config = config.model_copy(update={"sns": Topics(topic_arns=topics)})
    return config


def _from_file(path: Path) -> Config:
    problems = check_config_file(path)
    if problems:
        raise ConfigError(problems)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return Config.model_validate(data)


def check_config_file(path: Path) -> list[str]:
    """Every problem in the YAML at `path`, each as `FILE:LINE: field.path: what is wrong`."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [f"{path}: cannot read: {error}"]
    try:
        root = yaml.compose(source)
        data = yaml.safe_load(source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        return [f"{where}: not valid YAML: {getattr(error, 'problem', error)}"]
    if data is None:
        return []
    if not isinstance(data, dict):
        return [f"{path}:1: the config must be a mapping of settings, not {type(data).__name__}"]
    try:
        Config.model_validate(data)
    except ValidationError as error:
        return [_describe(path, root, item) for item in error.errors()]
    return []


def _describe(path: Path, root: yaml.Node | None, item: Any) -> str:
    loc = tuple(item["loc"])
    dotted = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    line = _line_of(root, loc)
    message = item["msg"].removeprefix("Value error, ")
    if item["type"] == "extra_forbidden":
        message = "unknown setting (check its spelling and indentation)"
    return f"{path}:{line}: {dotted.lstrip('.')}: {message}"


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """The line of the YAML node at `loc`, or of its nearest existing parent."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == part), None)
            key = next((k for k, v in node.value if k.value == part), None)
            if found is None:
                return line
            line, node = (key or found).start_mark.line + 1, found
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = "MLPULSE_" + str(first["loc"][0]).upper()
        raise ConfigError([f"environment variable {name}: {first['msg']}"]) from None


__all__ = ["Config", "Settings", "check_config_file", "load_config", "load_settings"]
