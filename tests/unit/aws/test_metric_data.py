"""GetMetricData within its limits: at most 500 queries and 100,800 data points a call, every
page followed, series returned in query order and time order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import Stubber

from bot.aws.metric_data import (
    MAX_POINTS,
    MAX_QUERIES,
    MetricQuery,
    batches,
    fetch,
    last_hour,
    period_for,
)

START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def query(name: str = "CPUUtilization", period: int = 60) -> MetricQuery:
    return MetricQuery(
        "/aws/sagemaker/Endpoints", name, (("EndpointName", "e"),), "Average", period
    )


def test_batches_keep_to_500_queries() -> None:
    queries = [query(f"m{i}") for i in range(1201)]
    found = batches(queries, START, START + timedelta(minutes=5))
    assert [len(batch) for batch in found] == [MAX_QUERIES, MAX_QUERIES, 201]


def test_batches_keep_to_100800_points() -> None:
    day = START + timedelta(days=1)  # 1,440 points a series by the minute
    found = batches([query(f"m{i}") for i in range(150)], START, day)
    assert all(sum(q.points(START, day) for q in batch) <= MAX_POINTS for batch in found)
    assert [len(batch) for batch in found] == [70, 70, 10]


def test_one_series_too_long_for_any_call_is_refused() -> None:
    with pytest.raises(ValueError, match="longer period"):
        batches([query()], START, START + timedelta(days=71))


def test_period_for_keeps_series_short() -> None:
    assert period_for(START, START + timedelta(hours=1)) == 60
    assert period_for(START, START + timedelta(days=3)) == 180
    week = START + timedelta(days=7)
    assert query(period=period_for(START, week)).points(START, week) <= 1440


def test_last_hour_is_whole_minutes() -> None:
    start, end = last_hour(datetime(2026, 11, 25, 12, 34, 56, 789, tzinfo=UTC))
    assert end == datetime(2026, 11, 25, 12, 34, tzinfo=UTC)
    assert end - start == timedelta(hours=1)


def test_fetch_follows_pages_and_orders_series() -> None:
    client = boto3.client(
        "cloudwatch", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    t = [START + timedelta(minutes=i) for i in range(4)]
    with Stubber(client) as stubber:
        stubber.add_response(
            "get_metric_data",
            {
                "MetricDataResults": [
                    {
                        "Id": "q1",
                        "Timestamps": [t[3], t[1]],
                        "Values": [4.0, 2.0],
                        "StatusCode": "PartialData",
                    },
                    {"Id": "q0", "Timestamps": [t[0]], "Values": [1.0], "StatusCode": "Complete"},
                ],
                "NextToken": "more",
            },
        )
        stubber.add_response(
            "get_metric_data",
            {
                "MetricDataResults": [
                    {"Id": "q1", "Timestamps": [t[2]], "Values": [3.0], "StatusCode": "Complete"}
                ]
            },
        )
        series = fetch(client, [query("a"), query("b")], START, START + timedelta(minutes=5))
    assert [s.query.name for s in series] == ["a", "b"]
    assert series[0].values == [1.0]
    assert series[1].values == [2.0, 3.0, 4.0]
    assert series[1].times == [t[1], t[2], t[3]]


def test_fetch_makes_one_call_per_batch() -> None:
    client = boto3.client(
        "cloudwatch", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    queries = [query(f"m{i}") for i in range(501)]
    with Stubber(client) as stubber:
        stubber.add_response("get_metric_data", {"MetricDataResults": []})
        stubber.add_response(
            "get_metric_data",
            {
                "MetricDataResults": [
                    {"Id": "q500", "Timestamps": [START], "Values": [7.0], "StatusCode": "Complete"}
                ]
            },
        )
        series = fetch(client, queries, START, START + timedelta(minutes=5))
        stubber.assert_no_pending_responses()
    assert series[500].values == [7.0]
    assert all(s.empty for s in series[:500])
