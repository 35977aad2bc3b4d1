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
