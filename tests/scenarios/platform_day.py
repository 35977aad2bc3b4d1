"""A day on an ML platform as the events AWS sends, in the shapes of the published samples
(tests/fixtures/aws), generated deterministically from a seed: tuning jobs and their trials,
CodePipeline executions with their CodeBuild builds, training, processing and transform
jobs, an endpoint update, a flapping alarm; and redeliveries, as SNS and SQS make them.

Each generator returns the resources it made (their outcome, for the tests to check what
the messages say against), and adds the events to `Day.events`, each with when it arrives.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.scenarios.conftest import sample

ACCOUNT = "123456789012"
REGION = "eu-west-1"
START = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
OBJECTIVE = "validation:auc"
# A build's phases, as CodeBuild reports each one's end.
PHASES = (
    "SUBMITTED",
    "QUEUED",
    "PROVISIONING",
    "DOWNLOAD_SOURCE",
    "INSTALL",
    "PRE_BUILD",
    "BUILD",
    "POST_BUILD",
    "UPLOAD_ARTIFACTS",
    "FINALIZING",
    "COMPLETED",
)


@dataclass(frozen=True)
class Arrival:
    at: datetime
    event: dict[str, Any]


@dataclass
class Trial:
    name: str
    status: str  # Completed, Failed or Stopped
    auc: float | None


@dataclass
class Tuning:
    name: str
    trials: list[Trial] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for trial in self.trials if trial.status == status)

    @property
    def best(self) -> Trial:
        return max((t for t in self.trials if t.auc is not None), key=lambda t: t.auc or 0.0)


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


class Day:
    def __init__(self, seed: int = 14) -> None:
        self.rng = random.Random(seed)
        self.events: list[Arrival] = []
        self._ids = 0

    def emit(self, at: datetime, name: str, changes: dict[str, Any]) -> None:
        """One event, shaped as the sample `name`, with `changes` applied."""
        self._ids += 1
        event = sample(name, changes)
        event.update(id=f"day-{self._ids:05d}", time=stamp(at), account=ACCOUNT, region=REGION)
        self.events.append(Arrival(at, event))

    def arrivals(self, redelivered: float = 0.0) -> list[Arrival]:
        """The events in the order they arrive; `redelivered` of them (a fraction) arrive
        a second time, the same message, seconds to minutes later."""
        again = [
            Arrival(a.at + timedelta(seconds=self.rng.randint(1, 300)), copy.deepcopy(a.event))
            for a in self.events
            if self.rng.random() < redelivered
        ]
        return sorted(self.events + again, key=lambda arrival: arrival.at)

    # --- SageMaker

    def tuning_job(
        self,
        name: str,
        start: datetime,
        trials: int,
        parallel: int,
        *,
        own_events: bool = True,
        failing: float = 0.1,
        stopping: float = 0.1,
    ) -> Tuning:
        """A tuning job launching `trials` training jobs, `parallel` at a time, each told in
        three events: created, training, and its end (completed, failed or stopped early)."""
        tuning = Tuning(name)
        arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:hyper-parameter-tuning-job/{name.lower()}"
        if own_events:
            self._tuning_event(name, start, "InProgress", tuning)
        slots = [start + timedelta(seconds=30)] * parallel
        for n in range(1, trials + 1):
            slot = min(range(parallel), key=lambda i: slots[i])
            began = slots[slot]
            ended = began + timedelta(minutes=self.rng.randint(8, 20))
            slots[slot] = ended + timedelta(seconds=self.rng.randint(5, 40))
            roll = self.rng.random()
            status = (
                "Failed"
                if roll < failing
                else "Stopped"
                if roll < failing + stopping
                else "Completed"
            )
            auc = round(self.rng.uniform(0.80, 0.95), 4) if status == "Completed" else None
            trial = Trial(f"{name}-{n:03d}-{self.rng.getrandbits(32):08x}", status, auc)
            tuning.trials.append(trial)
            self._trial(trial, arn, began, ended)
        if own_events:
            self._tuning_event(name, max(slots), "Completed", tuning)
        return tuning

    def _trial(self, trial: Trial, tuning_arn: str, began: datetime, ended: datetime) -> None:
        common = {
            "resources": [
                f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/{trial.name.lower()}"
            ],
            "detail.TrainingJobName": trial.name,
            "detail.TuningJobArn": tuning_arn,
            "detail.HyperParameters": {
                "_tuning_objective_metric": OBJECTIVE,
                "eta": f"{self.rng.uniform(0.01, 0.3):.3f}",
            },
            "detail.CreationTime": ms(began),
            "detail.FinalMetricDataList": None,
            "detail.FailureReason": None,
            "detail.TrainingEndTime": None,
        }
        sample_name = "sagemaker-training-job-state-change-completed"
        for at, secondary in ((began, "Starting"), (began + timedelta(minutes=3), "Training")):
            self.emit(
                at,
                sample_name,
                {
                    **common,
                    "detail.TrainingJobStatus": "InProgress",
                    "detail.SecondaryStatus": secondary,
                },
            )
        end: dict[str, Any] = {
            **common,
            "detail.TrainingJobStatus": trial.status,
            "detail.SecondaryStatus": trial.status,
            "detail.TrainingEndTime": ms(ended),
        }
        if trial.status == "Completed":
            end["detail.FinalMetricDataList"] = [
                {"MetricName": "train:auc", "Value": 0.99, "Timestamp": ms(ended)},
                {"MetricName": OBJECTIVE, "Value": trial.auc, "Timestamp": ms(ended)},
            ]
        if trial.status == "Failed":
            end["detail.FailureReason"] = (
                "AlgorithmError: ExecuteUserScriptError: CUDA out of memory"
            )
        self.emit(ended, sample_name, end)

    def _tuning_event(self, name: str, at: datetime, status: str, tuning: Tuning) -> None:
        changes: dict[str, Any] = {
            "resources": [
                f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:hyper-parameter-tuning-job/{name}"
            ],
            "detail.HyperParameterTuningJobName": name,
            "detail.HyperParameterTuningJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:hyper-parameter-tuning-job/{name.lower()}",
            "detail.HyperParameterTuningJobStatus": status,
            "detail.HyperParameterTuningJobConfig": {
                "Strategy": "Bayesian",
                "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": OBJECTIVE},
            },
            "detail.TrainingJobStatusCounters": None,
        }
        if status == "Completed":
            best = tuning.best
            changes["detail.TrainingJobStatusCounters"] = {
                "Completed": tuning.count("Completed"),
                "InProgress": 0,
                "RetryableError": 0,
                "NonRetryableError": tuning.count("Failed"),
                "Stopped": tuning.count("Stopped"),
            }
            changes["detail.BestTrainingJob"] = {
                "TrainingJobName": best.name,
                "FinalHyperParameterTuningJobObjectiveMetric": {
                    "MetricName": OBJECTIVE,
                    "Value": best.auc,
                },
            }
        self.emit(at, "sagemaker-hyperparameter-tuning-job-state-change", changes)

    def job(self, kind: str, name: str, start: datetime, minutes: int, status: str) -> str:
        """A training, processing or transform job: created, running, and its end."""
        samples = {
            "training": (
                "sagemaker-training-job-state-change-completed",
                "Training",
                "training-job",
            ),
            "processing": (
                "sagemaker-processing-job-state-change-failed",
                "Processing",
                "processing-job",
            ),
            "transform": ("sagemaker-transform-job-state-change", "Transform", "transform-job"),
        }
        sample_name, prefix, resource = samples[kind]
        ended = start + timedelta(minutes=minutes)
        base = {
            "resources": [f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{resource}/{name}"],
            f"detail.{prefix}JobName": name,
            "detail.FailureReason": None,
            "detail.ExitMessage": None,
        }
        steps = [
            (start, "InProgress"),
            (start + timedelta(minutes=2), "InProgress"),
            (ended, status),
        ]
        for n, (at, state) in enumerate(steps):
            changes = {**base, f"detail.{prefix}JobStatus": state}
            if kind == "training":
                changes["detail.SecondaryStatus"] = ("Starting", "Training", state)[n]
            if state == "Failed":
                changes["detail.FailureReason"] = (
                    "ClientError: Data download failed: s3://ml-data/x"
                )
            self.emit(at, sample_name, changes)
        return name

    def endpoint_update(self, name: str, start: datetime) -> str:
        for at, status in ((start, "UPDATING"), (start + timedelta(minutes=9), "IN_SERVICE")):
            self.emit(
                at,
                "sagemaker-endpoint-state-change-in-service",
                {
                    "resources": [f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/{name}"],
                    "detail.EndpointName": name,
                    "detail.EndpointStatus": status,
                },
            )
        return name

    # --- CodePipeline and CodeBuild

    def pipeline_run(self, pipeline: str, start: datetime, fails: bool = False) -> str:
        """One execution: Source, Build (a CodeBuild build) and Deploy, each stage and its
        action started and ended; a failing build fails its action, stage and execution."""
        execution = f"{self.rng.getrandbits(64):016x}-run"
        at = start
        base = {
            "resources": [f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:{pipeline}"],
            "detail.pipeline": pipeline,
            "detail.execution-id": execution,
        }
        self.emit(
            at,
            "codepipeline-pipeline-execution-state-change-started",
            {**base, "detail.state": "STARTED"},
        )
        for stage in ("Source", "Build", "Deploy"):
            failing = fails and stage == "Build"
            at += timedelta(seconds=5)
            self.emit(
                at,
                "codepipeline-stage-execution-state-change-started",
                {**base, "detail.stage": stage, "detail.state": "STARTED"},
            )
            action = {**base, "detail.stage": stage, "detail.action": stage.lower()}
            self.emit(
                at,
                "codepipeline-action-execution-state-change-started",
                {**action, "detail.state": "STARTED"},
            )
            if stage == "Build":
                at = self.build(
                    f"{pipeline}-build", at, failing, initiator=f"codepipeline/{pipeline}"
                )
            else:
                at += timedelta(minutes=2)
            state = "FAILED" if failing else "SUCCEEDED"
            self.emit(
                at,
                "codepipeline-action-execution-state-change-started",
                {**action, "detail.state": state},
            )
            self.emit(
                at,
                "codepipeline-stage-execution-state-change-started",
                {**base, "detail.stage": stage, "detail.state": state},
            )
            if failing:
                break
        at += timedelta(seconds=2)
        final = "FAILED" if fails else "SUCCEEDED"
        self.emit(
            at,
            "codepipeline-pipeline-execution-state-change-started",
            {**base, "detail.state": final},
        )
        return f"{pipeline}/{execution}"

    def build(self, project: str, start: datetime, fails: bool, initiator: str = "") -> datetime:
        """A build: in progress, each phase's end, and its end; when it ended."""
        build_id = (
            f"arn:aws:codebuild:{REGION}:{ACCOUNT}:build/{project}:{self.rng.getrandbits(64):016x}"
        )
        base = {
            "resources": [build_id],
            "detail.project-name": project,
            "detail.build-id": build_id,
            "detail.additional-information.initiator": initiator or "ci",
        }
        at = start + timedelta(seconds=3)
        self.emit(
            at,
            "codebuild-build-state-change-succeeded",
            {**base, "detail.build-status": "IN_PROGRESS"},
        )
        for phase in PHASES:
            at += timedelta(seconds=self.rng.randint(5, 60))
            status = "FAILED" if fails and phase == "BUILD" else "SUCCEEDED"
            self.emit(
                at,
                "codebuild-build-phase-change",
                {**base, "detail.completed-phase": phase, "detail.completed-phase-status": status},
            )
        at += timedelta(seconds=2)
        final = "FAILED" if fails else "SUCCEEDED"
        self.emit(
            at, "codebuild-build-state-change-succeeded", {**base, "detail.build-status": final}
        )
        return at

    # --- CloudWatch alarms

    def flapping_alarm(self, name: str, start: datetime, flaps: int) -> str:
        """An alarm going into ALARM and back to OK `flaps` times, minutes apart."""
        at, previous = start, "OK"
        for n in range(2 * flaps):
            state = "ALARM" if n % 2 == 0 else "OK"
            at += timedelta(minutes=self.rng.randint(3, 25))
            self.emit(
                at,
                "cloudwatch-alarm-state-change-single-metric",
                {
                    "resources": [f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"],
                    "detail.alarmName": name,
                    "detail.state.value": state,
                    "detail.state.timestamp": at.isoformat(timespec="milliseconds"),
                    "detail.previousState.value": previous,
                },
            )
            previous = state
        return name
