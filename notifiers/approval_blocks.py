"""The approval part of a message (issue 19): what is asked, until when, who may decide,
and the Approve / Reject buttons; once decided, who decided what instead of the buttons.
Pure: an `ApprovalAsk` in, blocks out. The buttons' value is the approval's id; a click
opens the decision modal (bot.ingress.slack.approvals)."""

from __future__ import annotations

from typing import Any

from bot.core.approvals import ApprovalAsk
from bot.core.text import clip, escape, safe_url, truncate
from notifiers import limits
from notifiers.times import Style, local_time

APPROVE_ACTION = "approval_approve"
REJECT_ACTION = "approval_reject"
REVIEW_ACTION = "approval_review"  # a link: Slack still sends the click, which is only acked
_SUMMARY_CHARS = 1500
_MAX_DECIDERS = 10
_NOBODY = "nobody from Slack (config `permissions.approvers`)"


def approval_blocks(ask: ApprovalAsk) -> list[dict[str, Any]]:
    """The approval's section, and its buttons while it may still be decided here."""
    if not ask.asking:  # an outcome AWS reports: the event itself says it
        return []
    if ask.outcome is not None:
        return [_section(f"approval-{ask.id}", ask.outcome)]
    lines = [":raised_hand: *Waiting for a decision*"]
    if ask.summary:
        lines.append(f">{clip(ask.summary, _SUMMARY_CHARS)}".replace("\n", "\n>"))
    if ask.deadline is not None:
        lines.append(f"*Expires:* {local_time(ask.deadline, Style.DATETIME)}")
    lines.append(f"*May decide:* {deciders(ask.deciders)}")
    blocks = [_section(f"approval-{ask.id or 'unregistered'}", "\n".join(lines))]
    if ask.id:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"approval-actions-{ask.id}",
                "elements": [
                    _button("Approve", APPROVE_ACTION, ask.id, "primary"),
                    _button("Reject", REJECT_ACTION, ask.id, "danger"),
                    *_review(ask.review),
                ],
            }
        )
    return blocks


def deciders(ids: tuple[str, ...]) -> str:
    """Mentions of the users and user groups (`S...`) who may decide."""
    if not ids:
        return _NOBODY
    shown = [
        f"<!subteam^{escape(one)}>" if one.startswith("S") else f"<@{escape(one)}>"
        for one in ids[:_MAX_DECIDERS]
    ]
    more = len(ids) - _MAX_DECIDERS
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _button(label: str, action_id: str, value: str, style: str) -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": value[: limits.BUTTON_VALUE],
        "style": style,
    }


def _review(link: str | None) -> list[dict[str, Any]]:
    """The pipeline's link to what is to be approved, as a button (links from AWS data are
    buttons, never mrkdwn: notifiers.render)."""
    url = safe_url(link) if link else ""
    if not url or len(url) > limits.BUTTON_URL:
        return []
    text = {"type": "plain_text", "text": "Review"}
    return [{"type": "button", "text": text, "url": url, "action_id": REVIEW_ACTION}]


def _section(block_id: str, text: str) -> dict[str, Any]:
    return {
        "type": "section",
        "block_id": block_id[: limits.ID_LENGTH],
        "text": {"type": "mrkdwn", "text": truncate(text, limits.SECTION_TEXT)},
    }


def decided_content(message: dict[str, Any], approval_id: str, line: str) -> dict[str, Any] | None:
    """A message as Slack shows it (conversations.replies), with approval `approval_id`'s
    section and buttons replaced by `line`: the edit that removes its buttons wherever they
    are (a thread reply, a root in its attachment). None when it carries none."""
    buttons = f"approval-actions-{approval_id}"
    owned = {f"approval-{approval_id}", buttons}
    changed = False

    def edited(blocks: Any) -> Any:
        nonlocal changed
        if not isinstance(blocks, list) or not any(_owned(block, {buttons}) for block in blocks):
            return blocks
        changed = True
        kept: list[Any] = []
        for block in blocks:
            if not _owned(block, owned):
                kept.append(block)
            elif block.get("block_id") == buttons:
                kept.append(_section(f"approval-{approval_id}", line))
        return kept

    content: dict[str, Any] = {
        "text": message.get("text") or "",
        "blocks": edited(message.get("blocks")),
    }
    attachments = message.get("attachments")
    if isinstance(attachments, list):
        content["attachments"] = [
            {**item, "blocks": edited(item.get("blocks"))} if isinstance(item, dict) else item
            for item in attachments
        ]
    if not changed:
        return None
    return {name: value for name, value in content.items() if value is not None}


def _owned(block: Any, owned: set[str]) -> bool:
    return isinstance(block, dict) and block.get("block_id") in owned
