"""The environment: secrets and deployment settings (MLPULSE_*, SLACK_*), read once at start.

A command checks only the settings it uses (`load_settings(uses=...)`): `mlpulse render`
does not refuse to run over a bad MLPULSE_PORT that only `mlpulse run` reads."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config.addresses import http_url, queue_url, split_list, topic_arn
from bot.core.errors import ConfigError


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
    host: str = Field(
        default="0.0.0.0",
        min_length=1,
        description="address `mlpulse run` listens on (`127.0.0.1` behind a local proxy, `::`)",
    )
    metrics_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="a port of its own for /metrics and the detailed /readyz; unset: /metrics"
        " is on MLPULSE_PORT",
    )
    health_detail: bool = Field(
        default=False,
        description="show identifiers (queue URLs, store location, workspace) in /readyz on"
        " MLPULSE_PORT too",
    )
    http_read_timeout: float = Field(
        default=20.0,
        gt=0,
        le=600,
        description="seconds a client has to send a whole request before it is disconnected",
    )
    slack_check_seconds: float = Field(
        default=300.0,
        gt=0,
        description="how often the Slack token is checked again (auth.test)",
    )
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
    aws_endpoint_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("AWS_ENDPOINT_URL"),
        description="boto3's own: sends every AWS call there (tests: a moto server); "
        "mlpulse checks it is a URL",
    )

    @field_validator("slack_bot_token", "slack_signing_secret", "slack_app_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """`SLACK_BOT_TOKEN=` (as a compose file or an unfilled .env leaves it) is no token."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_api_url", "aws_endpoint_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        return None if value is None else http_url(value)

    @field_validator("metrics_port")
    @classmethod
    def _port_of_its_own(cls, value: int | None, info: ValidationInfo) -> int | None:
        """Two servers cannot listen on one port: the second would fail at start, after the
        first had begun taking requests (0, any free port, is two different ports)."""
        port = info.data.get("port")
        if value and value == port:
            raise ValueError(
                f"is MLPULSE_PORT too ({port}): give /metrics a port of its own, or leave"
                " MLPULSE_METRICS_PORT unset to serve /metrics on MLPULSE_PORT"
            )
        return value

    @field_validator("sqs_queue_urls")
    @classmethod
    def _queue_urls(cls, value: str | None) -> str | None:
        for url in split_list(value) or []:
            queue_url(url)
        return value

    @field_validator("sns_topic_arns")
    @classmethod
    def _topic_arns(cls, value: str | None) -> str | None:
        for arn in split_list(value) or []:
            topic_arn(arn)
        return value


def variable(name: str) -> str:
    """The environment variable of the setting `name`."""
    aliases = getattr(Settings.model_fields[name].validation_alias, "choices", None)
    return str(aliases[0]) if aliases else f"MLPULSE_{name.upper()}"


def load_settings(uses: Collection[str] | None = None) -> Settings:
    """The environment's settings; ConfigError naming each bad variable among those `uses`
    names (every setting when None). A bad variable the command does not use is left at its
    default, unchecked."""
    checked = set(Settings.model_fields) if uses is None else set(uses)
    unknown = checked - set(Settings.model_fields)
    assert not unknown, f"no such setting: {sorted(unknown)}"
    try:
        return Settings()
    except ValidationError as error:
        bad = {_field_of(str(item["loc"][0])): item["msg"] for item in error.errors()}
    problems = [
        f"environment variable {variable(name)}: {message.removeprefix('Value error, ')}"
        for name, message in bad.items()
        if name in checked
    ]
    if problems:
        raise ConfigError(problems)
    # Given as arguments, the defaults take precedence over the environment's bad values.
    aliased = {name for name in bad if variable(name) != f"MLPULSE_{name.upper()}"}
    defaults = {
        variable(name) if name in aliased else name: Settings.model_fields[name].default
        for name in bad
    }
    return Settings(**defaults)


def _field_of(located: str) -> str:
    """The field a validation error's location names (its alias, for SLACK_* settings)."""
    if located in Settings.model_fields:
        return located
    return next(name for name in Settings.model_fields if variable(name) == located)
