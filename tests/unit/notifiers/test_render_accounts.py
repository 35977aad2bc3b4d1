"""Alerts say which account and region they come from: the account by its alias (with its
id) when `aws.accounts` names it, by its id otherwise, and their console and log buttons
say which account they open in. Golden files under tests/golden/accounts/."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.cli.main import render_record
from bot.config.models import Config
from bot.ingress.ingest import events_from, parse_document
from tests.conftest import FIXTURES
from tests.goldens import Goldens, slack_problems

GOLDENS = Goldens("accounts")
RECEIVED = datetime(2026, 1, 1, tzinfo=UTC)
CONFIG = Config.model_validate(
    {"aws": {"accounts": [{"id": "123456789012", "alias": "prod", "regions": ["us-east-1"]}]}}
)
CASES = (
    "sagemaker-processing-job-state-change-failed",
    "sagemaker-training-job-state-change-completed",
    "cloudwatch-alarm-state-change-single-metric",
)


def rendered(case: str, config: Config) -> dict[str, Any]:
    (document,) = parse_document((FIXTURES / f"{case}.json").read_bytes(), case)
    (event,) = events_from(document, RECEIVED)
    return render_record(event, config)


def fields_of(record: dict[str, Any]) -> list[str]:
    blocks = record["message"]["attachments"][0]["blocks"]
    return [field["text"] for block in blocks for field in block.get("fields") or []]


def buttons_of(record: dict[str, Any]) -> list[str]:
    """The texts of the alert's link buttons (the question buttons ask in the account by
    their line: `--account prod`)."""
    blocks = record["message"]["attachments"][0]["blocks"]
    return [
        element["text"]["text"]
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if "url" in element
    ]


@pytest.mark.parametrize("case", CASES)
def test_alerts_from_a_named_account_match_their_golden(case: str) -> None:
    record = rendered(case, CONFIG)
    assert slack_problems([record["message"]]) == []
    GOLDENS.check(case, record)


def test_the_account_is_shown_by_alias_and_id_and_the_region_beside_it() -> None:
    record = rendered("sagemaker-processing-job-state-change-failed", CONFIG)
    assert "*Account*\nprod (123456789012)" in fields_of(record)
    assert any(text.startswith("*Region*\n") for text in fields_of(record))
    assert buttons_of(record) and all(text.endswith(" · prod") for text in buttons_of(record))


def test_without_accounts_configured_the_id_alone_and_the_buttons_as_they_were() -> None:
    record = rendered("sagemaker-processing-job-state-change-failed", Config())
    assert "*Account*\n123456789012" in fields_of(record)
    assert buttons_of(record) and not any("·" in text for text in buttons_of(record))
