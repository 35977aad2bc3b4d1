"""bot.ingress.region_names: every region botocore knows, by the display name a classic
alarm notification gives (in its older spelling too), is read as its code; and the alarm
then gets its region and a console link in that region's console."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import botocore
import pytest

from bot.ingress.ingest import events_from
from bot.ingress.region_names import DISPLAY_NAMES, region_code

RECEIVED = datetime(2026, 1, 1, tzinfo=UTC)
ENDPOINTS = Path(botocore.__file__).parent / "data" / "endpoints.json"


def botocore_regions() -> dict[str, str]:
    data = json.loads(ENDPOINTS.read_text(encoding="utf-8"))
    return {
        code: region["description"]
        for partition in data["partitions"]
        for code, region in partition["regions"].items()
    }


def test_the_table_holds_every_region_botocore_knows_by_its_name() -> None:
    assert botocore_regions() == DISPLAY_NAMES


@pytest.mark.parametrize(("code", "name"), sorted(botocore_regions().items()))
def test_each_botocore_name_reads_as_its_code(code: str, name: str) -> None:
    assert region_code(name) == code


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("US West - Oregon", "us-west-2"),  # the classic notification's spelling
        ("US East - N. Virginia", "us-east-1"),
        ("US East (N. Virginia)", "us-east-1"),
        ("EU - Ireland", "eu-west-1"),
        ("Europe - Ireland", "eu-west-1"),
        ("EU (Frankfurt)", "eu-central-1"),  # botocore's spelling before `Europe`
        ("Asia Pacific - Tokyo", "ap-northeast-1"),
        ("South America - São Paulo", "sa-east-1"),
        ("Canada - Central", "ca-central-1"),
        ("AWS GovCloud (US)", "us-gov-west-1"),  # the name before US-East opened
        ("AWS GovCloud (US-East)", "us-gov-east-1"),
        ("GovCloud - US-West", "us-gov-west-1"),
        ("China (Beijing)", "cn-north-1"),
        ("China - Ningxia", "cn-northwest-1"),
        ("  us west   OREGON ", "us-west-2"),
        ("Mars - Olympus Mons", None),
        ("", None),
        ("AWS", None),
    ],
)
def test_older_spellings_read_as_the_same_code(name: str, code: str | None) -> None:
    assert region_code(name) == code


def classic_alarm(region: Any) -> dict[str, Any]:
    """A classic notification without AlarmArn: its display name is all it says of where."""
    return {
        "AlarmName": "db-connections",
        "AWSAccountId": "123456789012",
        "NewStateValue": "ALARM",
        "NewStateReason": "Threshold Crossed",
        "StateChangeTime": "2016-07-24T22:05:19.737+0000",
        "Region": region,
        "OldStateValue": "OK",
    }


@pytest.mark.parametrize(
    ("name", "code", "console"),
    [
        ("US West - Oregon", "us-west-2", "https://us-west-2.console.aws.amazon.com/"),
        ("AWS GovCloud (US-West)", "us-gov-west-1", "console.amazonaws-us-gov.com/"),
        ("China (Beijing)", "cn-north-1", "https://cn-north-1.console.amazonaws.cn/"),
    ],
)
def test_a_classic_alarm_gets_its_region_and_console_link(
    name: str, code: str, console: str
) -> None:
    (event,) = events_from(classic_alarm(name), RECEIVED)
    assert event.region == code
    assert event.key == f"alarm:123456789012:{code}:db-connections"
    (link,) = event.links
    assert console in link.url and f"region={code}" in link.url


@pytest.mark.parametrize("name", ["Atlantis - North", 42, None])
def test_a_region_no_one_knows_gives_no_region_and_no_link(name: Any) -> None:
    (event,) = events_from(classic_alarm(name), RECEIVED)
    assert event.region is None
    assert event.links == ()
