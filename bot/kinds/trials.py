"""A tuning job's trials: the training jobs a hyperparameter tuning job launches, told in the
tuning job's message instead of a message each (bot.delivery.trials does the telling).

A training job is a trial when its event names its tuning job (`TuningJobArn`: the event's
detail is the job's Describe answer, which carries it for every job a tuning job launched)
or, in an event without that field, when its name has the form SageMaker gives trials: the
tuning job's name (1 to 32 characters), a three-digit sequence number and eight hex digits
(`fraud-hpo-1125-014-4c2a1f7e`; CreateHyperParameterTuningJob: "This name is the prefix
for the names of all training jobs that this tuning job launches").

A trial's event keeps its kind (`training_job`) and its name, but takes its tuning job's
key, so it goes to the tuning job's root message, and names itself as the part of it the
event is about (`trial fraud-hpo-1125-014-4c2a1f7e`), as a stage does for a pipeline run.

Tuning job names are not case sensitive, and SageMaker writes ARNs in lower case, so a
tuning job's key is its name in lower case, from its own events and its trials' alike.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

from bot.core.events import Event, Fact, Kind, Outcome
from bot.kinds import jobs
from bot.kinds.links import job_links
from bot.kinds.paths import Raw, arn_tail, dig, number, text
from bot.kinds.spec import KindSpec

# `<tuning job>-<NNN>-<8 hex>`; a tuning job's name is 1 to 32 of [a-zA-Z0-9-].
_TRIAL_NAME = re.compile(r"^([a-zA-Z0-9][a-zA-Z0-9-]{0,31})-\d{3}-[0-9a-f]{8}$")
TUNING_JOB_LABEL = "Tuning job"  # the fact naming a trial's tuning job
OBJECTIVE_LABEL = "Objective metric"  # the fact holding a trial's objective value


def tuning_job_of(event: Raw) -> str | None:
    """The name of the tuning job that launched this training job, or None if none did."""
    body = event.get("detail")
    if not isinstance(body, dict):
        return None
    if "TuningJobArn" in body:  # the Describe answer says, even when it says null
        return arn_tail(body.get("TuningJobArn"))
    found = _TRIAL_NAME.match(text(body.get("TrainingJobName")) or "")
    return found.group(1) if found else None


def is_trial_event(event: Raw) -> bool:
    """A training job state change about a tuning job's trial."""
    return event.get("detail-type") == jobs.TRAINING.detail_type and bool(tuning_job_of(event))


def tuning_key(name: object) -> str | None:
    """What a tuning job's root message is keyed by: its name in lower case."""
    shown = text(name)
    return shown.lower() if shown else None


def _objective(event: Raw) -> str | None:
    """`validation:auc = 0.9412`: the trial's final value of its tuning job's objective
    (SageMaker passes the objective's name to every trial as a hyperparameter)."""
    wanted = text(dig(event, "detail.HyperParameters._tuning_objective_metric"))
    metrics = dig(event, "detail.FinalMetricDataList")
    if not wanted or not isinstance(metrics, list):
        return None
    wanted = wanted.strip('"')
    for metric in metrics:
        if isinstance(metric, dict) and metric.get("MetricName") == wanted:
            value = number(metric.get("Value"))
            if value is not None and math.isfinite(value):
                return f"{wanted} = {value:.6g}"
    return None


def trial_spec(training: KindSpec) -> KindSpec:
    """The training jobs' spec, for trials: keyed by their tuning job, as a part of it."""

    def facts(event: Raw) -> list[Fact]:
        found = [Fact(label=TUNING_JOB_LABEL, value=tuning_job_of(event) or "?")]
        found += training.facts(event)
        objective = _objective(event)
        return found + ([Fact(label=OBJECTIVE_LABEL, value=objective)] if objective else [])

    return replace(
        training,
        key=lambda event: tuning_key(tuning_job_of(event)),
        key_scope=Kind.TUNING_JOB,
        subject=lambda event: f"trial {text(training.name(event)) or '?'}",
        facts=facts,
    )


def tuning_spec(tuning: KindSpec) -> KindSpec:
    """The tuning jobs' spec, keyed as their trials find them."""
    return replace(tuning, key=lambda event: tuning_key(tuning.name(event)))


# --- read back from a normalized Event (delivery sees only those)


def is_trial(event: Event) -> bool:
    """A trial's event: a training job's, keyed as its tuning job."""
    return event.is_trial


def objective_of(event: Event) -> tuple[str, float] | None:
    """A trial's objective metric and its final value, if it reported one."""
    shown = event.fact(OBJECTIVE_LABEL)
    metric, _, value = (shown or "").rpartition(" = ")
    try:
        return (metric, float(value)) if metric else None
    except ValueError:
        return None


def tuning_stand_in(trial: Event) -> Event:
    """The tuning job's state as its trial tells it, for a root message posted before any
    event of the tuning job itself: running (a trial is), named, linked to its console."""
    name = trial.fact(TUNING_JOB_LABEL) or trial.key.rsplit(":", 1)[-1]
    return Event(
        id=trial.id,
        kind=Kind.TUNING_JOB,
        key=trial.key,
        name=name,
        title=jobs.TUNING.title,
        status="InProgress",
        outcome=Outcome.RUNNING,
        time=trial.time,
        time_known=trial.time_known,
        account=trial.account,
        region=trial.region,
        source=trial.source,
        detail_type=jobs.TUNING.detail_type,
        links=tuple(job_links(jobs.TUNING, name, trial.region)),
    )
