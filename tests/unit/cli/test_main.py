"""The `mlpulse` command line (README: Command line): in process through `bot.cli.main.main`, and once as a
real process. Exit 0 on success; 2 with one `error:` line and no traceback on bad input or
bad config."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main
from tests.conftest import FIXTURES
from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack, SlackError

TRAINING_FAILED = {
    "version": "0",
    "id": "7d2f4f0a-1111-4c3b-9f00-0000000000a1",
    "detail-type": "SageMaker Training Job State Change",
    "source": "aws.sagemaker",
    "account": "123456789012",
    "time": "2026-11-25T02:58:00Z",
    "region": "eu-west-1",
    "resources": ["arn:aws:sagemaker:eu-west-1:123456789012:training-job/churn-xgb-7"],
    "detail": {
        "TrainingJobName": "churn-xgb-7",
        "TrainingJobArn": "arn:aws:sagemaker:eu-west-1:123456789012:training-job/churn-xgb-7",
        "TrainingJobStatus": "Failed",
        "SecondaryStatus": "Failed",
        "FailureReason": "AlgorithmError: <!channel> loss=nan & <@U123> <https://evil.example|click>",
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
        "Tags": {},
    },
}
PROCESSING_FAILED = FIXTURES / "sagemaker-processing-job-state-change-failed.json"
RENDER_KEYS = {"kind", "key", "severity", "channel", "incident", "message"}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No credentials or config from the developer's shell; a store of this test's own;
    the working directory is the test's, so no ./mlpulse.db or ./mlpulse.yaml leaks."""
    for name in list(os.environ):
        if name.startswith(("MLPULSE_", "SLACK_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("MLPULSE_STORE", f"sqlite:///{tmp_path / 'store' / 'mlpulse.db'}")
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    assert not (tmp_path / "mlpulse.db").exists()


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def set_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


# --- render ---------------------------------------------------------------------------------


def test_render_prints_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "render", str(PROCESSING_FAILED))

    assert code == 0, err
    (line,) = out.splitlines()
    rendered = json.loads(line)
    assert set(rendered) == RENDER_KEYS
    assert rendered["kind"] == "processing_job"
    assert rendered["severity"] == "critical"
    assert rendered["incident"] is True
    assert rendered["channel"] == "#mlpulse"
    assert rendered["key"].startswith("processing_job:123456789012:")
    assert rendered["message"]["channel"] == "#mlpulse"
    assert rendered["message"]["text"]


def test_render_text_draws_the_message_as_the_demo_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli(capsys, "render", "--text", str(PROCESSING_FAILED))

    assert code == 0, err
    head, *message = out.splitlines()
    assert head == "#mlpulse · processing_job · critical · opens an incident"
    assert "Processing job Failed:" in message[0]
    assert "InternalServerError: We encountered an internal error." in out
    assert "{" not in out  # text for a person, not JSON
    assert "\x1b[" not in out  # no colour codes when the output is not a terminal


def test_render_reads_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    envelope = {
        "Type": "Notification",
        "MessageId": "0b5a0c1e-2222-4000-8000-000000000002",
        "TopicArn": "arn:aws:sns:eu-west-1:123456789012:mlpulse",
        "Message": json.dumps(TRAINING_FAILED),
    }
    set_stdin(monkeypatch, json.dumps(envelope).encode())

    code, out, err = run_cli(capsys, "render", "-")

    assert code == 0, err
    rendered = json.loads(out)
    assert rendered["kind"] == "training_job"
    assert rendered["key"] == "training_job:123456789012:eu-west-1:churn-xgb-7"


def test_render_escapes_slack_control_sequences_from_aws_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write_json(tmp_path / "failed.json", TRAINING_FAILED)

    code, out, err = run_cli(capsys, "render", str(path))

    assert code == 0, err
    assert "&lt;!channel&gt;" in out
    assert "&lt;@U123&gt;" in out
    assert "&amp;" in out
    for raw in ("<!channel>", "<@U123>", "<https://evil.example"):
        assert raw not in out
    rendered = json.loads(out)
    assert rendered["severity"] == "critical" and rendered["incident"] is True


def test_render_uses_routing_from_the_config(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "routes.yaml"
    config.write_text(
        "routes:\n"
        "  - match: {kind: training_job, name: 'churn-*'}\n"
        "    channel: '#ml-training'\n"
        "    severity: warning\n"
        "    incident: false\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("MLPULSE_CONFIG", str(config))
    path = write_json(tmp_path / "failed.json", TRAINING_FAILED)

    code, out, err = run_cli(capsys, "render", str(path))

    assert code == 0, err
    rendered = json.loads(out)
    assert (rendered["channel"], rendered["severity"], rendered["incident"]) == (
        "#ml-training",
        "warning",
        False,
    )
    assert rendered["message"]["channel"] == "#ml-training"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read"),
        (b"", "is empty"),
        (b"   \n\t\n", "is empty"),
        (b"this is not json", "is not JSON"),
        (b'{"a": 1}\n{broken\n', "JSON line 2"),
    ],
    ids=["missing", "empty", "blank", "not-json", "bad-json-line"],
)
def test_render_bad_input_exits_2_with_one_error_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes | None, expected: str
) -> None:
    path = tmp_path / "event.json"
    if content is not None:
        path.write_bytes(content)

    code, out, err = run_cli(capsys, "render", str(path))

    assert code == 2
    assert out == ""
    line = assert_one_error_line(err)
    assert expected in line
    assert str(path) in line


def test_render_empty_stdin_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    set_stdin(monkeypatch, b"")

    code, _, err = run_cli(capsys, "render", "-")

    assert code == 2
    assert "standard input is empty" in assert_one_error_line(err)


def test_render_with_a_broken_config_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "mlpulse.yaml"
    config.write_text("default_channel: 'General'\nroutes: []\n", encoding="utf-8")
    monkeypatch.setenv("MLPULSE_CONFIG", str(config))

    code, out, err = run_cli(capsys, "render", str(PROCESSING_FAILED))

    assert code == 2
    assert out == ""
    line = assert_one_error_line(err)
    assert f"{config}:1" in line and "default_channel" in line


# --- check-config ---------------------------------------------------------------------------

VALID_CONFIG = """\
default_channel: "#ml-alerts"
fallback_channel: C0123ABCD
routes:
  - match:
      kind: [training_job, tuning_job]
      status: failed
      name: "churn-*"
      tags: {team: risk}
    channel: "#risk-ml"
    mention: "@here"
  - match: {kind: model_monitor, outcome: degraded}
    severity: critical
sqs:
  queue_urls:
    - https://sqs.eu-west-1.amazonaws.com/123456789012/mlpulse
sns:
  topic_arns: arn:aws:sns:eu-west-1:123456789012:mlpulse
incidents:
  renotify_after: 15m
  max_renotify: 5
  snooze_choices: [90s, 4h, 2d]
permissions:
  admins: [U0ADMIN1]
  commands: {silence: admins, ack: everyone}
"""

BROKEN_CONFIG = """\
default_channel: "#ml-alerts"
defualt_channel: "#typo"
routes:
  - match:
      kind: training_job
    channel: "General Chat"
  - match:
      kind: bogus_kind
      status: Failed
    severity: critical
incidents:
  renotify_after: soon
  max_renotify: 3
"""


def test_check_config_accepts_a_valid_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(VALID_CONFIG, encoding="utf-8")

    code, out, err = run_cli(capsys, "check-config", str(path))

    assert code == 0, err
    assert out.startswith("ok:") and str(path) in out
    assert err == ""


def test_check_config_without_a_file_uses_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check-config")

    assert code == 0
    assert out.startswith("ok:") and "defaults" in out


def test_check_config_finds_mlpulse_yaml_and_mlpulse_config(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mlpulse.yaml").write_text(BROKEN_CONFIG, encoding="utf-8")
    code, _, err = run_cli(capsys, "check-config")
    assert code == 2 and "mlpulse.yaml:6: routes[0].channel" in err

    other = tmp_path / "other.yaml"
    other.write_text(VALID_CONFIG, encoding="utf-8")
    monkeypatch.setenv("MLPULSE_CONFIG", str(other))
    code, out, _ = run_cli(capsys, "check-config")
    assert code == 0 and str(other) in out


def test_check_config_lists_every_problem_with_file_line_and_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BROKEN_CONFIG, encoding="utf-8")

    code, out, err = run_cli(capsys, "check-config", str(path))

    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    expected = {
        f"{path}:2: defualt_channel:": "unknown setting",
        f"{path}:6: routes[0].channel:": "is not a Slack channel",
        f"{path}:8: routes[1].match.kind": "training_job",
        f"{path}:12: incidents.renotify_after:": "is not a duration",
    }
    for prefix, words in expected.items():
        matching = [line for line in lines if line.startswith(prefix)]
        assert matching, f"no line starting {prefix!r} in:\n{err}"
        assert words in matching[0]
    assert len(lines) == len(expected) + 1
    assert lines[-1].startswith("error: ") and "4 problem" in lines[-1]


def test_check_config_reports_a_yaml_syntax_error_with_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "syntax.yaml"
    path.write_text(
        "routes:\n  - match: {kind: training_job\n    channel: '#x'\n", encoding="utf-8"
    )

    code, _, err = run_cli(capsys, "check-config", str(path))

    assert code == 2
    assert "Traceback" not in err
    first, last = err.splitlines()
    assert first.startswith(f"{path}:3: not valid YAML")
    assert last.startswith("error: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- just\n- a list\n", ":1: the config must be a mapping"),
        ("routes: {kind: training_job}\n", ":1: routes:"),
        ("incidents:\n  max_renotify: -1\n", ":2: incidents.max_renotify:"),
        ("slack:\n  posts_per_second: 0\n", ":2: slack.posts_per_second:"),
        ("routes:\n  - severity: loud\n", ":2: routes[0].severity:"),
        ("routes:\n  - match: {outcome: fine}\n", ":2: routes[0].match.outcome"),
        ("routes:\n  - match: {colour: red}\n", ":2: routes[0].match.colour: unknown setting"),
        ("permissions:\n  commands: {silence: 42}\n", ":2: permissions.commands.silence"),
    ],
)
def test_check_config_problem_locations(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")

    code, _, err = run_cli(capsys, "check-config", str(path))

    assert code == 2
    assert f"{path}{expected}" in err, err
    assert "Traceback" not in err


def test_check_config_of_a_missing_file_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run_cli(capsys, "check-config", str(tmp_path / "nope.yaml"))

    assert code == 2
    assert "cannot read" in err and "Traceback" not in err


# --- ingest ---------------------------------------------------------------------------------


def test_ingest_to_the_console_delivers_every_event(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = tmp_path / "events.jsonl"
    lines.write_text(
        json.dumps(TRAINING_FAILED) + "\n" + PROCESSING_FAILED.read_text().replace("\n", "") + "\n",
        encoding="utf-8",
    )

    code, out, err = run_cli(capsys, "ingest", "--console", str(lines))

    assert code == 0, err
    assert "churn-xgb-7" in out
    assert "integ-test-analytics-algo" in out
    assert "2 event(s): 2 accepted, 0 already seen, 0 not yet delivered" in err
    assert (tmp_path / "store" / "mlpulse.db").exists()


def test_ingest_twice_posts_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, first, _ = run_cli(capsys, "ingest", "--console", str(PROCESSING_FAILED))
    assert code == 0 and "integ-test-analytics-algo" in first

    set_stdin(monkeypatch, PROCESSING_FAILED.read_bytes())
    code, again, err = run_cli(capsys, "ingest", "--console", "-")

    assert code == 0
    assert "integ-test-analytics-algo" not in again
    assert "1 event(s): 0 accepted, 1 already seen" in err


def test_ingest_without_a_slack_token_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli(capsys, "ingest", str(PROCESSING_FAILED))

    assert code == 2
    assert out == ""
    assert "SLACK_BOT_TOKEN" in assert_one_error_line(err)


def test_ingest_of_a_missing_file_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run_cli(capsys, "ingest", "--console", str(tmp_path / "none.json"))

    assert code == 2
    assert "cannot read" in assert_one_error_line(err)


def test_ingest_with_a_bad_store_url_fails_cleanly(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLPULSE_STORE", "postgres://nowhere/db")

    code, _, err = run_cli(capsys, "ingest", "--console", str(PROCESSING_FAILED))

    assert code != 0
    assert "MLPULSE_STORE" in assert_one_error_line(err)


def test_bad_environment_value_exits_2_where_it_is_read(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`run` reads MLPULSE_PORT and refuses a bad one; `render` does not read it (issue 17)."""
    monkeypatch.setenv("MLPULSE_PORT", "not-a-port")

    code, _, err = run_cli(capsys, "run")
    assert code == 2
    assert "MLPULSE_PORT" in assert_one_error_line(err)

    code, out, err = run_cli(capsys, "render", str(PROCESSING_FAILED))
    assert code == 0, err
    assert set(json.loads(out)) == RENDER_KEYS


@pytest.fixture
def fake_slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)  # slack_sdk would proxy 127.0.0.1
    with FakeSlack() as fake:
        monkeypatch.setenv("SLACK_BOT_TOKEN", DEFAULT_TOKEN)
        monkeypatch.setenv("MLPULSE_SLACK_API_URL", fake.url)
        yield fake


def test_ingest_delivers_to_slack(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fake_slack: FakeSlack
) -> None:
    documents = [TRAINING_FAILED, json.loads(PROCESSING_FAILED.read_text(encoding="utf-8"))]
    path = write_json(tmp_path / "events.json", documents)

    code, out, err = run_cli(capsys, "ingest", str(path))

    assert code == 0, err
    assert out == ""  # Slack, not the terminal
    assert "2 event(s): 2 accepted, 0 already seen, 0 not yet delivered" in err
    roots = fake_slack.roots(fake_slack.channel_id("#mlpulse"))
    assert len(roots) == 2
    shown = "\n".join(root.all_text() for root in roots)
    assert "churn-xgb-7" in shown and "integ-test-analytics-algo" in shown
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert [call.answer for call in fake_slack.calls("chat.postMessage")] == ["ok", "ok"]


def test_ingest_that_cannot_deliver_in_time_keeps_the_alert_for_next_time(
    capsys: pytest.CaptureFixture[str], fake_slack: FakeSlack
) -> None:
    """Queued by the pace is not failed (issue 20): exit 0, saying what is queued."""
    code, _, err = run_cli(capsys, "ingest", "--timeout", "0", str(PROCESSING_FAILED))

    assert code == 0
    assert "1 not yet delivered" in err
    assert err.splitlines()[-1].startswith("1 queued: ")
    assert "`mlpulse run` delivers them" in err and "error" not in err
    assert fake_slack.calls("chat.postMessage") == []

    code, _, err = run_cli(capsys, "ingest", str(PROCESSING_FAILED))

    assert code == 0, err
    assert "0 accepted, 1 already seen, 0 not yet delivered" in err
    assert len(fake_slack.roots(fake_slack.channel_id("#mlpulse"))) == 1


def test_ingest_that_slack_refuses_exits_1_keeping_the_alerts(
    capsys: pytest.CaptureFixture[str], fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", SlackError("invalid_auth"))

    code, _, err = run_cli(capsys, "ingest", "--timeout", "0.5", str(PROCESSING_FAILED))

    assert code == 1
    assert "1 not yet delivered" in err
    assert err.splitlines()[-1].startswith("error: Slack: ")
    assert "1 alert(s) kept in the store" in err


def test_ingest_reads_and_stores_a_piece_at_a_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An array read 100 bytes at a time and stored 7 events at a time: every event, once."""
    monkeypatch.setattr("bot.ingress.stream.PIECE", 100)
    monkeypatch.setattr("bot.cli.ingest.BATCH", 7)
    documents = []
    for n in range(30):
        document = json.loads(json.dumps(TRAINING_FAILED))
        document["id"] = f"stream-{n}"
        document["detail"]["TrainingJobName"] = f"stream-job-{n}"
        documents.append(document)
    path = write_json(tmp_path / "events.json", documents)

    code, out, err = run_cli(capsys, "ingest", "--console", str(path))

    assert code == 0, err
    assert "30 event(s): 30 accepted, 0 already seen, 0 not yet delivered" in err
    assert all(f"stream-job-{n}" in out for n in range(30))


def test_ingest_of_a_broken_file_keeps_what_came_before(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.cli.ingest.BATCH", 1)
    lines = tmp_path / "events.jsonl"
    lines.write_text(json.dumps(TRAINING_FAILED) + "\n{not json}\n", encoding="utf-8")

    code, _, err = run_cli(capsys, "ingest", "--console", str(lines))

    assert code == 2
    assert "line 2" in assert_one_error_line(err)
    code, _, err = run_cli(capsys, "ingest", "--console", str(PROCESSING_FAILED))
    assert code == 0 and "1 accepted" in err


# --- as a real process ----------------------------------------------------------------------


def cli_command() -> list[str]:
    script = Path(sys.executable).with_name("mlpulse")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def run_process(tmp_path: Path, *argv: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLPULSE_", "SLACK_"))}
    env["MLPULSE_STORE"] = f"sqlite:///{tmp_path / 'store' / 'mlpulse.db'}"
    return subprocess.run(
        [*cli_command(), *argv],
        input=stdin.decode(),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )


def test_the_installed_command_renders_from_stdin(tmp_path: Path) -> None:
    done = run_process(tmp_path, "render", "-", stdin=json.dumps(TRAINING_FAILED).encode())

    assert done.returncode == 0, done.stderr
    rendered = json.loads(done.stdout)
    assert set(rendered) == RENDER_KEYS
    assert "<!channel>" not in done.stdout


def test_the_installed_command_fails_without_a_traceback(tmp_path: Path) -> None:
    done = run_process(tmp_path, "render", "missing.json")

    assert done.returncode == 2
    assert done.stdout == ""
    assert_one_error_line(done.stderr)
