"""What the SageMaker and automation tables (bot/kinds/sagemaker.py, job_facts.py,
devtools.py) show from real payloads: a pipeline execution's id and console page, a tuning
job without a best job yet, a build's compute type."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bot.core.events import Event
from bot.ingress.ingest import events_from
from tests.conftest import FIXTURES, REPO

REAL = REPO / "tests" / "fixtures" / "real" / "events"
RECEIVED = datetime(2026, 1, 1, tzinfo=UTC)


def load(path: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def only(document: Any) -> Event:
    (event,) = events_from(document, RECEIVED)
    return event


def facts(event: Event) -> dict[str, str]:
    return {fact.label: fact.value for fact in event.facts}


def test_a_failed_pipeline_execution_shows_its_id_and_a_console_button() -> None:
    event = only(load(REAL / "027-sagemaker-pipeline-execution-failed-no-reason.json"))
    assert facts(event)["Execution"] == "test (a1b2c3d4e6f7)"
    assert [(link.label, link.url) for link in event.links] == [
        (
            "Console",
            "https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1"
            "#/pipelines/abalone-pipeline/executions",
        )
    ]


def test_an_execution_without_a_display_name_shows_its_id_from_the_resources() -> None:
    document = load(REAL / "027-sagemaker-pipeline-execution-failed-no-reason.json")
    del document["detail"]["pipelineExecutionDisplayName"]
    del document["detail"]["pipelineExecutionArn"]
    event = only(document)
    assert facts(event)["Execution"] == "a1b2c3d4e6f7"
    assert event.key.endswith(":pipeline/abalone-pipeline/execution/a1b2c3d4e6f7")


def test_a_pipeline_step_links_to_its_pipeline_too() -> None:
    event = only(load(FIXTURES / "sagemaker-pipeline-step-status-change-succeeded.json"))
    (link,) = event.links
    assert link.url.endswith("#/pipelines/myPipeline-123/executions")


def test_a_tuning_job_with_no_best_job_yet_shows_none() -> None:
    event = only(load(REAL / "029-sagemaker-tuning-job-running-null-counters.json"))
    assert "Best job" not in facts(event)
    assert "?" not in json.dumps([fact.value for fact in event.facts])


def test_a_tuning_job_with_a_best_job_names_it_and_its_score() -> None:
    document = load(FIXTURES / "sagemaker-hyperparameter-tuning-job-state-change.json")
    document["detail"]["BestTrainingJob"] = {
        "TrainingJobName": "hpo-7-003-4d2f",
        "FinalHyperParameterTuningJobObjectiveMetric": {
            "MetricName": "validation:auc",
            "Value": 0.91,
        },
    }
    assert facts(only(document))["Best job"] == "hpo-7-003-4d2f (validation:auc = 0.91)"


def test_a_build_shows_its_compute_type_as_such() -> None:
    event = only(load(REAL / "024-codebuild-build-failed-yaml-file-error.json"))
    assert facts(event)["Compute"] == "BUILD_GENERAL1_SMALL"
    assert "Instances" not in facts(event)
