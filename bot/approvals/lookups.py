"""What an asking event lacks, looked up in AWS: a CodePipeline approval's token or
execution (GetPipelineState), the account of an SNS notification (the bot's own, from STS),
and a model quality report (S3). Each lookup is best effort: None when AWS will not say,
and the approval goes on with what it has.

An approval of another account in `aws.accounts` is looked up and decided there, through
that account's role (`at`); one of an account mlpulse is not given is asked with the bot's
own clients, and AWS's refusal is what the decider hears."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.accounts import Accounts
from bot.aws.clients import AwsClients
from bot.kinds.paths import dig, text

log = logging.getLogger(__name__)
_REPORT_BYTES = 1_000_000  # an evaluation report is a few KB; anything this big is not one
_FAILURES = (ClientError, BotoCoreError, KeyError, ValueError, TypeError)


class Lookups:
    def __init__(self, aws: AwsClients, accounts: Accounts | None = None) -> None:
        self.aws, self.accounts = aws, accounts
        self._account: str | None = None
        self._lock = threading.Lock()

    def at(self, account: str | None, region: str | None) -> Lookups:
        """The lookups of the place an approval lives in: a configured member account's
        clients (its role; RoleRefused is an AwsError the callers report), else these."""
        member = self.accounts.member_clients(account, region) if self.accounts else None
        if member is None:
            return self
        return Lookups(member)

    def own_account(self) -> str | None:
        """The account of the bot's credentials (an SNS approval names none), once."""
        with self._lock:
            if self._account is None:
                try:
                    self._account = text(self.aws.client("sts").get_caller_identity()["Account"])
                except _FAILURES as error:
                    log.info("no account from STS: %s", error)
            return self._account

    def pending_action(self, pipeline: str, stage: str, action: str) -> dict[str, str]:
        """The execution id and token of the approval action `stage`/`action` while it
        waits (GetPipelineState); empty when the pipeline will not say."""
        try:
            state = self.aws.codepipeline.get_pipeline_state(name=pipeline)
        except _FAILURES as error:
            log.info("no state of pipeline %s: %s", pipeline, error)
            return {}
        return waiting_action(state, stage, action)

    def report(self, uri: str) -> dict[str, Any] | None:
        """A JSON report on S3 (`s3://bucket/key`), or None."""
        if not uri.startswith("s3://") or "/" not in uri[5:]:
            return None
        bucket, key = uri[5:].split("/", 1)
        try:
            body = self.aws.s3.get_object(Bucket=bucket, Key=key)["Body"].read(_REPORT_BYTES)
            document = json.loads(body)
        except _FAILURES as error:
            log.info("no report at %s: %s", uri, error)
            return None
        return document if isinstance(document, dict) else None

    def approved_report_uri(self, group: str) -> tuple[str, str | None] | None:
        """The group's latest approved version, and where its model quality report is."""
        try:
            listed = self.aws.sagemaker.list_model_packages(
                ModelPackageGroupName=group,
                ModelApprovalStatus="Approved",
                SortBy="CreationTime",
                SortOrder="Descending",
                MaxResults=1,
            )
            summaries = listed.get("ModelPackageSummaryList") or []
            if not summaries:
                return None
            arn = str(summaries[0]["ModelPackageArn"])
            described = self.aws.sagemaker.describe_model_package(ModelPackageName=arn)
        except _FAILURES as error:
            log.info("no approved version of %s: %s", group, error)
            return None
        version = text(described.get("ModelPackageVersion")) or arn.rsplit("/", 1)[-1]
        return version, text(dig(described, "ModelMetrics.ModelQuality.Statistics.S3Uri"))


def waiting_action(state: dict[str, Any], stage: str, action: str) -> dict[str, str]:
    """From a GetPipelineState answer: the execution and token of an approval action that
    is in progress."""
    for stage_state in state.get("stageStates") or []:
        if stage_state.get("stageName") != stage:
            continue
        found: dict[str, str] = {}
        if execution := text(dig(stage_state, "latestExecution.pipelineExecutionId")):
            found["execution"] = execution
        for action_state in stage_state.get("actionStates") or []:
            if action_state.get("actionName") != action:
                continue
            latest = action_state.get("latestExecution") or {}
            if latest.get("status") == "InProgress" and (token := text(latest.get("token"))):
                found["token"] = token
        return found
    return {}
