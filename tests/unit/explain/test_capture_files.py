"""An endpoint's capture files on S3 (a moto server), read newest first: across hours,
days and variants, pruned by `--since`, and scanned for `--where` over 10,000 records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.explain.capture_files import capture_files
from bot.explain.scan import MAX_SCANNED, Selection, scan
from bot.explain.where import parse_where
from tests.fakes.moto import aws_client, moto_server, moto_url  # noqa: F401
from tests.unit.explain.samples import fraud_line

BUCKET = "ml-capture"
DESTINATION = f"s3://{BUCKET}/datacapture"


@pytest.fixture
def s3(moto_url: str) -> Any:  # noqa: F811
    client = aws_client("s3", moto_url)
    client.create_bucket(Bucket=BUCKET)
    return client


def put(s3: Any, key: str, lines: list[str]) -> None:
    s3.put_object(
        Bucket=BUCKET, Key=f"datacapture/fraud-prod/{key}", Body="\n".join(lines).encode()
    )


def names(s3: Any, since: datetime | None = None) -> list[str]:
    return [name for name, _ in capture_files(s3, DESTINATION, "fraud-prod", since)]


def test_newest_first_across_days_hours_and_variants(s3: Any) -> None:
    for key in (
        "AllTraffic/2026/11/24/23/59-00-000-a.jsonl",
        "AllTraffic/2026/11/25/04/10-00-000-b.jsonl",
        "AllTraffic/2026/11/25/04/40-00-000-c.jsonl",
        "Canary/2026/11/25/03/55-00-000-d.jsonl",
        "Canary/2026/11/25/05/01-00-000-e.jsonl",
        "AllTraffic/2026/11/25/04/notes.txt",
    ):
        put(s3, key, [])
    s3.put_object(  # another endpoint whose name starts the same
        Bucket=BUCKET, Key="datacapture/fraud-prod-2/AllTraffic/2026/11/25/06/z.jsonl", Body=b""
    )
    assert names(s3) == [
        "Canary/2026/11/25/05/01-00-000-e.jsonl",
        "AllTraffic/2026/11/25/04/40-00-000-c.jsonl",
        "AllTraffic/2026/11/25/04/10-00-000-b.jsonl",
        "Canary/2026/11/25/03/55-00-000-d.jsonl",
        "AllTraffic/2026/11/24/23/59-00-000-a.jsonl",
    ]
    since = datetime(2026, 11, 25, 5, 30, tzinfo=UTC)  # an hour of slack for clock skew
    assert names(s3, since) == [
        "Canary/2026/11/25/05/01-00-000-e.jsonl",
        "AllTraffic/2026/11/25/04/40-00-000-c.jsonl",
        "AllTraffic/2026/11/25/04/10-00-000-b.jsonl",
    ]


def test_where_scans_ten_thousand_records_and_counts_every_match(s3: Any) -> None:
    start = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
    per_file, files = 500, 24  # 12,000 records: more than one answer reads
    for number in range(files):
        moment = start + timedelta(minutes=15 * number)
        lines = []
        for index in range(per_file):
            at = moment + timedelta(seconds=index)
            score = 0.95 if index % 100 == 0 else 0.1  # 5 high scores per file
            lines.append(
                fraud_line(
                    score, event=f"e{number}-{index}", time=at.strftime("%Y-%m-%dT%H:%M:%SZ")
                )
            )
        put(s3, f"AllTraffic/{moment:%Y/%m/%d/%H}/{moment:%M-%S}-000-x.jsonl", lines)
    selection = Selection(last=3, where=parse_where("score>0.9"))
    found = scan(capture_files(s3, DESTINATION, "fraud-prod"), selection)
    assert found.scanned == MAX_SCANNED and found.capped
    assert found.files == 20  # the 20 newest files hold the 10,000 newest records
    assert found.matched == 100
    assert [p.id for p in found.shown] == ["e23-400", "e23-300", "e23-200"]
