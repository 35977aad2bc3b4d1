"""Hostile and malformed input (RELIABILITY B4, B5).

Every published event sample, broken in every simple way (a field missing, a field of the
wrong type, unknown fields added), still becomes an alert that Slack accepts; and text that
tries to mention people, break formatting or hide itself (bidi overrides, control
characters) is escaped, cleaned and clipped before it reaches a payload.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.config.models import Config
from bot.core.events import Event
from bot.ingress.ingest import events_from
from bot.intake.routing import route
from notifiers import limits
from notifiers.render import render_alert, render_plain, render_reply
from tests.conftest import FIXTURES
from tests.goldens import SLACK_CONTROL

EVENT_FIXTURES = sorted(
    p for p in FIXTURES.glob("*.json") if not p.name.startswith(("model-monitor-", "clarify-"))
)
RECEIVED = datetime(2026, 1, 1, tzinfo=UTC)
CONFIG = Config()

HUGE = "x" * 100_000
WRONG_VALUES: list[Any] = [None, 12345, -1.5e308, [], {}, True, "", HUGE, [None, {"a": []}]]

# Characters that must never reach Slack: C0 controls other than tab / newline / CR, DEL, C1,
# and the bidirectional embeddings, overrides and isolates used to disguise text.
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What Slack would read as a mention, a channel link or a link with its own label.
ENTITY = re.compile(r"&(amp|lt|gt);")


# --- helpers


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def payloads(event: Event) -> list[dict[str, Any]]:
    decision = route(event, CONFIG)
    return [render_alert(event, decision), render_reply(event), render_plain(event)]


def check_safe(payload: dict[str, Any]) -> list[str]:
    """Every reason `payload` is not fit to send; empty when it is."""
    found = list(limits.problems(payload))
    for text in strings(payload):
        if SLACK_CONTROL.search(text):
            found.append(f"Slack control sequence in {text[:120]!r}")
        if UNSAFE.search(text):
            found.append(f"unsafe character in {text[:120]!r}")
        if not text.startswith("http") and "&" in ENTITY.sub("", text):
            found.append(f"entity cut or unescaped '&' in {text[:120]!r}")
    return found


def render_all(document: Any) -> list[str]:
    """Normalize and render `document`; any exception is a failure, reported as such."""
    try:
        events = events_from(document, RECEIVED)
        problems = [
            p for event in events for payload in payloads(event) for p in check_safe(payload)
        ]
    except Exception as error:  # the point of the test: nothing may raise
        return [f"raised {type(error).__name__}: {error}"]
    if not events:
        problems.append("produced no event")
    for event in events:
        if not (event.id and event.key and event.name and event.status):
            problems.append(f"empty identity or name in {event!r}"[:200])
    return problems


def load_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def body_of(document: dict[str, Any]) -> dict[str, Any]:
    """The object holding an event's own fields, whatever envelope the sample uses."""
    if isinstance(document.get("detail"), dict):
        return document["detail"]  # type: ignore[no-any-return]
    if isinstance(document.get("alarmData"), dict):
        return document["alarmData"]  # type: ignore[no-any-return]
    if isinstance(document.get("Records"), list):
        record = document["Records"][0]
        return record["Sns"] if isinstance(record.get("Sns"), dict) else record  # type: ignore[no-any-return]
    return document


def variants(raw: str) -> Iterator[tuple[str, Any]]:
    """(label, broken document) for every simple way to break one sample."""
    fields = list(body_of(json.loads(raw)))
    for field in fields:
        document = json.loads(raw)
        del body_of(document)[field]
        yield f"without {field}", document
        for wrong in WRONG_VALUES:
            document = json.loads(raw)
            body_of(document)[field] = wrong
            yield f"{field}={str(wrong)[:20]!r}", document
    document = json.loads(raw)
    body_of(document).update(
        {"UnknownField": {"nested": [1, 2, {"x": None}]}, "Tags": "not-a-dict", "zzz": HUGE}
    )
    yield "with unknown fields", document
    top = json.loads(raw)
    if "detail" in top:
        for field in [k for k in top if k != "detail"]:
            for wrong in (None, 12345, [], {}, HUGE):
                document = json.loads(raw)
                document[field] = wrong
                yield f"envelope {field}={str(wrong)[:20]!r}", document
        for wrong in (None, 12345, [], "x", HUGE):
            document = json.loads(raw)
            document["detail"] = wrong
            yield f"detail={str(wrong)[:20]!r}", document


# --- B4: missing fields, wrong types, unknown fields


@pytest.mark.parametrize("fixture", EVENT_FIXTURES, ids=lambda p: p.stem)
def test_broken_samples_still_render_within_limits(fixture: Path) -> None:
    raw = load_text(fixture)
    failures = []
    count = 0
    for label, document in variants(raw):
        count += 1
        problems = render_all(document)
        failures += [f"{label}: {problem}" for problem in problems]
    assert count > 10
    assert failures == [], "\n".join(failures[:20])


def test_a_wrong_type_costs_one_field_not_the_alert() -> None:
    document = json.loads(load_text(FIXTURES / "sagemaker-processing-job-state-change-failed.json"))
    document["detail"]["ProcessingResources"] = "not an object"
    document["detail"]["ProcessingStartTime"] = {"not": "a time"}
    (event,) = events_from(document, RECEIVED)
    assert event.status == "Failed"
    assert event.reason and event.reason.startswith("InternalServerError")
    assert event.started is None
    assert not any(fact.label == "Instances" for fact in event.facts)


def test_missing_name_and_status_still_render() -> None:
    document = json.loads(
        load_text(FIXTURES / "sagemaker-training-job-state-change-completed.json")
    )
    document["detail"] = {}
    document["resources"] = []
    (event,) = events_from(document, RECEIVED)
    assert (event.name, event.status) == ("unnamed", "unknown")
    assert check_safe(render_alert(event, route(event, CONFIG))) == []


# --- B5: text that tries to mention, format, bloat or disguise

HOSTILE = {
    "channel": "Failed <!channel> now",
    "here": "<!here|here> look",
    "user": "ping <@U123> and <@W0ABC|bob>",
    "usergroup": "<!subteam^S123|@oncall>",
    "link": "see <http://evil.example|click here>",
    "mailto": "<mailto:a@b.c|mail>",
    "channel-link": "<#C123|general>",
    "entities": "a &amp; b &lt;!channel&gt; c & d < e > f",
    "markdown": "*bold* _it_ ~strike~ `code` ```block``` > quote",
    "emoji": "🔥 model 👩\u200d👩\u200d👧\u200d👦 family 🏳️\u200d🌈 flag",
    "rtl": "خطأ في التدريب שגיאה",
    "bidi": "invoice\u202egnp.exe and \u2066isolated\u2069 \u202aembedded\u202c",
    "controls": "bell\x07 null\x00 esc\x1b[31m del\x7f c1\x85\x9b tab\tnew\nline",
    "huge": "<!channel> " + "y" * 100_000,
    "huge-entities": "<" * 50_000,
    "huge-multiline": "line <!here>\n" * 10_000,
}


def _sagemaker_failed(text: str) -> Any:
    document = json.loads(load_text(FIXTURES / "sagemaker-processing-job-state-change-failed.json"))
    document["detail"]["FailureReason"] = text
    document["detail"]["ProcessingJobName"] = text
    return document


def _alarm(text: str) -> Any:
    document = json.loads(load_text(FIXTURES / "cloudwatch-alarm-state-change-single-metric.json"))
    document["detail"]["alarmName"] = text
    document["detail"]["state"]["reason"] = text
    document["detail"]["configuration"]["description"] = text
    return document


def _classic_alarm(text: str) -> Any:
    document = json.loads(load_text(FIXTURES / "cloudwatch-alarm-sns-message-single-metric.json"))
    document.update(AlarmName=text, NewStateReason=text, AlarmDescription=text)
    document["Trigger"]["MetricName"] = text
    return document


def _pipeline_action(text: str) -> Any:
    name = "codepipeline-action-execution-state-change-failed-codedeploy.json"
    document = json.loads(load_text(FIXTURES / name))
    document["detail"].update(pipeline=text, stage=text, action=text)
    document["detail"]["execution-result"]["external-execution-summary"] = text
    document["detail"]["execution-result"]["external-execution-url"] = "https://x.example/" + text
    return document


def _step_functions(text: str) -> Any:
    document = json.loads(load_text(FIXTURES / "stepfunctions-execution-status-change-failed.json"))
    document["detail"].update(name=text, error=text, cause=text)
    return document


def _codebuild(text: str) -> Any:
    document = json.loads(load_text(FIXTURES / "codebuild-build-state-change-succeeded.json"))
    document["detail"]["project-name"] = text
    document["detail"]["build-status"] = "FAILED"
    info = document["detail"]["additional-information"]
    info["initiator"] = text
    info["logs"]["deep-link"] = "https://console.aws.amazon.com/cloudwatch/" + text
    info["phases"] = [{"phase-type": "BUILD", "phase-status": "FAILED", "phase-context": [text]}]
    return document


def _endpoint(text: str) -> Any:
    document = json.loads(load_text(FIXTURES / "sagemaker-endpoint-state-change-in-service.json"))
    document["detail"].update(EndpointName=text, EndpointStatus="FAILED", FailureReason=text)
    document["detail"]["ProductionVariants"][0]["VariantName"] = text
    return document


def _pipeline_step(text: str) -> Any:
    """Status, previous status and part (the step) all from AWS text."""
    name = "sagemaker-pipeline-step-status-change-succeeded.json"
    document = json.loads(load_text(FIXTURES / name))
    document["detail"].update(
        stepName=text, currentStepStatus=text, previousStepStatus=text, failureReason=text
    )
    return document


def _sns_text(text: str) -> Any:
    document = json.loads(load_text(FIXTURES / "sns-http-notification.json"))
    document.update(Subject=text, Message=text)
    return document


def _unknown_json(text: str) -> Any:
    detail = {"jobName": text, "status": text, text: "a field named by AWS text"}
    return {"source": text, "detail-type": text, "resources": [text], "detail": detail}


CARRIERS: dict[str, Callable[[str], Any]] = {
    "sagemaker": _sagemaker_failed,
    "alarm": _alarm,
    "classic-alarm": _classic_alarm,
    "codepipeline": _pipeline_action,
    "stepfunctions": _step_functions,
    "codebuild": _codebuild,
    "endpoint": _endpoint,
    "pipeline-step": _pipeline_step,
    "sns-text": _sns_text,
    "unknown": _unknown_json,
}


@pytest.mark.parametrize("carrier", sorted(CARRIERS))
def test_hostile_text_is_escaped_cleaned_and_clipped(carrier: str) -> None:
    failures = []
    for label, text in HOSTILE.items():
        problems = render_all(CARRIERS[carrier](text))
        failures += [f"{label}: {problem}" for problem in problems]
    assert failures == [], "\n".join(failures[:20])


@pytest.mark.parametrize("carrier", sorted(CARRIERS))
def test_mentions_are_shown_escaped(carrier: str) -> None:
    (event,) = events_from(CARRIERS[carrier]("Failed <!channel> <@U123>"), RECEIVED)
    alert = json.dumps(render_alert(event, route(event, CONFIG)), ensure_ascii=False)
    assert "&lt;!channel&gt; &lt;@U123&gt;" in alert


def test_entities_in_aws_text_are_escaped_again_so_they_show_literally() -> None:
    (event,) = events_from(_sagemaker_failed("a &amp; b &lt;!channel&gt;"), RECEIVED)
    alert = json.dumps(render_alert(event, route(event, CONFIG)), ensure_ascii=False)
    assert "a &amp;amp; b &amp;lt;!channel&amp;gt;" in alert


def test_code_blocks_cannot_be_closed_early() -> None:
    (event,) = events_from(_sagemaker_failed("before ``` *after* ```"), RECEIVED)
    alert = render_alert(event, route(event, CONFIG))
    reason = next(t for t in strings(alert) if t.startswith("*Reason*"))
    body = reason.removeprefix("*Reason*\n")
    assert body.startswith("```") and body.endswith("```")
    assert body.count("```") == 2, body


def test_bidi_overrides_and_controls_are_removed_but_text_kept() -> None:
    (event,) = events_from(_sagemaker_failed(HOSTILE["bidi"] + " " + HOSTILE["controls"]), RECEIVED)
    alert = json.dumps(render_alert(event, route(event, CONFIG)), ensure_ascii=False)
    assert "invoicegnp.exe" in alert
    assert "bell null esc[31m del c1 tab\\tnew\\nline" in alert


def test_emoji_and_rtl_text_survive() -> None:
    text = HOSTILE["emoji"] + " " + HOSTILE["rtl"]
    (event,) = events_from(_sagemaker_failed(text), RECEIVED)
    alert = json.dumps(render_alert(event, route(event, CONFIG)), ensure_ascii=False)
    assert "👩\u200d👩\u200d👧\u200d👦" in alert
    assert "خطأ في التدريب" in alert


def test_huge_reason_is_clipped_with_an_ellipsis() -> None:
    (event,) = events_from(_sagemaker_failed(HOSTILE["huge"]), RECEIVED)
    assert event.reason is not None and len(event.reason) <= 8_000  # bounded in the store too
    alert = render_alert(event, route(event, CONFIG))
    assert limits.problems(alert) == []
    reason = next(t for t in strings(alert) if t.startswith("*Reason*"))
    assert reason.endswith("…```")
    assert len(json.dumps(alert)) < 20_000


def test_huge_run_of_entities_is_never_cut_inside_an_entity() -> None:
    (event,) = events_from(_sagemaker_failed(HOSTILE["huge-entities"]), RECEIVED)
    for payload in payloads(event):
        for text in strings(payload):
            stripped = re.sub(r"&(amp|lt|gt);", "", text)
            assert "&" not in stripped, text[-40:]


def test_configured_mention_is_the_only_mention() -> None:
    """An operator's `mention: "@here"` is a real mention; AWS text never is."""
    config = Config.model_validate(
        {"routes": [{"match": {"kind": "processing_job"}, "mention": "@here"}]}
    )
    (event,) = events_from(_sagemaker_failed("<!channel> boom"), RECEIVED)
    alert = render_alert(event, route(event, config))
    found = [m for text in strings(alert) for m in re.findall(r"<![a-z]+>", text)]
    assert found and set(found) == {"<!here>"}
