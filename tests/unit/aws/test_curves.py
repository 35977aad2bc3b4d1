"""Training curves: discovered with ListMetrics per host, picked by name or glob, read over
the job's run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.aws.curves import pick, training_curves, window
from bot.kinds.jobs import TRAINING, Job
from tests.unit.commands.platform import PlatformAws

START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
FOUND = [
    ("train:loss", "algo-1"),
    ("validation:auc", "algo-1"),
    ("CPUUtilization", "algo-1"),
    ("train:loss", "algo-2"),
]


def job(instances: int = 2, ended: datetime | None = START + timedelta(minutes=30)) -> Job:
    return Job(
        TRAINING,
        {
            "TrainingJobName": "churn-1",
            "CreationTime": START - timedelta(minutes=3),
            "TrainingStartTime": START,
            "TrainingEndTime": ended,
            "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": instances},
        },
    )


def test_pick_by_default_leaves_out_utilization() -> None:
    assert ("CPUUtilization", "algo-1") not in pick(FOUND, None)
    assert pick([("CPUUtilization", "algo-1")], None) == [("CPUUtilization", "algo-1")]


def test_pick_by_exact_name_substring_or_glob() -> None:
    assert pick(FOUND, "TRAIN:LOSS") == [("train:loss", "algo-1"), ("train:loss", "algo-2")]
    assert pick(FOUND, "auc") == [("validation:auc", "algo-1")]
    assert pick(FOUND, "*:*") == [pair for pair in FOUND if ":" in pair[0]]
    assert pick(FOUND, "f1") == []


def test_window_covers_the_run_in_whole_minutes() -> None:
    start, end = window(job(), START + timedelta(hours=5))
    assert start == START - timedelta(minutes=1)
    assert end == START + timedelta(minutes=35)
    _, running_end = window(job(ended=None), START + timedelta(minutes=7, seconds=20))
    assert running_end == START + timedelta(minutes=8)


def test_curves_per_host_from_cloudwatch(aws: PlatformAws) -> None:
    cloudwatch = aws.real.cloudwatch
    for host, offset in (("algo-1", 0.0), ("algo-2", 0.05)):
        cloudwatch.put_metric_data(
            Namespace="/aws/sagemaker/TrainingJobs",
            MetricData=[
                {
                    "MetricName": "train:loss",
                    "Dimensions": [{"Name": "Host", "Value": f"churn-1/{host}"}],
                    "Timestamp": START + timedelta(minutes=i),
                    "Value": 1.0 / (i + 1) + offset,
                }
                for i in range(10)
            ],
        )
    found = training_curves(aws.cloudwatch, job(), None, START + timedelta(hours=1))
    assert found.available == ["train:loss"]
    assert [(c.metric, c.host, len(c.values)) for c in found.curves] == [
        ("train:loss", "algo-1", 10),
        ("train:loss", "algo-2", 10),
    ]
    assert found.curves[0].lower_is_better
    assert found.curves[0].best_index == 9


def test_no_metrics_yet(aws: PlatformAws) -> None:
    found = training_curves(aws.cloudwatch, job(instances=1), None, START)
    assert (found.curves, found.available, found.hosts) == ([], [], 1)
