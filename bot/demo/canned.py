"""Answers for the AWS operations moto does not implement, made from the seeded platform
(bot.demo.tuning, bot.demo.cicd) so they agree with everything moto answers. Each takes the
call's parameters and returns its answer (times as datetimes, as botocore parses them), or
raises `Refused` with the error AWS would give; bot.demo.aws hooks them into the clients.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.demo.cicd import (
    CODEPIPELINE,
    EXECUTIONS,
    GATE_FAILURE,
    STAGES,
    TRAININGS,
    Execution,
)
from bot.demo.script import ACCOUNT, REGION
from bot.demo.tuning import TUNING, TUNING_TOP, tuning_summary

Answer = Callable[[dict[str, Any]], dict[str, Any]]
_BUILD = "model-tests:0b5d6c1e"  # the CodeBuild build the gate ran (the script's event 11)


class Refused(Exception):
    """AWS's error answer: its code (`ResourceNotFoundException`) and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _codepipeline(params: dict[str, Any], key: str) -> None:
    if params.get(key) != CODEPIPELINE:
        raise Refused(
            "PipelineNotFoundException",
            f"Account '{ACCOUNT}' does not have a pipeline with name '{params.get(key)}'",
        )


def _ran(run: Execution) -> list[tuple[int, str]]:
    """(stage index, status) of the stages `run` reached."""
    found = []
    for index, (stage, *_) in enumerate(STAGES):
        failed = stage == run.failed_at
        found.append((index, "Failed" if failed else "Succeeded"))
        if failed:
            break
    return found


def _action_moment(run: Execution, index: int) -> datetime:
    return min(run.started + timedelta(minutes=2 * index + 1), run.ended)


def _result(run: Execution, index: int, status: str) -> dict[str, Any]:
    provider = STAGES[index][3]
    if status == "Failed":
        return {
            "externalExecutionId": _BUILD,
            "externalExecutionSummary": GATE_FAILURE,
            "errorDetails": {"code": "JobFailed", "message": GATE_FAILURE},
        }
    return {"externalExecutionSummary": f"{provider} succeeded", "externalExecutionId": run.id[:8]}


def get_pipeline_state(params: dict[str, Any]) -> dict[str, Any]:
    """Each stage's latest execution: the failed run's up to the stage that failed, the last
    successful run's after it (a stage keeps its last execution)."""
    _codepipeline(params, "name")
    latest = EXECUTIONS[-1]
    before = next(run for run in reversed(EXECUTIONS) if run.failed_at is None)
    reached = dict(_ran(latest))
    states = []
    for index, (stage, action, *_) in enumerate(STAGES):
        run = latest if index in reached else before
        status = reached.get(index, "Succeeded")
        execution: dict[str, Any] = {
            "status": status,
            "lastStatusChange": _action_moment(run, index),
            "externalExecutionId": _result(run, index, status)["externalExecutionId"],
        }
        if status == "Failed":
            execution["errorDetails"] = {"code": "JobFailed", "message": GATE_FAILURE}
        states.append(
            {
                "stageName": stage,
                "inboundTransitionState": {"enabled": True},
                "actionStates": [{"actionName": action, "latestExecution": execution}],
                "latestExecution": {"pipelineExecutionId": run.id, "status": status},
            }
        )
    return {
        "pipelineName": CODEPIPELINE,
        "pipelineVersion": 1,
        "stageStates": states,
        "created": datetime(2026, 9, 14, 11, 5, tzinfo=latest.started.tzinfo),
        "updated": datetime(2026, 11, 20, 9, 30, tzinfo=latest.started.tzinfo),
    }


def list_action_executions(params: dict[str, Any]) -> dict[str, Any]:
    _codepipeline(params, "pipelineName")
    wanted = (params.get("filter") or {}).get("pipelineExecutionId")
    details = []
    for run in reversed(EXECUTIONS):  # newest first, as AWS lists them
        if wanted not in (None, run.id):
            continue
        for index, status in reversed(_ran(run)):
            stage, action, category, provider, configuration = STAGES[index]
            details.append(
                {
                    "pipelineExecutionId": run.id,
                    "actionExecutionId": f"{run.id[:8]}-{index:04d}",
                    "pipelineVersion": 1,
                    "stageName": stage,
                    "actionName": action,
                    "startTime": _action_moment(run, index) - timedelta(minutes=1),
                    "lastUpdateTime": _action_moment(run, index),
                    "status": status,
                    "input": {
                        "actionTypeId": {
                            "category": category,
                            "owner": "AWS",
                            "provider": provider,
                            "version": "1",
                        },
                        "configuration": configuration,
                        "region": REGION,
                    },
                    "output": {"executionResult": _result(run, index, status)},
                }
            )
    return {"actionExecutionDetails": details}


def list_pipeline_execution_steps(params: dict[str, Any]) -> dict[str, Any]:
    arn = params.get("PipelineExecutionArn")
    run = next((run for run in TRAININGS if run.arn == arn), None)
    if run is None:
        raise Refused("ResourceNotFound", f"Pipeline execution {arn} does not exist.")
    prefix = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
    kinds = {"ProcessingJob": "processing-job", "TrainingJob": "training-job"}
    each = (run.ended - run.started) / len(run.steps)
    steps = []
    for index, (step, key, ran) in enumerate(run.steps):
        if key == "Condition":
            metadata: dict[str, Any] = {"Condition": {"Outcome": ran}}
        elif key == "RegisterModel":
            metadata = {"RegisterModel": {"Arn": f"{prefix}:model-package/{ran}"}}
        else:
            metadata = {key: {"Arn": f"{prefix}:{kinds[key]}/{ran}"}}
        steps.append(
            {
                "StepName": step,
                "StartTime": run.started + index * each,
                "EndTime": run.started + (index + 1) * each,
                "StepStatus": "Succeeded",
                "Metadata": metadata,
            }
        )
    if params.get("SortOrder", "Descending") == "Descending":
        steps.reverse()
    return {"PipelineExecutionSteps": steps}


def list_training_jobs_for_tuning(params: dict[str, Any]) -> dict[str, Any]:
    name = params.get("HyperParameterTuningJobName")
    if name != TUNING:
        raise Refused("ResourceNotFound", f"Amazon SageMaker can't find a tuning job named {name}")
    ranks = list(range(len(TUNING_TOP)))
    if params.get("SortOrder") == "Ascending":
        ranks.reverse()
    most = int(params.get("MaxResults") or len(ranks))
    return {"TrainingJobSummaries": [tuning_summary(rank) for rank in ranks[:most]]}


def describe_labeling_job(params: dict[str, Any]) -> dict[str, Any]:
    name = params.get("LabelingJobName")
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:labeling-job/{name}"
    raise Refused("ResourceNotFound", f"Could not find labeling job '{arn}'.")


ANSWERS: dict[str, dict[str, Answer]] = {
    "codepipeline": {
        "GetPipelineState": get_pipeline_state,
        "ListActionExecutions": list_action_executions,
    },
    "sagemaker": {
        "ListPipelineExecutionSteps": list_pipeline_execution_steps,
        "ListTrainingJobsForHyperParameterTuningJob": list_training_jobs_for_tuning,
        "ListLabelingJobs": lambda _: {"LabelingJobSummaryList": []},
        "DescribeLabelingJob": describe_labeling_job,
    },
}
