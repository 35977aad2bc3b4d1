"""The decision modal (views.open): what is decided, and the comment, required to reject.
Pure. `private_metadata` carries the decision's context to the submission (the approval,
the verdict, and the message clicked, whose buttons go once it is decided)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from bot.core.approvals import Approval, Verdict
from bot.core.text import clip
from notifiers.times import Style, local_time

CALLBACK_ID = "approval_decision"
COMMENT_BLOCK = "comment"
COMMENT_ACTION = "comment"
_TITLE = {Verdict.APPROVE: "Approve", Verdict.REJECT: "Reject"}
_COMMENT_CHARS = 1000  # UpdateModelPackage keeps 1,024 for the whole description


@dataclass(frozen=True)
class Pending:
    """What a submission needs to know of the click that opened its modal."""

    approval_id: str
    verdict: Verdict
    channel: str
    message_ts: str | None
    thread_ts: str | None

    def encode(self) -> str:
        return json.dumps(asdict(self))

    @staticmethod
    def decode(text: str) -> Pending | None:
        try:
            data = json.loads(text)
            return Pending(
                str(data["approval_id"]),
                Verdict(data["verdict"]),
                str(data["channel"]),
                data.get("message_ts"),
                data.get("thread_ts"),
            )
        except (ValueError, KeyError, TypeError):
            return None


def decision_modal(approval: Approval, pending: Pending) -> dict[str, Any]:
    verdict = pending.verdict
    lines = [f"*{_TITLE[verdict]}* {clip(approval.title, 500)}?"]
    if approval.deadline is not None:
        lines.append(f"Expires {local_time(approval.deadline, Style.DATETIME)}.")
    lines.append("AWS keeps your name and comment with the decision.")
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": pending.encode(),
        "title": {"type": "plain_text", "text": _TITLE[verdict]},
        "submit": {"type": "plain_text", "text": _TITLE[verdict]},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}},
            {
                "type": "input",
                "block_id": COMMENT_BLOCK,
                "optional": verdict is Verdict.APPROVE,
                "label": {
                    "type": "plain_text",
                    "text": "Why" if verdict is Verdict.REJECT else "Comment (optional)",
                },
                "element": {
                    "type": "plain_text_input",
                    "action_id": COMMENT_ACTION,
                    "multiline": True,
                    "max_length": _COMMENT_CHARS,
                },
            },
        ],
    }


def submitted_comment(view: dict[str, Any]) -> str:
    """The comment typed into a submitted decision modal ("" when none)."""
    value = (
        (view.get("state") or {})
        .get("values", {})
        .get(COMMENT_BLOCK, {})
        .get(COMMENT_ACTION, {})
        .get("value")
    )
    return value.strip() if isinstance(value, str) else ""
