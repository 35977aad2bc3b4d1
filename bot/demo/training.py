"""What the demo's training jobs wrote while they ran: metric curves in CloudWatch
(namespace `/aws/sagemaker/TrainingJobs`, dimension Host = `<job>/algo-1`, as SageMaker
publishes them) and their algo-1 log in CloudWatch Logs (`/aws/sagemaker/TrainingJobs`,
stream `<job>/algo-1-<epoch>`)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from bot.demo.backend import backend
from bot.demo.jobs import RUNS, Run, curve
from bot.demo.moments import ms

NAMESPACE = LOG_GROUP = "/aws/sagemaker/TrainingJobs"


def seed_training_output(cloudwatch: Any, logs: Any) -> None:
    logs.create_log_group(logGroupName=LOG_GROUP)
    for run in RUNS:
        _curves(cloudwatch, run)
        _log(logs, run)


def _round_times(run: Run) -> list[Any]:
    training = run.started + timedelta(minutes=4)
    step = (run.ended - training) / run.steps
    return [training + n * step for n in range(run.steps)]


def _curves(cloudwatch: Any, run: Run) -> None:
    """The metric curves, and the host's CPU (SageMaker publishes both in the namespace;
    `/mlpulse metrics` tells the two apart)."""
    host = [{"Name": "Host", "Value": f"{run.name}/algo-1"}]
    rounds = range(run.steps)
    series = {metric: [curve(run, metric, n) for n in rounds] for metric in run.finals}
    series["CPUUtilization"] = [180.0 + 12 * math.sin(n / 3) for n in rounds]  # % of one core
    data = [
        {"MetricName": metric, "Dimensions": host, "Timestamp": moment, "Value": values[n]}
        for metric, values in series.items()
        for n, moment in enumerate(_round_times(run))
    ]
    for first in range(0, len(data), 500):
        cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=data[first : first + 500])


def _log(logs: Any, run: Run) -> None:
    stream = f"{run.name}/algo-1-{int(run.started.timestamp())}"
    logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
    events = [{"timestamp": stamp, "message": message} for stamp, message in log_lines(run)]
    # Straight onto moto's stream: its PutLogEvents refuses events older than 14 days, and
    # the demo's morning stays on 2026-11-25 whatever the date.
    backend("logs").groups[LOG_GROUP].streams[stream].put_log_events(events)


def log_lines(run: Run) -> list[tuple[int, str]]:
    """(epoch ms, message) of the job's algo-1 log, oldest first."""
    lines = [
        (run.started + timedelta(minutes=3), "Invoking script with the following command:"),
        (
            run.started + timedelta(minutes=3),
            f"/usr/local/bin/python3 train.py --epochs {run.params.get('epochs', '40')}",
        ),
    ]
    for step, moment in enumerate(_round_times(run)):
        loss = curve(run, "train:logloss", step)
        auc = curve(run, "validation:auc", step)
        lines.append((moment, f"[{step}]#011train-logloss:{loss:.5f}#011validation-auc:{auc:.5f}"))
    if run.status == "Failed":
        lines += [
            (run.ended, 'File "train.py", line 131, in <module>'),
            (run.ended, "    model = fit(train, valid, args)"),
            (run.ended, 'File "train.py", line 88, in fit'),
            (run.ended, "    booster = xgb.train(params, dtrain, evals=watchlist)"),
            (
                run.ended,
                "ValueError: Input contains NaN, infinity or a value too large for "
                "dtype('float32').",
            ),
            (run.ended, "sagemaker-training-toolkit ERROR    Reporting training FAILURE"),
            (run.ended, "ExecuteUserScriptError: ExitCode 1"),
        ]
    else:
        lines.append((run.ended, "Training complete. Saving model to /opt/ml/model/xgboost-model"))
    return [(ms(moment), message) for moment, message in lines]
