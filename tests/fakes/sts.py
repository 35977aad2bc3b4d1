"""STS refusing to let mlpulse assume a role, which moto never does (its AssumeRole takes any
role ARN): a botocore hook on the bot's own STS client answers AssumeRole for the refused
roles with AWS's AccessDenied, before any request is sent, and lets every other call
through to moto. `assumed` records each AssumeRole asked, as it was asked."""

from __future__ import annotations

import copy
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders


class Sts:
    def __init__(self, client: Any, refused: set[str] | None = None) -> None:
        self.refused = set(refused or ())
        self.assumed: list[dict[str, Any]] = []
        events = client.meta.events
        events.register("before-parameter-build.sts.AssumeRole", self._asked)
        events.register("before-call.sts.AssumeRole", self._answer)

    def _asked(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["asked"] = copy.deepcopy(params)
        self.assumed.append(context["asked"])

    def _answer(self, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, Any] | None:
        role = (context.get("asked") or {}).get("RoleArn")
        if role not in self.refused:
            return None
        message = (
            "User: arn:aws:sts::123456789012:assumed-role/mlpulse/bot is not authorized to"
            f" perform: sts:AssumeRole on resource: {role}"
        )
        parsed = {
            "Error": {"Code": "AccessDenied", "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": 403, "HTTPHeaders": {}, "RetryAttempts": 0},
        }
        return AWSResponse("", 403, HTTPHeaders(), None), parsed

    def roles(self) -> list[str]:
        return [str(asked.get("RoleArn")) for asked in self.assumed]
