"""Golden files: what `mlpulse render` prints for every published AWS sample.

Each `tests/golden/alerts/<fixture>.json` holds, for every event in `tests/fixtures/aws/<fixture>.json`,
the object `mlpulse render` prints (kind, key, severity, channel, incident, message), with the
receive time fixed so the output is deterministic. Review the files by eye after regenerating:

    MLPULSE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import render_record
from bot.config.models import Config
from bot.core.decision import Decision
from bot.core.events import Event, Severity
from bot.core.outcomes import outcome_of
from bot.ingress.ingest import events_from, parse_document
from notifiers import limits
from notifiers.render import render_alert, render_reply
from tests.conftest import FIXTURES
from tests.goldens import SLACK_CONTROL, UPDATE, Goldens, dumped, readable

GOLDENS = Goldens("alerts")
ALL_FIXTURES = sorted(FIXTURES.glob("*.json"))
RECEIVED = datetime(2026, 1, 1, tzinfo=UTC)


def rendered(fixture: Path) -> list[dict[str, Any]]:
    """What `mlpulse render FIXTURE` prints, one object per event, with a fixed clock."""
    config = Config()
    return [
        render_record(event, config)
        for document in parse_document(fixture.read_bytes(), fixture.name)
        for event in events_from(document, RECEIVED)
    ]


def golden_path(fixture: Path) -> Path:
    return GOLDENS.path(fixture.stem)


def test_there_are_fixtures() -> None:
    assert len(ALL_FIXTURES) > 50


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda p: p.stem)
def test_render_matches_golden(fixture: Path) -> None:
    GOLDENS.check(fixture.stem, rendered(fixture))


def test_no_orphan_golden_files() -> None:
    orphans = GOLDENS.orphans(fixture.stem for fixture in ALL_FIXTURES)
    assert orphans == [], f"golden files without a fixture: {orphans}"


def test_render_is_deterministic() -> None:
    for fixture in ALL_FIXTURES:
        assert dumped(rendered(fixture)) == dumped(rendered(fixture)), fixture.name


# --- Every golden payload keeps to Slack's limits and mentions nobody.

_MENTION = SLACK_CONTROL


def _golden_files() -> list[Path]:
    return sorted(GOLDENS.folder.glob("*.json"))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_every_fixture_has_a_golden_file() -> None:
    if UPDATE:
        pytest.skip("golden files are being rewritten")
    missing = [f.name for f in ALL_FIXTURES if not golden_path(f).exists()]
    assert missing == []


@pytest.mark.parametrize("path", _golden_files(), ids=lambda p: p.stem)
def test_golden_payload_within_slack_limits(path: Path) -> None:
    entries = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(entries, list) and entries, f"{path.name} holds no event"
    for entry in entries:
        assert set(entry) == {"kind", "key", "severity", "channel", "incident", "message"}
        message = entry["message"]
        assert limits.problems(message) == []
        for text in _strings(message):
            # Operators may configure a mention; the default config has none, so any
            # `<!`, `<@` or `<#` here came from AWS data and was not escaped.
            assert not _MENTION.search(text), f"{path.name}: unescaped mention in {text!r}"
            assert "\u202e" not in text


def test_golden_payloads_match_current_rendering_limits() -> None:
    """The live rendering of every fixture passes the same checks, whatever the files say."""
    for fixture in ALL_FIXTURES:
        for entry in rendered(fixture):
            assert limits.problems(entry["message"]) == [], fixture.name
            for text in _strings(entry["message"]):
                assert not _MENTION.search(text), fixture.name


# --- Which kind each published sample is.

EXPECTED_KIND = {
    "clarify-bias-analysis": "unknown",  # a report file, not an event
    "cloudwatch-alarm-lambda-action-composite": "alarm",
    "cloudwatch-alarm-lambda-action-single-metric": "alarm",
    "cloudwatch-alarm-sns-lambda-event-metric-math": "alarm",
    "cloudwatch-alarm-sns-lambda-event-real-world": "alarm",
    "cloudwatch-alarm-sns-lambda-event-single-metric": "alarm",
    "cloudwatch-alarm-sns-message-metric-math": "alarm",
    "cloudwatch-alarm-sns-message-real-world": "alarm",
    "cloudwatch-alarm-sns-message-single-metric": "alarm",
    "cloudwatch-alarm-state-change-anomaly-detection": "alarm",
    "cloudwatch-alarm-state-change-composite-with-suppressor": "alarm",
    "cloudwatch-alarm-state-change-metric-math": "alarm",
    "cloudwatch-alarm-state-change-single-metric": "alarm",
    "codebuild-build-phase-change": "codebuild",
    "codebuild-build-state-change-succeeded": "codebuild",
    "codepipeline-action-execution-state-change-abandoned": "codepipeline",
    "codepipeline-action-execution-state-change-failed-codedeploy": "codepipeline",
    "codepipeline-action-execution-state-change-failed-notification-processed": "codepipeline",
    "codepipeline-action-execution-state-change-started": "codepipeline",
    "codepipeline-manual-approval-sns-message": "codepipeline",
    "codepipeline-action-execution-state-change-succeeded-source": "codepipeline",
    "codepipeline-pipeline-execution-state-change-failed-notification-processed": "codepipeline",
    "codepipeline-pipeline-execution-state-change-failed": "codepipeline",
    "codepipeline-pipeline-execution-state-change-started": "codepipeline",
    "codepipeline-pipeline-execution-state-change-stopping": "codepipeline",
    "codepipeline-pipeline-execution-state-change-succeeded": "codepipeline",
    "codepipeline-stage-execution-state-change-started": "codepipeline",
    "codepipeline-stage-execution-state-change-stopped": "codepipeline",
    "codepipeline-stage-execution-state-change-stopping": "codepipeline",
    # Model Monitor report files (constraints, statistics, violations) are not events.
    "model-monitor-bias-drift-constraint-violations": "unknown",
    "model-monitor-data-quality-constraint-violations": "unknown",
    "model-monitor-data-quality-constraints-string-feature": "unknown",
    "model-monitor-data-quality-constraints": "unknown",
    "model-monitor-data-quality-statistics-string-feature": "unknown",
    "model-monitor-data-quality-statistics": "unknown",
    "model-monitor-feature-attribution-drift-constraint-violations": "unknown",
    "model-monitor-model-quality-binary-classification-statistics": "unknown",
    "model-monitor-model-quality-multiclass-statistics": "unknown",
    "model-monitor-model-quality-regression-constraints": "unknown",
    "model-monitor-model-quality-regression-statistics": "unknown",
    "sagemaker-endpoint-deployment-state-change-canary-baking": "endpoint",
    "sagemaker-endpoint-deployment-state-change-scaling": "endpoint",
    "sagemaker-endpoint-state-change-in-service": "endpoint",
    "sagemaker-feature-group-state-change": "unknown",  # mlpulse has no feature-store kind
    "sagemaker-ground-truth-labeling-job-state-change-completed": "labeling_job",
    "sagemaker-hyperparameter-tuning-job-state-change": "tuning_job",
    "sagemaker-model-package-state-change": "model_package",
    "sagemaker-pipeline-execution-status-change-succeeded": "pipeline_execution",
    "sagemaker-pipeline-step-status-change-succeeded": "pipeline_execution",
    "sagemaker-processing-job-state-change-failed": "processing_job",
    "sagemaker-training-job-state-change-completed": "training_job",
    "sagemaker-transform-job-state-change": "transform_job",
    # SNS and SQS samples whose message is text or an application's own JSON.
    "sns-http-notification": "unknown",
    "sns-http-subscription-confirmation": "unknown",
    "sns-http-unsubscribe-confirmation": "unknown",
    "sns-lambda-event": "unknown",
    "sns-to-sqs-message-body-with-real-signature": "unknown",
    "sns-to-sqs-message-body": "unknown",
    "sqs-lambda-event-with-sns-envelope-body": "unknown",
    "stepfunctions-execution-status-change-aborted": "stepfunctions",
    "stepfunctions-execution-status-change-failed": "stepfunctions",
    "stepfunctions-execution-status-change-running": "stepfunctions",
    "stepfunctions-execution-status-change-succeeded": "stepfunctions",
    "stepfunctions-execution-status-change-timed-out": "stepfunctions",
}


def test_kind_table_covers_every_fixture() -> None:
    assert sorted(EXPECTED_KIND) == sorted(f.stem for f in ALL_FIXTURES)


@pytest.mark.parametrize(("stem", "kind"), sorted(EXPECTED_KIND.items()))
def test_fixture_kind(stem: str, kind: str) -> None:
    entries = rendered(FIXTURES / f"{stem}.json")
    assert entries, f"{stem} produced no event"
    assert [entry["kind"] for entry in entries] == [kind] * len(entries)


# A few facts worth pinning beyond the kind: the alert someone would act on.
@pytest.mark.parametrize(
    ("stem", "severity", "incident"),
    [
        ("sagemaker-processing-job-state-change-failed", "critical", True),
        ("stepfunctions-execution-status-change-failed", "critical", True),
        ("stepfunctions-execution-status-change-timed-out", "critical", True),
        ("stepfunctions-execution-status-change-succeeded", "info", False),
        ("codepipeline-pipeline-execution-state-change-failed", "critical", True),
        # A failure at any level opens (or joins) its execution's incident (issue 14, item 2).
        ("codepipeline-action-execution-state-change-failed-codedeploy", "critical", True),
        ("cloudwatch-alarm-state-change-single-metric", "critical", True),
        ("cloudwatch-alarm-sns-message-real-world", "info", False),
        ("sagemaker-training-job-state-change-completed", "info", False),
        ("sns-http-notification", "info", False),
    ],
)
def test_fixture_severity(stem: str, severity: str, incident: bool) -> None:
    (entry,) = rendered(FIXTURES / f"{stem}.json")
    assert (entry["severity"], entry["incident"]) == (severity, incident)


def test_failed_processing_job_shows_its_reason_and_console_link() -> None:
    (entry,) = rendered(FIXTURES / "sagemaker-processing-job-state-change-failed.json")
    text = json.dumps(entry["message"], ensure_ascii=False)
    assert "InternalServerError: We encountered an internal error." in text
    urls = [
        element["url"]
        for block in entry["message"]["attachments"][0]["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if "url" in element
    ]
    assert any(
        "console.aws.amazon.com/sagemaker/home?region=us-east-1#/processing-jobs/"
        "integ-test-analytics-algo-54ee3282-5899-4aa3-afc2-7ce1d02" in url
        for url in urls
    ), urls


# --- a route's mention: on incident-opening alerts, or on every alert when the route says so


def _endpoint(status: str) -> Event:
    (event,) = events_from(
        json.loads((FIXTURES / "sagemaker-endpoint-state-change-in-service.json").read_text()),
        RECEIVED,
    )
    return event.model_copy(update={"status": status, "outcome": outcome_of(status)})


@pytest.mark.parametrize(
    ("status", "incident", "mention_always", "shown"),
    [
        ("Failed", True, False, True),  # opens an incident: the route's people are called
        ("Updating", False, False, False),  # an update of the same endpoint: nobody
        ("InService", False, False, False),  # recovered: nobody
        ("Updating", False, True, True),  # `mention_on: all`
    ],
)
def test_a_route_mention_is_shown_where_it_belongs(
    status: str, incident: bool, mention_always: bool, shown: bool
) -> None:
    severity = Severity.CRITICAL if incident else Severity.INFO
    decision = Decision("#ml", severity, incident, "@here", mention_always=mention_always)

    payload = render_alert(_endpoint(status), decision)

    assert payload["text"].startswith("<!here> ") is shown
    assert ("<!here>" in json.dumps(payload["attachments"])) is shown


def test_a_mention_for_a_user_group_is_placed_as_configured() -> None:
    decision = Decision("#ml", Severity.CRITICAL, True, "<!subteam^S0123>")
    payload = render_alert(_endpoint("Failed"), decision)
    assert payload["text"].startswith("<!subteam^S0123> :red_circle: Endpoint Failed")


# --- whose time an alert shows


@pytest.mark.parametrize(
    ("source", "context", "reply"),
    [
        ("event", "· 2026-01-01 00:00:00 UTC", "· 00:00:00 UTC"),
        ("received", "· received 2026-01-01 00:00:00 UTC", "· received 00:00:00 UTC"),
        ("sent", "· sent 2026-01-01 00:00:00 UTC", "· sent 00:00:00 UTC"),
    ],
)
def test_an_alert_says_when_its_time_is_not_the_events_own(
    source: str, context: str, reply: str
) -> None:
    event = _endpoint("InService").model_copy(update={"time": RECEIVED, "time_source": source})
    decision = Decision("#ml", Severity.INFO, False)

    blocks = render_alert(event, decision)["attachments"][0]["blocks"]
    assert readable(blocks[-1]["elements"][0]["text"]).endswith(context)
    assert reply in readable(render_reply(event)["blocks"][0]["text"]["text"])
