"""An s3:// prefix as a folder, on a moto server: prefix boundaries, single objects, and a
schedule root too large to list whole, where the latest execution must still be found."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.core.errors import InputError
from bot.drift import s3folder
from bot.drift.files import Mapped, open_folder
from bot.drift.reports import load
from bot.drift.s3folder import S3Folder
from tests.fakes.moto import aws_client, moto_server, moto_url  # noqa: F401
from tests.unit.drift.samples import sample, violation

BUCKET = "ml-monitoring"


@pytest.fixture
def s3(moto_url: str) -> Any:  # noqa: F811
    client = aws_client("s3", moto_url)
    client.create_bucket(Bucket=BUCKET)
    return client


def put(s3: Any, key: str, document: Any = None) -> None:
    body = json.dumps(document if document is not None else {"violations": []}).encode()
    s3.put_object(Bucket=BUCKET, Key=key, Body=body)


def test_a_prefix_is_a_folder_not_a_string_prefix(s3: Any) -> None:
    put(s3, "reports/run1/constraint_violations.json")
    put(s3, "reports/run10/constraint_violations.json")
    put(s3, "reports/run1/baseline/constraints.json")
    folder = S3Folder(s3, BUCKET, "reports/run1", "s3://x")
    assert folder.names() == ["baseline/constraints.json", "constraint_violations.json"]
    assert folder.read("constraint_violations.json") == b'{"violations": []}'
    assert folder.read("nope.json") is None


def test_a_prefix_naming_one_object(s3: Any) -> None:
    put(
        s3,
        "reports/run1/constraint_violations.json",
        sample("model-monitor-data-quality-constraint-violations.json"),
    )
    folder = open_folder(f"s3://{BUCKET}/reports/run1/constraint_violations.json", lambda: s3)
    assert folder.names() == ["constraint_violations.json"]
    assert len(load(folder).findings) == 7


def test_a_large_schedule_root_is_descended_to_its_latest_execution(
    s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(s3folder, "MAX_FILES", 3)
    root = "reports/churn-prod/churn-dq"
    for day, hour in (("24", "23"), ("25", "01"), ("25", "03"), ("25", "02"), ("23", "09")):
        drift = violation("age", "baseline_drift_check", f"distance {day}{hour}")
        put(s3, f"{root}/2026/11/{day}/{hour}/constraint_violations.json", {"violations": [drift]})
        put(s3, f"{root}/2026/11/{day}/{hour}/statistics.json", {"features": []})
    put(
        s3, f"{root}/baseline/statistics.json", sample("model-monitor-data-quality-statistics.json")
    )
    folder = S3Folder(s3, BUCKET, root, f"s3://{BUCKET}/{root}")
    assert folder.names() == [
        "2026/11/25/03/constraint_violations.json",
        "2026/11/25/03/statistics.json",
        "baseline/statistics.json",
    ]
    report = load(folder)
    assert report.findings[0].description == "distance 2503"
    assert set(report.baseline) == {"_c0", "_c1", "_c2", "_c3", "_c4", "_c5"}


def test_mapped_baseline_files_by_key_or_prefix(s3: Any) -> None:
    put(s3, "baseline/c.json", sample("model-monitor-data-quality-constraints.json"))
    put(s3, "baseline/stats/statistics.json", sample("model-monitor-data-quality-statistics.json"))
    mapped = Mapped(
        {
            "constraints.json": f"s3://{BUCKET}/baseline/c.json",
            "statistics.json": f"s3://{BUCKET}/baseline/stats",
        },
        lambda: s3,
        "baseline",
    )
    assert mapped.names() == ["constraints.json", "statistics.json"]
    assert b"is_non_negative" in (mapped.read("constraints.json") or b"")
    assert b"kll" in (mapped.read("statistics.json") or b"")
    assert mapped.read("analysis.json") is None


def test_a_missing_bucket_is_a_clear_error(s3: Any) -> None:
    with pytest.raises(InputError, match=r"^cannot list s3://nope/x: NoSuchBucket"):
        open_folder("s3://nope/x", lambda: s3).names()
    with pytest.raises(InputError, match="names no bucket"):
        open_folder("s3:///x", lambda: s3)
