"""The demo's two accounts: `prod`, where the platform of the script runs (bot.demo.platform,
the script's account), and `dev`, a second account with an experiment of its own that
the bot reads by assuming a role there, as it would a member account
(deploy/member-account.yaml). moto maps an assumed role's credentials to the role's
account, so `dev` is a second account on the same embedded server."""

from __future__ import annotations

from typing import Any

from bot.aws.accounts import Accounts
from bot.config.accounts import AwsConfig
from bot.demo.aws import DemoAws
from bot.demo.jobs import XGBOOST
from bot.demo.moments import at, naive
from bot.demo.script import ACCOUNT, REGION

DEV_ACCOUNT = "210987654321"
DEV_ROLE = f"arn:aws:iam::{DEV_ACCOUNT}:role/mlpulse-read"
DEV_JOB = "churn-lgbm-experiment-12"  # only in dev: `/mlpulse job` finds it there
ACCOUNTS: list[dict[str, Any]] = [
    {"id": ACCOUNT, "alias": "prod", "regions": [REGION]},
    {"id": DEV_ACCOUNT, "alias": "dev", "role_arn": DEV_ROLE, "regions": [REGION]},
]


def seed_dev(aws: DemoAws) -> None:
    """The dev account's experiment, created through the role, as the bot reads it."""
    accounts = Accounts(
        AwsConfig.model_validate({"accounts": ACCOUNTS}), aws, make_clients=aws.elsewhere
    )
    [dev] = accounts.select("dev")
    sagemaker = accounts.clients(dev).client("sagemaker")
    sagemaker.create_training_job(
        TrainingJobName=DEV_JOB,
        HyperParameters={"num_leaves": "63", "learning_rate": "0.05"},
        AlgorithmSpecification={"TrainingImage": XGBOOST, "TrainingInputMode": "File"},
        RoleArn=f"arn:aws:iam::{DEV_ACCOUNT}:role/sagemaker-execution",
        OutputDataConfig={"S3OutputPath": "s3://ml-experiments/models/"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 20},
        StoppingCondition={"MaxRuntimeInSeconds": 7200},
    )
    accounts.close()
    _overnight(DEV_JOB)


def _overnight(name: str) -> None:
    """The experiment ran overnight, in the script's time (moto would say just now)."""
    from moto.backends import get_backend  # moto is the `demo` extra: imported when used

    every: Any = get_backend("sagemaker")
    job = every[DEV_ACCOUNT][REGION].training_jobs[name]
    job.creation_time = naive(at(-300))
    job.training_start_time = naive(at(-297))
    job.training_end_time = job.last_modified_time = naive(at(-180))
    job.secondary_status_transitions = []  # moto's, stamped now: none rather than wrong
