"""Every configuration mistake ends the real `mlpulse` process with exit 2 and one `error:`
line naming what to fix, no traceback (SPEC §3); a command is not stopped by a mistake in a
setting it does not read; `mlpulse --version` says the installed version."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO

EVENT = FIXTURES / "sagemaker-processing-job-state-change-failed.json"
QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/mlpulse-events"


def mlpulse(tmp_path: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`mlpulse ARGV` as a process, with only `env` of the MLPULSE_, SLACK_ and AWS_
    variables, no AWS config file, and a store of its own under tmp_path."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("MLPULSE_", "SLACK_", "AWS_"))
    }
    environment.update(
        HOME=str(tmp_path),
        AWS_CONFIG_FILE=str(tmp_path / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-aws-credentials"),
        MLPULSE_STORE=f"sqlite:///{tmp_path / 'store' / 'mlpulse.db'}",
    )
    environment.update(env)
    script = Path(sys.executable).with_name("mlpulse")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]
    return subprocess.run(
        [*command, *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


# (what is wrong, environment, a file written as ./mlpulse.yaml, what the error line names)
MISTAKES = [
    ("unknown store scheme", {"MLPULSE_STORE": "bogus://x"}, None, "MLPULSE_STORE"),
    ("sqlite store without a path", {"MLPULSE_STORE": "sqlite:///"}, None, "sqlite:///PATH"),
    ("DynamoDB table name too short", {"MLPULSE_STORE": "dynamodb://ab"}, None, "table name"),
    ("DynamoDB store, no region", {"MLPULSE_STORE": "dynamodb://mlpulse"}, None, "AWS_REGION"),
    (
        "DynamoDB store, bad region",
        {"MLPULSE_STORE": "dynamodb://mlpulse", "AWS_DEFAULT_REGION": "eu west"},
        None,
        "not a region name",
    ),
    ("port not a number", {"MLPULSE_PORT": "http"}, None, "MLPULSE_PORT"),
    ("port out of range", {"MLPULSE_PORT": "70000"}, None, "MLPULSE_PORT"),
    ("lease of zero", {"MLPULSE_LEASE_SECONDS": "0"}, None, "MLPULSE_LEASE_SECONDS"),
    ("queue URL", {"MLPULSE_SQS_QUEUE_URLS": f"{QUEUE},mlpulse-events"}, None, "SQS_QUEUE_URLS"),
    ("topic ARN", {"MLPULSE_SNS_TOPIC_ARNS": "mlpulse-events"}, None, "MLPULSE_SNS_TOPIC_ARNS"),
    ("AWS endpoint", {"AWS_ENDPOINT_URL": "localhost:5000"}, None, "AWS_ENDPOINT_URL"),
    ("Slack API URL", {"MLPULSE_SLACK_API_URL": "slack.com/api"}, None, "MLPULSE_SLACK_API_URL"),
    ("no Slack token", {"SLACK_BOT_TOKEN": ""}, None, "SLACK_BOT_TOKEN"),
    ("config file missing", {"MLPULSE_CONFIG": "nowhere.yaml"}, None, "nowhere.yaml"),
    ("YAML syntax", {}, "routes: [\n", "not valid YAML"),
    ("unknown YAML setting", {}, "default_chanel: '#x'\n", "default_chanel: unknown setting"),
    ("YAML queue URL", {}, "sqs: {queue_urls: [nope]}\n", "sqs.queue_urls[0]"),
    ("YAML config a list", {}, "- a\n", "must be a mapping"),
]


@pytest.mark.parametrize(
    ("environment", "config", "named"),
    [case[1:] for case in MISTAKES],
    ids=[case[0] for case in MISTAKES],
)
def test_run_refuses_each_configuration_mistake_with_exit_2(
    tmp_path: Path, environment: dict[str, str], config: str | None, named: str
) -> None:
    if config is not None:
        (tmp_path / "mlpulse.yaml").write_text(config, encoding="utf-8")
    settings = {"SLACK_BOT_TOKEN": "xoxb-test", "MLPULSE_PORT": "0", **environment}

    done = mlpulse(tmp_path, "run", **settings)

    assert done.returncode == 2, done.stderr
    assert named in one_error_line(done)
    assert done.stdout == ""


def test_ingest_and_demo_refuse_a_store_or_token_mistake_with_exit_2(tmp_path: Path) -> None:
    ingest = mlpulse(tmp_path, "ingest", "--console", str(EVENT), MLPULSE_STORE="bogus://x")
    demo = mlpulse(tmp_path, "demo", "--slack", MLPULSE_SLACK_API_URL="ftp://slack")

    assert ingest.returncode == 2 and "MLPULSE_STORE" in one_error_line(ingest)
    assert demo.returncode == 2 and "MLPULSE_SLACK_API_URL" in one_error_line(demo)


# What only `mlpulse run` reads: a mistake in them stops no other command.
SERVING_MISTAKES = {
    "MLPULSE_PORT": "http",
    "MLPULSE_STORE": "bogus://x",
    "MLPULSE_LEASE_SECONDS": "never",
    "AWS_ENDPOINT_URL": "localhost:5000",
    "MLPULSE_SLACK_API_URL": "slack.com/api",
    "SLACK_BOT_TOKEN": "",
}


def test_render_ignores_mistakes_in_settings_it_does_not_read(tmp_path: Path) -> None:
    done = mlpulse(tmp_path, "render", str(EVENT), **SERVING_MISTAKES)

    assert done.returncode == 0, done.stderr
    assert '"kind": "processing_job"' in done.stdout


def test_ingest_ignores_a_bad_port_it_does_not_serve(tmp_path: Path) -> None:
    done = mlpulse(tmp_path, "ingest", "--console", str(EVENT), MLPULSE_PORT="http")

    assert done.returncode == 0, done.stderr
    assert "1 accepted" in done.stderr


def test_check_config_lists_the_environment_problems_then_the_file_problems(
    tmp_path: Path,
) -> None:
    (tmp_path / "mlpulse.yaml").write_text("sqs: {queue_urls: [nope]}\n", encoding="utf-8")

    done = mlpulse(
        tmp_path, "check-config", MLPULSE_PORT="http", MLPULSE_SNS_TOPIC_ARNS="mlpulse-events"
    )

    assert done.returncode == 2
    problems, last = done.stderr.splitlines()[:-1], done.stderr.splitlines()[-1]
    assert [problem.split(":")[0] for problem in problems] == [
        "environment variable MLPULSE_PORT",
        "environment variable MLPULSE_SNS_TOPIC_ARNS",
        "mlpulse.yaml",
    ]
    assert last == "error: the environment and mlpulse.yaml have 3 problem(s), listed above"
    assert "Traceback" not in done.stderr


def test_version_is_the_installed_distributions(tmp_path: Path) -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))

    done = mlpulse(tmp_path, "--version")

    assert done.returncode == 0, done.stderr
    assert done.stdout == f"mlpulse {declared['project']['version']}\n"
