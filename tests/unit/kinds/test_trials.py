"""A tuning job's trials (bot.kinds.trials): which training jobs are trials, and their events
keyed as their tuning job's, found by `TuningJobArn` or by the name SageMaker gives them."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.events import Event, Kind, Outcome
from bot.ingress.normalize import Origin, normalize
from bot.kinds import sagemaker, spec_for
from bot.kinds.trials import (
    is_trial,
    is_trial_event,
    objective_of,
    tuning_job_of,
    tuning_stand_in,
)
from tests.conftest import FIXTURES, REPO

REAL = REPO / "tests" / "fixtures" / "real" / "events"
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def load(path: str) -> dict[str, Any]:
    found = json.loads((REPO / path).read_text(encoding="utf-8"))
    assert isinstance(found, dict)
    return found


def hpo_child() -> dict[str, Any]:
    """A real training job event of a tuning job's trial (MLSpace's test data)."""
    return load("tests/fixtures/real/events/028-sagemaker-training-job-in-progress-hpo-child.json")


def training(name: str, **detail: Any) -> dict[str, Any]:
    """The published training job sample, named `name`, with `detail` changes."""
    event = copy.deepcopy(
        load(str(FIXTURES / "sagemaker-training-job-state-change-completed.json"))
    )
    event["detail"].update(TrainingJobName=name, **detail)
    return event


def normalized(raw: dict[str, Any]) -> Event:
    return normalize(raw, Origin(), NOW)


def test_a_training_job_naming_its_tuning_job_is_its_trial() -> None:
    raw = hpo_child()
    assert spec_for(raw) is sagemaker.TRIAL
    event = normalized(raw)
    assert (event.kind, event.name) == (Kind.TRAINING_JOB, "UnitTestTrainingJob")
    assert event.key == "tuning_job:123456789000:us-east-1:latestfun-hpoxgb-20231004"
    assert event.subject == "trial UnitTestTrainingJob"
    assert is_trial(event)
    assert event.facts[0].label == "Tuning job"
    assert event.facts[0].value == "LatestFun-hpoxgb-20231004"


def test_a_trial_and_its_tuning_job_share_a_key_whatever_the_case_of_the_arn() -> None:
    tuning = load(str(REAL / "029-sagemaker-tuning-job-running-null-counters.json"))
    trial = hpo_child()
    arn = "arn:aws:sagemaker:us-east-1:123456789000:hyper-parameter-tuning-job/unittesthpo"
    trial["detail"]["TuningJobArn"] = arn  # SageMaker writes its ARNs in lower case
    assert normalized(trial).key == normalized(tuning).key
    assert normalized(tuning).name == "UnitTestHPO"  # shown as named


@pytest.mark.parametrize(
    ("name", "tuning"),
    [
        ("fraud-hpo-1125-014-4c2a1f7e", "fraud-hpo-1125"),
        ("mldemo-dev-15853298627792-001-0f0444b1", "mldemo-dev-15853298627792"),
        ("A-001-0123abcd", "A"),
        ("x" * 32 + "-999-deadbeef", "x" * 32),
        ("x" * 33 + "-999-deadbeef", None),  # longer than a tuning job's name can be
        ("churn-xgb-2026-11-25-0300", None),
        ("job-01-deadbeef", None),  # two digits
        ("job-001-DEADBEEF", None),  # SageMaker's hex is lower case
        ("job-001-deadbee", None),
        ("-001-deadbeef", None),
    ],
)
def test_without_tuning_job_arn_the_name_tells(name: str, tuning: str | None) -> None:
    raw = training(name)
    assert "TuningJobArn" not in raw["detail"]
    assert tuning_job_of(raw) == tuning
    assert is_trial_event(raw) is (tuning is not None)


def test_a_describe_answer_saying_no_tuning_job_is_not_a_trial_whatever_its_name() -> None:
    raw = training("fraud-hpo-1125-014-4c2a1f7e", TuningJobArn=None)
    assert not is_trial_event(raw)
    event = normalized(raw)
    assert event.key == "training_job:123456789012:us-east-1:fraud-hpo-1125-014-4c2a1f7e"
    assert not is_trial(event) and event.subject is None


def test_other_job_kinds_are_never_trials() -> None:
    raw = load(str(FIXTURES / "sagemaker-processing-job-state-change-failed.json"))
    raw["detail"]["TuningJobArn"] = "arn:aws:sagemaker:us-east-1:1:hyper-parameter-tuning-job/x"
    assert not is_trial_event(raw)
    assert not is_trial(normalized(raw))


def test_a_plain_training_job_keeps_its_own_key() -> None:
    event = normalized(training("churn-xgb"))
    assert event.key == "training_job:123456789012:us-east-1:churn-xgb"
    assert not is_trial(event)


def objective(hyperparameters: dict[str, str], metrics: list[Any]) -> tuple[str, float] | None:
    raw = training(
        "fraud-hpo-1125-014-4c2a1f7e",
        TrainingJobStatus="Completed",
        HyperParameters=hyperparameters,
        FinalMetricDataList=metrics,
    )
    return objective_of(normalized(raw))


def test_a_trial_reports_its_objective_value() -> None:
    metrics = [
        {"MetricName": "train:auc", "Value": 0.99},
        {"MetricName": "validation:auc", "Value": 0.9412},
    ]
    wanted = {"_tuning_objective_metric": "validation:auc", "eta": "0.2"}
    assert objective(wanted, metrics) == ("validation:auc", 0.9412)
    quoted = {"_tuning_objective_metric": '"validation:auc"'}  # as the Python SDK writes it
    assert objective(quoted, metrics) == ("validation:auc", 0.9412)


@pytest.mark.parametrize(
    ("hyperparameters", "metrics"),
    [
        ({}, [{"MetricName": "validation:auc", "Value": 0.9}]),
        ({"_tuning_objective_metric": "validation:auc"}, []),
        ({"_tuning_objective_metric": "validation:auc"}, [{"MetricName": "validation:auc"}]),
        ({"_tuning_objective_metric": "loss"}, [{"MetricName": "loss", "Value": "NaN"}]),
        ({"_tuning_objective_metric": "loss"}, "not a list"),
    ],
)
def test_no_objective_value_is_none(hyperparameters: dict[str, str], metrics: Any) -> None:
    assert objective(hyperparameters, metrics) is None


def test_the_stand_in_is_the_tuning_job_running_with_its_console_link() -> None:
    trial = normalized(hpo_child())
    shown = tuning_stand_in(trial)
    assert (shown.kind, shown.key, shown.name) == (
        Kind.TUNING_JOB,
        trial.key,
        "LatestFun-hpoxgb-20231004",
    )
    assert (shown.status, shown.outcome, shown.subject) == ("InProgress", Outcome.RUNNING, None)
    assert shown.time == trial.time and shown.id == trial.id
    (console,) = shown.links
    assert console.url.endswith("#/hyper-tuning-jobs/LatestFun-hpoxgb-20231004")
