"""The approval part of a message, the decision modal, and the edit that removes buttons."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.approvals import Approval, ApprovalAsk, ApprovalState, Verdict
from notifiers import limits
from notifiers.approval_blocks import approval_blocks, decided_content
from notifiers.approval_modal import Pending, decision_modal, submitted_comment
from notifiers.approval_wording import outcome_line
from tests.goldens import readable

T0 = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def ask(**fields: object) -> ApprovalAsk:
    values: dict[str, object] = {
        "kind": "codepipeline",
        "subject": "ml-deploy",
        "target": {"pipeline": "ml-deploy"},
        "id": "abc123",
        "deadline": T0,
        "summary": "Ship <!channel> & v7?",
        "deciders": ("U1", "SREL"),
        "review": "https://ci.example.com/b/1?a=1&b=<2>",
    }
    values.update(fields)
    return ApprovalAsk.model_validate(values)


def test_a_registered_ask_shows_what_until_when_who_and_the_buttons() -> None:
    section, actions = approval_blocks(ask())
    text = section["text"]["text"]
    assert "&lt;!channel&gt; &amp; v7?" in text and "<!channel>" not in text
    assert "https://" not in text  # links from AWS data are buttons only
    assert "*May decide:* <@U1>, <!subteam^SREL>" in readable(text)
    assert "*Expires:* 2026-11-25 03:00 UTC" in readable(text)
    approve, reject, review = actions["elements"]
    assert [approve["action_id"], reject["action_id"]] == ["approval_approve", "approval_reject"]
    assert approve["value"] == reject["value"] == "abc123"
    assert review["url"] == "https://ci.example.com/b/1?a=1&b=%3C2%3E"
    assert actions["block_id"] == "approval-actions-abc123"


def test_an_unregistered_ask_has_no_buttons_and_an_outcome_none() -> None:
    assert len(approval_blocks(ask(id=""))) == 1
    assert "nobody from Slack" in approval_blocks(ask(id="", deciders=()))[0]["text"]["text"]
    assert approval_blocks(ask(asking=False)) == []
    (done,) = approval_blocks(ask(outcome=":white_check_mark: *Approved*"))
    assert done["text"]["text"] == ":white_check_mark: *Approved*"


def test_a_huge_summary_stays_within_slack_limits() -> None:
    (section, _) = approval_blocks(
        ask(summary="x" * 50_000, deciders=tuple(f"U{n}" for n in range(40)))
    )
    assert len(section["text"]["text"]) <= limits.SECTION_TEXT
    assert "and 30 more" in section["text"]["text"]


def approval(state: ApprovalState, **fields: object) -> Approval:
    values: dict[str, object] = {
        "id": "abc123",
        "kind": "codepipeline",
        "key": "k",
        "subject": "ml-deploy",
        "title": "ml-deploy · approval A › B",
        "target": {},
        "requested_at": T0,
        "event": "{}",
        "state": state,
    }
    values.update(fields)
    return Approval(**values)  # type: ignore[arg-type]


def test_the_outcome_line_says_who_what_when_and_why() -> None:
    done = approval(
        ApprovalState.APPROVED, actor="U1", verdict=Verdict.APPROVE, comment="<ok>",
        decided_at=T0, request_id="r-1",
    )  # fmt: skip
    assert readable(outcome_line(done)) == (
        ":white_check_mark: *Approved* by <@U1> at 2026-11-25 03:00 UTC: &lt;ok&gt;\n"
        "_AWS request id r-1_"
    )
    closed = approval(ApprovalState.CLOSED, decided_at=T0, note="AWS answered X")
    assert readable(outcome_line(closed)) == (
        ":information_source: *Decided in AWS* at 2026-11-25 03:00 UTC (AWS answered X);"
        " it can no longer be decided from Slack."
    )


def test_decided_content_replaces_the_buttons_in_a_reply_and_in_a_root_attachment() -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}, *approval_blocks(ask())]
    reply = {"ts": "1.1", "text": "t", "blocks": blocks}
    edited = decided_content(reply, "abc123", "done")
    assert edited is not None
    assert [b.get("block_id") for b in edited["blocks"]] == [None, "approval-abc123"]
    assert edited["blocks"][1]["text"]["text"] == "done"
    root = {"ts": "1.0", "text": "t", "attachments": [{"color": "#fff", "blocks": blocks}]}
    edited = decided_content(root, "abc123", "done")
    assert edited is not None and edited["attachments"][0]["color"] == "#fff"
    assert len(edited["attachments"][0]["blocks"]) == 2
    assert decided_content(reply, "other", "done") is None
    assert decided_content({"ts": "1", "text": "plain"}, "abc123", "done") is None


def test_the_modal_requires_a_comment_to_reject_and_carries_the_click() -> None:
    pending = Pending("abc123", Verdict.REJECT, "C1", "1.1", "1.0")
    view = decision_modal(approval(ApprovalState.PENDING, deadline=T0), pending)
    (comment,) = [b for b in view["blocks"] if b["type"] == "input"]
    assert comment["optional"] is False and view["title"]["text"] == "Reject"
    assert Pending.decode(view["private_metadata"]) == pending
    approve = decision_modal(
        approval(ApprovalState.PENDING), Pending("abc123", Verdict.APPROVE, "C1", None, None)
    )
    assert next(b for b in approve["blocks"] if b["type"] == "input")["optional"] is True
    assert Pending.decode("not json") is None and Pending.decode('{"verdict": "maybe"}') is None
    state = {"state": {"values": {"comment": {"comment": {"value": "  why \\n"}}}}}
    assert submitted_comment(state) == "why \\n".strip()
    assert submitted_comment({}) == ""
