"""The shared platform's own answers, for what moto lacks (bot.demo.canned, and the
monitoring API of bot.demo.monitoring), keep to the shapes of AWS's API: botocore's
Stubber checks each against the operation's output model, as it checks a test's."""

from __future__ import annotations

from typing import Any

import pytest
from botocore import xform_name
from botocore.stub import Stubber

from bot.demo import canned
from bot.demo.aws import isolated_session
from bot.demo.cicd import CODEPIPELINE, TRAININGS
from bot.demo.monitoring import ENDPOINT, JOB, SCHEDULE
from bot.demo.tuning import TUNING
from tests.unit.commands.platform import PlatformAws

ASKED = [
    ("codepipeline", "GetPipelineState", {"name": CODEPIPELINE}),
    ("codepipeline", "ListActionExecutions", {"pipelineName": CODEPIPELINE}),
    ("sagemaker", "ListPipelineExecutionSteps", {"PipelineExecutionArn": TRAININGS[-1].arn}),
    ("sagemaker", "ListTrainingJobsForHyperParameterTuningJob", {"HyperParameterTuningJobName": TUNING}),
    ("sagemaker", "ListLabelingJobs", {}),
]  # fmt: skip


def accepted(service: str, operation: str, answer: dict[str, Any]) -> None:
    """Raises botocore's ParamValidationError unless `answer` has the API's shape."""
    client = isolated_session().client(service)
    Stubber(client).add_response(xform_name(operation), answer)


@pytest.mark.parametrize(("service", "operation", "params"), ASKED, ids=lambda v: str(v)[:40])
def test_canned_answers_have_the_apis_shapes(
    service: str, operation: str, params: dict[str, Any]
) -> None:
    answer = canned.ANSWERS[service][operation](params)
    accepted(service, operation, answer)


def test_every_canned_answer_is_checked() -> None:
    answered = {
        (service, operation) for service in canned.ANSWERS for operation in canned.ANSWERS[service]
    }
    checked = {(service, operation) for service, operation, _ in ASKED}
    assert answered - checked == {("sagemaker", "DescribeLabelingJob")}  # it only refuses


def test_an_unknown_name_is_refused_as_aws_does() -> None:
    with pytest.raises(canned.Refused) as refused:
        canned.get_pipeline_state({"name": "nope"})
    assert refused.value.code == "PipelineNotFoundException"


def test_monitoring_answers_have_the_apis_shapes(platform: PlatformAws) -> None:
    """As the platform's SageMaker client gives them (bot.demo.platform's Monitoring: the
    monitoring job's own description from moto, with what Model Monitor adds)."""
    sagemaker = platform.sagemaker
    schedules = sagemaker.list_monitoring_schedules(EndpointName=ENDPOINT)
    accepted("sagemaker", "ListMonitoringSchedules", schedules)
    executions = sagemaker.list_monitoring_executions(MonitoringScheduleName=SCHEDULE)
    accepted("sagemaker", "ListMonitoringExecutions", executions)
    job = sagemaker.describe_processing_job(ProcessingJobName=JOB)
    accepted("sagemaker", "DescribeProcessingJob", job)
    assert schedules["MonitoringScheduleSummaries"] and executions["MonitoringExecutionSummaries"]
    assert job["ProcessingInputs"][0]["InputName"] == "baseline"
