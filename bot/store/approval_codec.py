"""An approval record (bot.core.approvals.Approval) as the JSON both stores keep, and the
audit entry of a step in its life."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.approvals import Approval, ApprovalState, Verdict

_TIMES = ("requested_at", "deadline", "decided_at", "claim_until")
_NAMES = frozenset(field.name for field in fields(Approval))


def encode_approval(approval: Approval) -> str:
    data: dict[str, Any] = asdict(approval)
    for name in _TIMES:
        moment = data[name]
        data[name] = moment.timestamp() if moment is not None else None
    return json.dumps(data)


def decode_approval(text: str) -> Approval:
    data: dict[str, Any] = {k: v for k, v in json.loads(text).items() if k in _NAMES}
    for name in _TIMES:
        stamp = data.get(name)
        data[name] = datetime.fromtimestamp(stamp, UTC) if stamp is not None else None
    data["state"] = ApprovalState(data["state"])
    data["verdict"] = Verdict(data["verdict"]) if data.get("verdict") else None
    return Approval(**data)


def audit_entry(
    at: datetime,
    actor: str,
    action: str,
    comment: str | None = None,
    request_id: str | None = None,
    note: str | None = None,
) -> dict[str, object]:
    """One step of an approval's life as its audit keeps it."""
    return {
        "at": at.timestamp(),
        "actor": actor,
        "action": action,
        "comment": comment,
        "request_id": request_id,
        "note": note,
    }


def audit_expires_at(approval: Approval, entry: dict[str, object], kept: timedelta) -> int:
    """When the store may forget an audit entry (epoch seconds): `kept` after it was made
    (`retention.audit`, as every audit entry), and never before its approval's record."""
    at = float(entry["at"])  # type: ignore[arg-type]
    return max(approval.expires_at, int(at + kept.total_seconds()))


def settled_action(state: ApprovalState) -> str:
    """The audit's word for an approval ending in `state`."""
    return {
        ApprovalState.APPROVED: "approved",
        ApprovalState.REJECTED: "rejected",
        ApprovalState.EXPIRED: "expired",
        ApprovalState.CLOSED: "closed",
    }.get(state, state.value)
