"""An approval's id: short, opaque (a button value), and the same for its two ways in.

A CodePipeline approval is one action of one execution: the EventBridge event names the
execution, the SNS notification the token, and bot.approvals.asking finds the execution
for the notification, so both come to the same id; when it cannot, the token stands in.
A model package's is its ARN."""

from __future__ import annotations

import hashlib

from bot.core.approvals import ApprovalAsk


def approval_id(ask: ApprovalAsk, account: str | None, region: str | None) -> str:
    target = ask.target
    if ask.kind == "codepipeline":
        run = target.get("execution") or f"token:{target.get('token', '')}"
        parts = [target.get("pipeline", ""), target.get("stage", ""), target.get("action", ""), run]
    else:
        parts = [target.get("arn", "")]
    identity = "|".join([ask.kind, account or "-", region or "-", *parts])
    return hashlib.sha256(identity.encode()).hexdigest()[:24]
