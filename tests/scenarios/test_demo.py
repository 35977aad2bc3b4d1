"""`mlpulse demo` with nobody at the keyboard: AWS emulated in-process by moto and seeded,
the scripted morning through the real pipeline, then the fixed commands and clicks. What a
newcomer must see is checked on the console output, as they would read it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest

from bot import demo
from bot.core.errors import MlpulseError
from bot.demo import run_demo

ROOT = Path(__file__).parents[2]
CHART = Path("demo-output") / "churn-xgb-2026-11-25-0400-metrics.png"
# What each part of the demo shows, by the text that only it writes.
ALERTS = {
    "a training job": "Training job Failed: churn-xgb-2026-11-25-0300",
    "a CodePipeline": "CodePipeline Failed: ml-deploy",
    "an endpoint": "Endpoint Updating: fraud-prod",
    "an alarm": "CloudWatch alarm firing: fraud-prod-5xx-errors",
    "Model Monitor": "fraud-prod-data-quality",
    # The App's enrichment: the violations read from the monitor's report in the demo's S3.
    "Model Monitor's violations": "3 violations (1 critical): card_age_days — completeness",
}
ANSWERS = {
    "status": ["ML platform status", "Failed in the last 24 h", "`ml-deploy`", "`fraud-prod`"],
    "job": ["Failure reason", "Status history", "log lines", "ExecuteUserScriptError: ExitCode 1"],
    "metrics": ["Metrics of training job churn-xgb-2026-11-25-0400", "best 0.9134 (highest"],
    "endpoint": ["Endpoint fraud-prod", "ModelLatency p50", "`fraud-prod-5xx-errors`"],
    "drift": ["Drift: endpoint fraud-prod", "card_age_days", "Baseline drift distance: 0.4113"],
    "explain": ["Why fraud-prod predicted 0.9985", "`amount` = `1840` → +0.366"],
    "pipeline": ["CodePipeline ml-deploy", "failed at `Evaluate / ModelQualityGate`"],
    "incidents": ["incident(s) not resolved"],
    # the second account's experiment, found there with no flag (bot.demo.accounts)
    "job churn-lgbm-experiment-12": ["Found in dev · eu-west-1", "[Console · dev]"],
}
FAILURES = ("Traceback", "went wrong on our side", "could not read", "not implemented")


def _aws_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name.startswith("AWS_")}


def _check(text: str) -> None:
    for area, shown in ALERTS.items():
        assert shown in text, f"no alert from {area}"
    assert "👀 Acknowledged by @alice." in text
    assert "already acknowledged by @alice" in text
    assert "✅ Resolved by @bob." in text
    for command, expected in ANSWERS.items():
        _, asked, after = text.partition(f"> /mlpulse {command}")
        assert asked, f"the demo does not run /mlpulse {command}"
        answer = after.split("\n@", 1)[0]  # up to the next prompt line
        for shown in expected:
            assert shown in answer, f"/mlpulse {command} does not show {shown!r}"
    assert "Account: prod (123456789012)" in text  # the alerts name their account
    assert f"saved to {CHART}" in text
    for failure in FAILURES:
        assert failure not in text


def test_the_demo_plays_the_morning_and_answers_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    before = _aws_environment()
    out = StringIO()
    started = time.monotonic()

    assert run_demo(out=out, interactive=False) == 0

    assert time.monotonic() - started < 30  # about 4 s, moto included
    _check(out.getvalue())
    assert (tmp_path / CHART).read_bytes().startswith(b"\x89PNG")
    assert "AWS_ENDPOINT_URL" not in os.environ
    assert _aws_environment() == before


def test_mlpulse_demo_exits_0_with_no_terminal(tmp_path: Path) -> None:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop("AWS_ENDPOINT_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    _check(done.stdout)
    assert (tmp_path / CHART).is_file()


def test_without_moto_the_demo_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "find_spec", lambda name: None)

    with pytest.raises(MlpulseError, match=r"pip install 'mlpulse\[demo\]'"):
        run_demo(out=StringIO(), interactive=False)


def test_the_demo_posts_into_a_slack_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mlpulse demo --slack`: the same alerts, into one channel of a (fake) workspace."""
    from notifiers.slack import SlackNotifier
    from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack

    monkeypatch.chdir(tmp_path)
    with FakeSlack(channels={"C0DEMO": "mlpulse-demo"}) as fake:
        out = StringIO()
        notifier = SlackNotifier(DEFAULT_TOKEN, fake.url)
        notifier.min_interval = 0.0  # the fake has no rate limit: no need to wait a second a post
        code = run_demo(out=out, interactive=False, slack=notifier)
        roots = fake.roots("C0DEMO")
        texts = "\n".join(root.all_text() for root in roots)
    assert code == 0
    assert "churn-xgb-2026-11-25-0300" in texts and "ml-deploy" in texts and "fraud-prod" in texts
    assert "Incident #1" in texts
    assert "went wrong" not in out.getvalue()


@pytest.mark.parametrize(
    ("token", "scopes", "said"),
    [
        ("xoxb-revoked", None, "Slack refused SLACK_BOT_TOKEN: invalid_auth"),
        (None, ("chat:write",), "missing_scope (needs chat:write)"),
    ],
    ids=["invalid token", "missing scope"],
)
def test_demo_slack_says_at_once_when_slack_refuses_the_token(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    token: str | None,
    scopes: tuple[str, ...] | None,
    said: str,
) -> None:
    """Issue 17: with an invalid token `mlpulse demo --slack` printed only its banner."""
    from bot.core.errors import ConfigError
    from notifiers.slack import SlackNotifier
    from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack

    monkeypatch.chdir(tmp_path)
    with FakeSlack() as fake:
        if scopes:
            fake.revoke(*scopes)
        out = StringIO()
        notifier = SlackNotifier(token or DEFAULT_TOKEN, fake.url)
        with pytest.raises(ConfigError, match=re.escape(said)):
            run_demo(out=out, interactive=False, slack=notifier)
        assert [call.method for call in fake.calls()] == ["auth.test"]
    assert out.getvalue() == ""
