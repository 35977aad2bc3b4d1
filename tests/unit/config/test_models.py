"""Settings from the environment and the YAML config: durations, overrides, secrets, and
problems reported with their location."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from bot.config.loading import check_config_file, config_path, load_config
from bot.config.models import Config, Route, parse_duration
from bot.config.settings import Settings, load_settings
from bot.core.errors import ConfigError, UserError
from bot.core.events import Kind, Outcome, Severity

TOKEN = "xoxb-1111-2222-SECRETTOKENVALUE"
SIGNING = "8f742231b10e8888abcd99yyyzzz85a5"
APP_TOKEN = "xapp-1-A111-2222-APPSECRET"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("MLPULSE_", "SLACK_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- durations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("90s", 90),
        ("15m", 900),
        ("4h", 14_400),
        ("2d", 172_800),
        ("1w", 604_800),
        ("1.5h", 5_400),
        (" 15 m ", 900),
        ("0s", 0),
        (30, 30),
        (2.5, 2.5),
        (timedelta(minutes=3), 180),
    ],
)
def test_durations_parse(value: Any, seconds: float) -> None:
    assert parse_duration(value) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    "value", ["soon", "15", "-5m", "5M", "1h30m", "", "m", "15 minutes", True, -1, None, [5]]
)
def test_bad_durations_are_refused_with_an_example(value: Any) -> None:
    with pytest.raises(ValueError, match="like 90s, 15m, 4h or 2d"):
        parse_duration(value)


def test_durations_in_the_config() -> None:
    config = Config.model_validate(
        {"incidents": {"renotify_after": "90s", "snooze_choices": ["15m", "4h", "2d", 60]}}
    )
    assert config.incidents.renotify_after == timedelta(seconds=90)
    assert config.incidents.snooze_choices == [
        timedelta(minutes=15),
        timedelta(hours=4),
        timedelta(days=2),
        timedelta(minutes=1),
    ]


def test_defaults() -> None:
    config = Config()
    assert config.default_channel == "#mlpulse"
    assert config.routes == []
    assert config.sqs.queue_urls == [] and config.sns.topic_arns == []
    assert config.incidents.renotify_after == timedelta(minutes=30)
    settings = Settings()
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.store == "sqlite:///./mlpulse.db"
    assert settings.port == 3000
    assert settings.slack_bot_token is None
    assert settings.config is None


# --- the environment ------------------------------------------------------------------------


def test_environment_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MLPULSE_PORT", "8080")
    monkeypatch.setenv("MLPULSE_STORE", "sqlite:////var/lib/mlpulse/db")
    monkeypatch.setenv("MLPULSE_SLACK_API_URL", "http://127.0.0.1:9999/api/")
    monkeypatch.setenv("MLPULSE_CONFIG", str(tmp_path / "c.yaml"))

    settings = load_settings()

    assert settings.port == 8080
    assert settings.store == "sqlite:////var/lib/mlpulse/db"
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.config == tmp_path / "c.yaml"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MLPULSE_PORT", "http"),
        ("MLPULSE_PORT", "70000"),
        ("MLPULSE_METRICS_PORT", "3000"),  # MLPULSE_PORT's own: two servers on one port
    ],
)
def test_bad_environment_is_a_config_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ConfigError) as raised:
        load_settings()

    assert isinstance(raised.value, UserError)
    assert name in str(raised.value)


def test_metrics_may_share_nothing_but_port_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLPULSE_PORT", "0")
    monkeypatch.setenv("MLPULSE_METRICS_PORT", "0")  # each any free port: two ports
    assert (load_settings().port, load_settings().metrics_port) == (0, 0)
    monkeypatch.setenv("MLPULSE_PORT", "8080")
    monkeypatch.setenv("MLPULSE_METRICS_PORT", "8080")
    with pytest.raises(ConfigError, match="MLPULSE_METRICS_PORT: is MLPULSE_PORT too"):
        load_settings()


def test_queue_and_topic_lists_from_the_environment_override_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write(
        tmp_path / "mlpulse.yaml",
        "sqs:\n  queue_urls: [https://sqs.eu-west-1.amazonaws.com/1/from-file]\n"
        "sns:\n  topic_arns: arn:aws:sns:eu-west-1:1:from-file\n",
    )
    assert load_config(load_settings()).sqs.queue_urls == [
        "https://sqs.eu-west-1.amazonaws.com/1/from-file"
    ]

    monkeypatch.setenv(
        "MLPULSE_SQS_QUEUE_URLS",
        " https://sqs.us-east-1.amazonaws.com/1/a,https://sqs.eu-west-1.amazonaws.com/1/b,, ",
    )
    monkeypatch.setenv(
        "MLPULSE_SNS_TOPIC_ARNS", "arn:aws:sns:us-east-1:1:t1 , arn:aws:sns:us-east-1:1:t2"
    )
    config = load_config(load_settings())

    assert config.sqs.queue_urls == [
        "https://sqs.us-east-1.amazonaws.com/1/a",
        "https://sqs.eu-west-1.amazonaws.com/1/b",
    ]
    assert config.sns.topic_arns == ["arn:aws:sns:us-east-1:1:t1", "arn:aws:sns:us-east-1:1:t2"]


def test_environment_lists_apply_without_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLPULSE_SQS_QUEUE_URLS", "https://sqs.us-east-1.amazonaws.com/1/q")

    config = load_config(load_settings())

    assert config.sqs.queue_urls == ["https://sqs.us-east-1.amazonaws.com/1/q"]
    assert config.sns.topic_arns == []
    assert config.default_channel == "#mlpulse"


def test_secrets_are_secret_and_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)

    settings = load_settings()

    for field, secret in (
        (settings.slack_bot_token, TOKEN),
        (settings.slack_signing_secret, SIGNING),
        (settings.slack_app_token, APP_TOKEN),
    ):
        assert isinstance(field, SecretStr)
        assert field.get_secret_value() == secret
    shown = [repr(settings), str(settings), settings.model_dump_json(), f"{settings}"]
    for text in shown:
        for secret in (TOKEN, SIGNING, APP_TOKEN):
            assert secret not in text


def test_secrets_only_under_their_own_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLPULSE_SLACK_BOT_TOKEN", TOKEN)

    assert load_settings().slack_bot_token is None


def test_secrets_are_not_accepted_in_the_yaml(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", f"slack_bot_token: {TOKEN}\n")

    problems = check_config_file(path)

    assert problems == [
        f"{path}:1: slack_bot_token: unknown setting (check its spelling and indentation)"
    ]
    assert TOKEN not in "\n".join(problems)


# --- which file -----------------------------------------------------------------------------


def test_config_path_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert config_path(load_settings()) is None
    write(tmp_path / "mlpulse.yaml", "default_channel: '#here'\n")
    assert config_path(load_settings()) == Path("mlpulse.yaml")
    assert load_config(load_settings()).default_channel == "#here"
    other = write(tmp_path / "other.yaml", "default_channel: '#there'\n")
    monkeypatch.setenv("MLPULSE_CONFIG", str(other))
    assert config_path(load_settings()) == other
    assert load_config(load_settings()).default_channel == "#there"


def test_an_empty_file_means_defaults(tmp_path: Path) -> None:
    path = write(tmp_path / "mlpulse.yaml", "# nothing yet\n")

    assert check_config_file(path) == []
    assert load_config(load_settings()) == Config()


def test_a_bad_file_is_a_config_error_with_every_problem(tmp_path: Path) -> None:
    write(
        tmp_path / "mlpulse.yaml",
        "default_channel: General\nincidents:\n  renotify_after: later\n",
    )

    with pytest.raises(ConfigError) as raised:
        load_config(load_settings())

    assert raised.value.problems == [
        "mlpulse.yaml:1: default_channel: 'General' is not a Slack channel: use `#name` "
        "(lower case) or a channel id like C0123ABCD",
        "mlpulse.yaml:3: incidents.renotify_after: 'later' is not a duration: "
        "write it like 90s, 15m, 4h or 2d",
    ]
    assert str(raised.value).endswith("(and 1 more; run `mlpulse check-config`)")


# --- the YAML's shape -----------------------------------------------------------------------


def test_a_full_config_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.yaml",
        """\
default_channel: "#ml-alerts"
fallback_channel: C0123ABCD
routes:
  - match:
      kind: training_job
      status: [Failed, STOPPED]
      outcome: failed
      name: ["churn-*", "fraud-*"]
      account: "1234*"
      region: eu-*
      tags: {team: risk}
    channel: "#risk-ml"
    severity: critical
    incident: true
    mention: "@channel"
  - channel: "#rest"
sqs:
  queue_urls: https://sqs.eu-west-1.amazonaws.com/123456789012/mlpulse
slack:
  posts_per_second: 0.5
  burst: 2
permissions:
  admins: U0ADMIN
  commands: {silence: admins, ack: [U1, U2], status: everyone}
""",
    )

    assert check_config_file(path) == []
    config = load_config(Settings(config=path))

    first, second = config.routes
    assert first.match.kind == [Kind.TRAINING_JOB]
    assert first.match.status == ["Failed", "STOPPED"]
    assert first.match.outcome == [Outcome.FAILED]
    assert first.match.name == ["churn-*", "fraud-*"]
    assert first.match.account == ["1234*"] and first.match.region == ["eu-*"]
    assert first.match.tags == {"team": "risk"}
    assert (first.channel, first.severity, first.incident, first.mention) == (
        "#risk-ml",
        Severity.CRITICAL,
        True,
        "@channel",
    )
    assert second == Route(channel="#rest")
    assert config.fallback_channel == "C0123ABCD"
    assert config.sqs.queue_urls == ["https://sqs.eu-west-1.amazonaws.com/123456789012/mlpulse"]
    assert config.permissions.admins == ["U0ADMIN"]
    assert config.permissions.commands == {
        "silence": "admins",
        "ack": ["U1", "U2"],
        "status": "everyone",
    }


@pytest.mark.parametrize(
    ("channel", "valid"),
    [
        ("#ml-alerts", True),
        ("#ml_alerts.prod", True),
        ("C0123ABCD", True),
        ("G0123ABCD", True),
        ("#General", False),
        ("general", False),
        ("#", False),
        ("#has space", False),
        ("c0123abcd", False),
        ("#" + "x" * 81, False),
        ("<!channel>", False),
    ],
)
def test_channel_names(channel: str, valid: bool) -> None:
    if valid:
        assert Config(default_channel=channel).default_channel == channel
        assert Route(channel=channel).channel == channel
    else:
        with pytest.raises(ValidationError, match="is not a Slack channel"):
            Config(default_channel=channel)
        with pytest.raises(ValidationError, match="is not a Slack channel"):
            Route(channel=channel)


def test_config_is_frozen() -> None:
    config = Config()
    with pytest.raises(ValidationError):
        config.default_channel = "#other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        ("routes:\n  - match:\n      kind: bogus\n", 3, "routes[0].match.kind", "training_job"),
        ("routes:\n  - channel: '#ok'\n  - channel: Bad\n", 3, "routes[1].channel", "not a Slack"),
        ("incidents:\n  renotify_after: 10 minutes\n", 2, "incidents.renotify_after", "duration"),
        (
            "incidents:\n  snooze_choices: [1h, forever]\n",
            2,
            "incidents.snooze_choices[1]",
            "duration",
        ),
        ("sqs:\n  queues: [x]\n", 2, "sqs.queues", "unknown setting"),
        (
            "routes:\n  - match: {kind: alarm, severity: loud}\n",
            2,
            "routes[0].match.severity[0]",
            "'info'",
        ),
        ("routes:\n  - mention_on: failures\n", 2, "routes[0].mention_on", "'incidents'"),
        ("routes:\n  - severity: urgent\n", 2, "routes[0].severity", "'info'"),
        ("routes:\n  - incident: maybe\n", 2, "routes[0].incident", "boolean"),
        ("slack:\n  burst: 0\n", 2, "slack.burst", "greater than or equal to 1"),
    ],
)
def test_each_problem_has_its_line_and_field_path(
    tmp_path: Path, text: str, line: int, field: str, words: str
) -> None:
    path = write(tmp_path / "c.yaml", text)

    (problem,) = check_config_file(path)

    assert problem.startswith(f"{path}:{line}: {field}"), problem
    assert words in problem


def test_yaml_syntax_errors_have_a_line(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", "default_channel: '#a'\nroutes:\n  - [unclosed\n")

    (problem,) = check_config_file(path)

    assert problem.startswith(f"{path}:4: not valid YAML"), problem


def test_unreadable_config_file(tmp_path: Path) -> None:
    (problem,) = check_config_file(tmp_path / "missing.yaml")
    assert "cannot read" in problem

    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    (problem,) = check_config_file(binary)
    assert "cannot read" in problem
