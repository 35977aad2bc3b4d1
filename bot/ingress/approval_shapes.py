"""The notification CodePipeline publishes to a manual approval's SNS topic, in the shape of
the EventBridge action event the approval table (bot.kinds.approvals) reads.

The notification (CodePipeline User Guide, "JSON data format for manual approval
notifications") is `{"region", "consoleLink", "approval": {"pipelineName", "stageName",
"actionName", "token", "expires", "externalEntityLink", "approvalReviewLink",
"customData"}}`: no account, no execution id, no time. The approval itself goes under
`detail.approval`; what is missing is found at intake (bot.approvals.asking)."""

from __future__ import annotations

from typing import Any

from bot.kinds.paths import Raw

ACTION_CHANGE = "CodePipeline Action Execution State Change"


def is_codepipeline_approval(obj: Raw) -> bool:
    approval = obj.get("approval")
    return isinstance(approval, dict) and "pipelineName" in approval and "token" in approval


def approval_as_event(document: Raw) -> dict[str, Any]:
    approval: dict[str, Any] = document["approval"]
    return {
        "detail-type": ACTION_CHANGE,
        "source": "aws.codepipeline",
        "region": document.get("region"),
        "detail": {
            "pipeline": approval.get("pipelineName"),
            "stage": approval.get("stageName"),
            "action": approval.get("actionName"),
            "state": "STARTED",
            "type": {"owner": "AWS", "category": "Approval", "provider": "Manual"},
            "approval": approval,
        },
    }
