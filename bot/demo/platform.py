"""The demo's ML platform on the embedded moto server, in the names and times of the
script (bot.demo.script): SageMaker jobs (bot.demo.jobs, bot.demo.tuning) with their curves and logs
(bot.demo.training), endpoints with an hour and more of figures and alarms
(bot.demo.serving), a CodePipeline and a SageMaker pipeline (bot.demo.cicd), and Model
Monitor reports with violations in S3 (bot.demo.monitoring).

The command tests seed the same platform on their own moto server and assert its names
(tests/unit/commands/platform.py, tests/golden/commands)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from bot.demo.aws import DemoAws
from bot.demo.cicd import CODEPIPELINE, SAGEMAKER_PIPELINE, seed_pipelines
from bot.demo.explanations import seed_explanations
from bot.demo.jobs import COMPLETED, FAILED, seed_jobs
from bot.demo.moments import at
from bot.demo.monitoring import BUCKET, JOB, DemoMonitoring, seed_monitoring
from bot.demo.script import REGION
from bot.demo.serving import CHURN, FRAUD, seed_serving
from bot.demo.training import seed_training_output
from bot.demo.tuning import TUNING, seed_tuning

BUCKETS = ("ml-artifacts", BUCKET)
GUIDE = (
    f"On the platform: training jobs {FAILED} (failed) and {COMPLETED}, tuning job {TUNING}, "
    f"endpoints {FRAUD} (with Model Monitor: `/mlpulse drift {FRAUD}`; explained predictions: "
    f"`/mlpulse explain {FRAUD}`) and {CHURN}, "
    f"pipelines {CODEPIPELINE} and {SAGEMAKER_PIPELINE}."
)


def seed_platform(aws: DemoAws) -> None:
    """Seed everything; afterwards `aws` answers the commands as the platform would."""
    for bucket in BUCKETS:
        try:
            aws.s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
            )
        except ClientError as error:  # seeded already: harmless
            if error.response.get("Error", {}).get("Code") != "BucketAlreadyOwnedByYou":
                raise
    sagemaker = aws.raw("sagemaker")
    seed_jobs(sagemaker)
    seed_tuning(sagemaker)
    seed_training_output(aws.cloudwatch, aws.logs)
    seed_serving(sagemaker, aws.cloudwatch)
    seed_pipelines(aws)
    # The monitoring job of the script's event 13 ran 03:52-04:00 on fraud-prod.
    seed_monitoring(aws.s3, sagemaker, at(52))
    seed_explanations(aws.s3, sagemaker)
    aws.monitoring = Monitoring(sagemaker, at(52))


class Monitoring(DemoMonitoring):
    """bot.demo.monitoring's monitoring answers, with the monitoring job's times, resources and
    image from moto, where bot.demo.jobs seeded it."""

    def __init__(self, real: Any, scheduled: datetime) -> None:
        super().__init__(real, scheduled)
        self._moto = real

    def describe_processing_job(self, **request: Any) -> dict[str, Any]:
        answer = super().describe_processing_job(**request)
        if request.get("ProcessingJobName") != JOB:
            return answer
        return {**self._moto.describe_processing_job(**request), **answer}
