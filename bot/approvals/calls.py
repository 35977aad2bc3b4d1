"""The one AWS call a decision makes, and what its answer means.

CodePipeline: PutApprovalResult with the approval's token (looked up again with
GetPipelineState when the asking event had none). SageMaker: UpdateModelPackage, after
DescribeModelPackage says the package still waits (an update of a package decided in the
console would succeed and overwrite that decision). Either way the person and their
comment go to AWS in the result's summary or the ApprovalDescription.

An answer is one of: done (with AWS's request id), already decided in AWS (the token is
spent, the action or package moved on: nothing left to decide here), or failed (nothing
happened; the approval stays pending and the person is told why).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.approvals.lookups import Lookups, waiting_action
from bot.aws.errors import AwsError
from bot.core.approvals import Approval, Verdict
from bot.kinds.paths import text

# What CodePipeline answers for an approval it no longer waits on (decided, superseded,
# the pipeline changed); for SageMaker the package's own status says it.
_ELSEWHERE = frozenset(
    {
        "ApprovalAlreadyCompletedException",
        "InvalidApprovalTokenException",
        "ActionNotFoundException",
        "StageNotFoundException",
        "PipelineNotFoundException",
    }
)
_STATUS = {Verdict.APPROVE: "Approved", Verdict.REJECT: "Rejected"}
SUMMARY_CHARS = {"codepipeline": 512, "model_package": 1024}
PENDING = "PendingManualApproval"


@dataclass(frozen=True)
class CallResult:
    request_id: str | None = None
    elsewhere: str | None = None  # AWS has it decided already: why we think so
    error: str | None = None  # the call failed: what AWS (or the network) said

    @property
    def done(self) -> bool:
        return self.elsewhere is None and self.error is None


def summary(approval: Approval, verdict: Verdict, user: str, comment: str) -> str:
    """What AWS keeps of the decision: who, from where, why."""
    said = f"{_STATUS[verdict]} from Slack by {user}" + (f": {comment}" if comment else "")
    limit = SUMMARY_CHARS[approval.kind]
    return said if len(said) <= limit else said[: limit - 1] + "…"


def decide_in_aws(
    lookups: Lookups, approval: Approval, verdict: Verdict, described: str
) -> CallResult:
    try:
        account, region = _place_of(approval)
        there = lookups.at(account, region)
        if approval.kind == "codepipeline":
            return _codepipeline(there, approval, verdict, described)
        return _model_package(there, approval, verdict, described)
    except AwsError as error:  # the account's role could not be assumed
        return CallResult(error=str(error))
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", "error"))
        message = str(error.response.get("Error", {}).get("Message", ""))
        if code in _ELSEWHERE:
            return CallResult(elsewhere=f"AWS answered {code}")
        return CallResult(error=f"{code}: {message}".rstrip(": "))
    except BotoCoreError as error:
        return CallResult(error=f"could not reach AWS ({type(error).__name__})")


def _codepipeline(
    lookups: Lookups, approval: Approval, verdict: Verdict, described: str
) -> CallResult:
    target = approval.target
    token = target.get("token")
    client = lookups.aws.codepipeline
    if token is None:
        state = client.get_pipeline_state(name=target["pipeline"])
        token = waiting_action(state, target["stage"], target["action"]).get("token")
        if token is None:
            return CallResult(elsewhere="the action no longer waits for approval")
    answer = client.put_approval_result(
        pipelineName=target["pipeline"],
        stageName=target["stage"],
        actionName=target["action"],
        result={"summary": described, "status": _STATUS[verdict]},
        token=token,
    )
    return CallResult(request_id=_request_id(answer))


def _model_package(
    lookups: Lookups, approval: Approval, verdict: Verdict, described: str
) -> CallResult:
    client = lookups.aws.sagemaker
    arn = approval.target["arn"]
    now = text(client.describe_model_package(ModelPackageName=arn).get("ModelApprovalStatus"))
    if now != PENDING:
        return CallResult(elsewhere=f"the package is {now or 'no longer pending'} in SageMaker")
    answer = client.update_model_package(
        ModelPackageArn=arn, ModelApprovalStatus=_STATUS[verdict], ApprovalDescription=described
    )
    return CallResult(request_id=_request_id(answer))


def _request_id(answer: Any) -> str | None:
    metadata = answer.get("ResponseMetadata") if isinstance(answer, dict) else None
    return text(metadata.get("RequestId")) if isinstance(metadata, dict) else None


def _place_of(approval: Approval) -> tuple[str | None, str | None]:
    """The account and region of the event that asked (kept with the approval)."""
    try:
        asked = json.loads(approval.event)
    except ValueError:
        return None, None
    if not isinstance(asked, dict):
        return None, None
    return text(asked.get("account")), text(asked.get("region"))
