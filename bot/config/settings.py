"""The environment: secrets and deployment settings (MLPULSE_*, SLACK_*), read once at start."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

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


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = "MLPULSE_" + str(first["loc"][0]).upper()
        raise ConfigError([f"environment variable {name}: {first['msg']}"]) from None
