"""The held-out real payloads (tests/fixtures/real/events, copied from shared/fixtures/real;
SOURCES.md says who published each and what kind it is): every one renders as the kind its
source says, opens an incident when it should, names its resource and status, passes
slack_sdk's Block Kit models, and is frozen in tests/golden/real/.

Where today's rendering falls short of what a responder needs, the case is an expected
failure naming the item of issue 14 that fixes it; `strict` makes a fix flip it to a pass
that must be acknowledged by removing the mark."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.cli.main import render_record
from bot.config.models import Config
from bot.core.outcomes import display_status
from bot.core.text import escape
from bot.ingress.ingest import events_from, parse_document
from tests.conftest import REPO
from tests.goldens import Goldens, slack_problems

REAL = REPO / "tests" / "fixtures" / "real"
FILES = sorted((REAL / "events").glob("*.json"))
GOLDENS = Goldens("real")
RECEIVED = datetime(2026, 1, 1, tzinfo=UTC)
_EXPECTED = re.compile(
    r"\*\*(?P<file>[\w.-]+\.json)\*\* — expected kind `(?P<kind>\w+)`, incident (?P<incident>true|false)"
)
EXPECTED = {
    m["file"]: (m["kind"], m["incident"] == "true")
    for m in _EXPECTED.finditer((REAL / "SOURCES.md").read_text(encoding="utf-8"))
}
# Where the product decided otherwise than SOURCES.md expected, and why.
EXPECTED |= {
    # A build a pipeline ran (`initiator: codepipeline/...`): its failure is the pipeline's
    # incident, opened by the failed action that names the build and carries its log tail;
    # a second incident would page twice for one failure (README "Incidents").
    "024-codebuild-build-failed-yaml-file-error.json": ("codebuild", False),
}
# What issue 14 has still to fix, as measured on the day these payloads were added.
SHORT_OF_ISSUE_14: dict[str, str] = {}


def rendered(path: Path) -> list[dict[str, Any]]:
    return [
        render_record(event, Config())
        for document in parse_document(path.read_bytes(), path.name)
        for event in events_from(document, RECEIVED)
    ]


def blocks_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(message.get("blocks") or [])
    for attachment in message.get("attachments") or []:
        found += attachment.get("blocks") or []
    return found


def test_every_file_has_its_expectation() -> None:
    assert len(FILES) == 41
    assert sorted(EXPECTED) == [path.name for path in FILES]


def known(path: Path) -> list[Any]:
    reason = SHORT_OF_ISSUE_14.get(path.name)
    return [pytest.mark.xfail(reason=reason, strict=True)] if reason else []


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem, marks=known(p)) for p in FILES])
def test_real_payload_renders_as_its_kind(path: Path) -> None:
    kind, incident = EXPECTED[path.name]
    records = rendered(path)
    assert records, f"{path.name} gave no alert"
    for record in records:
        assert (record["kind"], record["incident"]) == (kind, incident)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_real_payload_names_its_resource_and_status(path: Path) -> None:
    for document in parse_document(path.read_bytes(), path.name):
        for event in events_from(document, RECEIVED):
            shown = json.dumps(render_record(event, Config())["message"], ensure_ascii=False)
            assert escape(event.name) in shown
            assert escape(display_status(event.status)) in shown


# The files that carry a failure's reason, and what of it the alert must show (as Slack
# shows it: `&`, `<`, `>` escaped). Every other file shows no `Reason` at all: what a
# success carries (a commit message) is labelled by what it is.
REASONS = {
    "001-alarm-sns-lambda-rds-db-connections.json": [
        "Threshold Crossed: 1 datapoint (10.0) was greater than or equal to the threshold (10.0)."
    ],
    "002-alarm-sns-lambda-alb-request-count.json": [
        "1 datapoint [1446.0 (07/08/17 18:46:00)] was greater than or equal to the threshold"
    ],
    "003-alarm-sns-lambda-composite-triggering-children.json": [
        "alarm:Alarm1 transitioned to ALARM at Thursday 17 March, 2022 09:21:51 UTC"
    ],
    "004-alarm-sns-lambda-metric-math-expression.json": [
        "[8133.333333333447 (07/08/19 18:43:00)] was greater than the threshold (1000.0)",
        "OK -&gt; ALARM transition",
    ],
    "005-alarm-sns-message-minimal-no-trigger.json": ["Threshold Crossed"],
    "006-alarm-lambda-action-metric-malformed-times.json": ["```test```"],
    "007-alarm-lambda-action-composite-malformed-times.json": [
        "alarm:CompositeDemo.FirstChild transitioned to ALARM"
    ],
    "008-alarm-eventbridge-composite-suppressor-alarmdata.json": [
        "alarm:SuppressionDemo.EventBridge.FirstChild transitioned to ALARM"
    ],
    "009-alarm-eventbridge-metrics-insights-partial-data.json": [
        "3 out of the last 3 datapoints [20000.0 (08/11/22 11:25:00)"
    ],
    "017-codepipeline-action-failed-codebuild-notification-rule.json": [
        "Build terminated with state: FAILED",
        "JobFailed",
    ],
    "024-codebuild-build-failed-yaml-file-error.json": [
        "DOWNLOAD_SOURCE FAILED: YAML_FILE_ERROR: stat "
        "/codebuild/output/src424818173/src/buildspec.yml: no such file or directory"
    ],
}


def test_the_reasons_table_names_real_files() -> None:
    assert set(REASONS) <= set(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_real_payload_shows_the_failures_reason_where_it_has_one(path: Path) -> None:
    for record in rendered(path):
        blocks = json.dumps(blocks_of(record["message"]), ensure_ascii=False)
        texts = [
            block["text"]["text"] for block in blocks_of(record["message"]) if block.get("text")
        ]
        reason_shown = any(text.startswith("*Reason*\n") for text in texts)
        assert reason_shown is (path.name in REASONS)
        for words in REASONS.get(path.name, []):
            assert words in blocks, f"{path.name}: {words!r} is not shown"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_real_payload_passes_block_kit_and_slack_limits(path: Path) -> None:
    for record in rendered(path):
        message = record["message"]
        assert slack_problems([message]) == []
        for block in blocks_of(message):
            parsed = Block.parse(block)
            assert parsed is not None, block["type"]
            parsed.validate_json()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_real_payload_matches_golden(path: Path) -> None:
    GOLDENS.check(path.stem, rendered(path))


def test_no_orphan_golden_files() -> None:
    assert GOLDENS.orphans(path.stem for path in FILES) == []


def test_golden_files_are_json() -> None:
    for path in GOLDENS.folder.glob("*.json"):
        assert isinstance(json.loads(path.read_text(encoding="utf-8")), list)
