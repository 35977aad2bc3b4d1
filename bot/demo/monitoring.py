"""Model Monitor for the embedded demo (`mlpulse demo`), where AWS is moto.

moto has no monitoring-schedule API, so `seed_monitoring` writes one data quality
execution's output and its baseline to S3 (the names match the demo script's Model Monitor
event: schedule `fraud-prod-data-quality` on endpoint `fraud-prod`, 3 violations) and
returns a SageMaker client that answers ListMonitoringSchedules, ListMonitoringExecutions
and DescribeProcessingJob for that execution and passes every other call to the real
(moto) client. Give it to the commands as `ctx.aws.sagemaker` and `/mlpulse drift fraud-prod`
answers. The statistics are made from seeded samples in Model Monitor's own format.
"""

from __future__ import annotations

import json
from contextlib import suppress
from datetime import datetime
from typing import Any

import numpy as np
from botocore.exceptions import ClientError

BUCKET = "ml-monitoring"
ENDPOINT = "fraud-prod"
SCHEDULE = "fraud-prod-data-quality"
JOB = "model-monitoring-202611250600-a1b2c3"
OUTPUT = f"{ENDPOINT}/data-quality/2026/11/25/06"
BASELINE = f"{ENDPOINT}/baseline"
VIOLATIONS = [
    ("amount", "baseline_drift_check", "Baseline drift distance: 0.4113 exceeds threshold: 0.1"),
    (
        "merchant_country",
        "categorical_values_check",
        "Value: 0.81 does not meet the constraint requirement! ",
    ),
    (
        "card_age_days",
        "completeness_check",
        "Data completeness requirement is not met. Expected: 100.0%. "
        "Observed: Only 88.0% of data is present.",
    ),
]


def statistics_document(columns: dict[str, Any]) -> dict[str, Any]:
    """A Model Monitor statistics.json for numeric (NaN: missing) and string columns."""
    features = []
    for name, values in columns.items():
        array = np.asarray(values)
        if array.dtype.kind == "f":
            present = array[~np.isnan(array)]
            counts, edges = np.histogram(present, bins=10)
            block = {
                "common": {
                    "num_present": int(present.size),
                    "num_missing": int(array.size - present.size),
                },
                "mean": float(present.mean()),
                "sum": float(present.sum()),
                "std_dev": float(present.std()),
                "min": float(present.min()),
                "max": float(present.max()),
                "distribution": {
                    "kll": {
                        "buckets": [
                            {"lower_bound": float(lo), "upper_bound": float(hi), "count": float(c)}
                            for lo, hi, c in zip(edges[:-1], edges[1:], counts, strict=True)
                        ]
                    }
                },
            }
            features.append(
                {"name": name, "inferred_type": "Fractional", "numerical_statistics": block}
            )
        else:
            words, counts = np.unique(array, return_counts=True)
            block = {
                "common": {"num_present": int(array.size), "num_missing": 0},
                "distinct_count": float(words.size),
                "distribution": {
                    "categorical": {
                        "buckets": [
                            {"value": str(w), "count": int(c)}
                            for w, c in zip(words, counts, strict=True)
                        ]
                    }
                },
            }
            features.append({"name": name, "inferred_type": "String", "string_statistics": block})
    return {
        "version": 0.0,
        "dataset": {"item_count": len(next(iter(columns.values())))},
        "features": features,
    }


def _samples(seed: int, drifted: bool) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    n = 5000
    amount = rng.lognormal(3.6 + (0.45 if drifted else 0.0), 0.6, n)
    card_age = rng.gamma(2.0, 300.0, n)
    if drifted:
        card_age[rng.random(n) < 0.12] = np.nan
    countries = ["FR", "DE", "ES", "IT", "BR", "NG"] if drifted else ["FR", "DE", "ES", "IT"]
    country = rng.choice(countries, size=n)
    return {"amount": amount, "card_age_days": card_age, "merchant_country": country}


def seed_monitoring(s3: Any, sagemaker: Any, scheduled: datetime) -> DemoMonitoring:
    """Write the demo's Model Monitor output to S3; the SageMaker client to use with it."""
    with suppress(ClientError):  # it exists already: seeding twice is harmless
        s3.create_bucket(Bucket=BUCKET)
    violations = [
        {"feature_name": f, "constraint_check_type": c, "description": d} for f, c, d in VIOLATIONS
    ]
    files = {
        f"{OUTPUT}/constraint_violations.json": {"violations": violations},
        f"{OUTPUT}/statistics.json": statistics_document(_samples(2, drifted=True)),
        f"{BASELINE}/statistics.json": statistics_document(_samples(1, drifted=False)),
    }
    for key, document in files.items():
        s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(document).encode())
    return DemoMonitoring(sagemaker, scheduled)


class DemoMonitoring:
    """A SageMaker client with the monitoring-schedule API moto lacks, for the demo."""

    def __init__(self, real: Any, scheduled: datetime) -> None:
        self._real, self._when = real, scheduled
        region = real.meta.region_name
        self._arn = f"arn:aws:sagemaker:{region}:123456789012"

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def list_monitoring_schedules(self, **request: Any) -> dict[str, Any]:
        found = request.get("EndpointName") in (None, ENDPOINT)
        summary = {
            "MonitoringScheduleName": SCHEDULE,
            "MonitoringScheduleArn": f"{self._arn}:monitoring-schedule/{SCHEDULE}",
            "CreationTime": self._when,
            "LastModifiedTime": self._when,
            "MonitoringScheduleStatus": "Scheduled",
            "EndpointName": ENDPOINT,
            "MonitoringType": "DataQuality",
        }
        return {"MonitoringScheduleSummaries": [summary] if found else []}

    def list_monitoring_executions(self, **request: Any) -> dict[str, Any]:
        run = {
            "MonitoringScheduleName": SCHEDULE,
            "ScheduledTime": self._when,
            "CreationTime": self._when,
            "LastModifiedTime": self._when,
            "MonitoringExecutionStatus": "CompletedWithViolations",
            "ProcessingJobArn": f"{self._arn}:processing-job/{JOB}",
            "EndpointName": ENDPOINT,
            "MonitoringType": "DataQuality",
        }
        return {
            "MonitoringExecutionSummaries": [run]
            if request.get("MonitoringScheduleName") == SCHEDULE
            else []
        }

    def describe_processing_job(self, **request: Any) -> dict[str, Any]:
        if request.get("ProcessingJobName") != JOB:
            return dict(self._real.describe_processing_job(**request))
        baseline = {
            "InputName": "baseline",
            "S3Input": {
                "S3Uri": f"s3://{BUCKET}/{BASELINE}/statistics.json",
                "LocalPath": "/opt/ml/processing/baseline/stats",
                "S3DataType": "S3Prefix",
                "S3InputMode": "File",
            },
        }
        output = {
            "OutputName": "result",
            "S3Output": {
                "S3Uri": f"s3://{BUCKET}/{OUTPUT}",
                "LocalPath": "/opt/ml/processing/output",
                "S3UploadMode": "EndOfJob",
            },
        }
        return {
            "ProcessingJobName": JOB,
            "ProcessingJobStatus": "Completed",
            "ProcessingInputs": [baseline],
            "ProcessingOutputConfig": {"Outputs": [output]},
            "CreationTime": self._when,
            "ExitMessage": "CompletedWithViolations: Job completed successfully with "
            f"{len(VIOLATIONS)} violations.",
        }
