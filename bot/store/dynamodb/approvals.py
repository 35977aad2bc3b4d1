"""The DynamoDB store's approvals (bot.store.roles.ApprovalStore), beside the items
bot.store.dynamodb.store lists:

    item              pk                      sk
    approval          approvals               <id>            record, state, version
    its audit         approval-audit#<id>     <micros>#<uuid>

Approvals are few (people decide them), so they share one partition: the pending ones are
one consistent query away. Every change is optimistic: read the record consistently, judge
the change with bot.core.approvals, and write it with its audit entry in one transaction on
the condition that the version read is still the one stored; a lost race reads again and
judges again, so of two replicas claiming at once exactly one wins. Each item carries
`expires_at` (epoch seconds) for the table's TTL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.core.approvals import Approval, ApprovalState, released, settled
from bot.core.errors import StoreError
from bot.store.approval_codec import (
    audit_entry,
    audit_expires_at,
    decode_approval,
    encode_approval,
    settled_action,
)
from bot.store.dynamodb.codec import Item, integer, key, micros, n, put, required, s, text
from bot.store.dynamodb.table import Cancelled, TableAccess, retry_or_raise

_PARTITION = "approvals"
_OPEN = (ApprovalState.PENDING.value, ApprovalState.DECIDING.value)
_AUDIT = ("actor", "action", "comment", "request_id", "note")
# A change judged on what was read: the new record and its audit entry, or None (no change).
Change = Callable[[Approval], tuple[Approval, dict[str, object]] | None]


class ApprovalTable(TableAccess):
    def open_approval(self, approval: Approval) -> Approval:
        entry = audit_entry(approval.requested_at, "mlpulse", "asked")
        try:
            self._transact(
                [
                    put(self.table, _record(approval, 1), "attribute_not_exists(pk)"),
                    put(self.table, _audit_item(approval, entry, self.retention.audit)),
                ]
            )
        except Cancelled:
            found = self.approval(approval.id)
            if found is None:
                raise StoreError(f"approval {approval.id} could not be recorded") from None
            return found
        return approval

    def approval(self, approval_id: str) -> Approval | None:
        found = self._get(key(_PARTITION, approval_id))
        return decode_approval(required(found, "record")) if found else None

    def pending_approvals(self) -> list[Approval]:
        found = [
            decode_approval(required(item, "record"))
            for item in self._partition(_PARTITION)
            if text(item, "state") in _OPEN
        ]
        return sorted(found, key=lambda approval: (approval.requested_at, approval.id))

    def claim_approval(self, claimed: Approval, now: datetime) -> tuple[bool, Approval | None]:
        def claim(current: Approval) -> tuple[Approval, dict[str, object]] | None:
            if not current.claimable(now):
                return None
            action = f"claimed {claimed.verdict}"
            return claimed, audit_entry(now, claimed.actor or "?", action, claimed.comment)

        return self._change(claimed.id, claim)

    def settle_approval(
        self,
        approval_id: str,
        state: ApprovalState,
        now: datetime,
        *,
        actor: str | None = None,
        request_id: str | None = None,
        note: str | None = None,
    ) -> Approval | None:
        def settle(current: Approval) -> tuple[Approval, dict[str, object]] | None:
            ended = settled(current, state, now, actor, request_id, note)
            if ended is None:
                return None
            comment = current.comment if actor else None
            action = settled_action(state)
            return ended, audit_entry(now, actor or "mlpulse", action, comment, request_id, note)

        won, record = self._change(approval_id, settle)
        return record if won else None

    def release_approval(self, approval_id: str, actor: str, note: str, now: datetime) -> None:
        def release(current: Approval) -> tuple[Approval, dict[str, object]] | None:
            back = released(current, actor, note)
            return (back, audit_entry(now, actor, "failed", note=note)) if back else None

        self._change(approval_id, release)

    def approval_refused(self, approval_id: str, actor: str, what: str, now: datetime) -> None:
        current = self.approval(approval_id)
        if current is not None:
            entry = audit_entry(now, actor, "refused", note=what)
            self._call("put_item", Item=_audit_item(current, entry, self.retention.audit))

    def approval_audit(self, approval_id: str) -> list[dict[str, object]]:
        return [
            {"at": int(item["at"]["N"]) / 1e6, **{name: text(item, name) for name in _AUDIT}}
            for item in self._partition(f"approval-audit#{approval_id}")
        ]

    def _change(self, approval_id: str, change: Change) -> tuple[bool, Approval | None]:
        """Apply `change` to the record as stored, on the condition that nobody changed it
        in between; judged again after a lost race."""
        for attempt in range(20):
            found = self._get(key(_PARTITION, approval_id))
            if found is None:
                return False, None
            current = decode_approval(required(found, "record"))
            judged = change(current)
            if judged is None:
                return False, current
            new, entry = judged
            version = integer(found, "version")
            try:
                self._transact(
                    [
                        {
                            "Put": {
                                "TableName": self.table,
                                "Item": _record(new, version + 1),
                                "ConditionExpression": "version = :v",
                                "ExpressionAttributeValues": {":v": n(version)},
                            }
                        },
                        put(self.table, _audit_item(new, entry, self.retention.audit)),
                    ]
                )
            except Cancelled as cancelled:
                retry_or_raise(cancelled, attempt, self.table, conditions=True)
                continue
            return True, new
        raise StoreError(f"approval {approval_id}: too many concurrent changes")


def _record(approval: Approval, version: int) -> Item:
    return {
        **key(_PARTITION, approval.id),
        "record": s(encode_approval(approval)),
        "state": s(approval.state.value),
        "version": n(version),
        "expires_at": n(approval.expires_at),
    }


def _audit_item(approval: Approval, entry: dict[str, object], kept: timedelta) -> Item:
    at = float(entry["at"])  # type: ignore[arg-type]
    item: Item = {
        **key(f"approval-audit#{approval.id}", f"{micros(at):020d}#{uuid.uuid4().hex}"),
        "at": n(micros(at)),
        "expires_at": n(audit_expires_at(approval, entry, kept)),
    }
    for name in _AUDIT:
        value = entry.get(name)
        if value is not None:
            item[name] = s(str(value))
    return item
