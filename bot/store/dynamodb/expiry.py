"""When each DynamoDB item expires: `expires_at`, the table's TTL attribute (whole epoch
seconds; DynamoDB deletes an item some time after it, at no cost, and the deploy/ table
enables it). The lifetimes are the config's `retention` (bot.config.models.Retention),
the same the SQLite store prunes by (bot.store.sqlite.retention).

Items still needed carry none: a pending outbox item and its id pointer (deleted when it
is done), an unresolved incident and its series lock (deleted when it resolves), the id
counters. Those that do, and from when:

    seen#<id>                    its `at`                dedup
    outbox#<key> h# / x#         its `created`           outbox  (accept.py, outbox.py)
    root#<key>                   its state's time        roots   (roots.py)
    incident#<id> incident       its `updated_at`        incidents, once resolved
    incident#<id> audit#..       its `at`                audit
    audit <at>#..                its `at`                audit
    key#<key> incident#<id>      now                     audit   (outlives its incident)
    silences <id>                its `until`             silences
    digest#<id> / digests#<ch>   now                     roots   (its members' lifetime)

An incident's root on DynamoDB expires with its last state even while the incident is
unresolved (a TTL cannot look at another item): the next event or notice of the resource
then posts a new root. The SQLite store keeps such a root.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.config.models import Retention
from bot.store.dynamodb.codec import Item, expiry, number

# (does the rule apply to this pk / sk / item, the attribute it counts from (None: now),
# the lifetime it keeps the item for)
_Rule = tuple[Callable[[str, str, Item], bool], str | None, Callable[[Retention], timedelta]]
_RULES: list[_Rule] = [
    (lambda pk, sk, item: pk.startswith("seen#"), "at", lambda r: r.dedup),
    (lambda pk, sk, item: pk == "audit" or sk.startswith("audit#"), "at", lambda r: r.audit),
    (lambda pk, sk, item: pk.startswith("key#"), None, lambda r: r.audit),
    (
        lambda pk, sk, item: sk == "incident" and item.get("state") == {"S": "resolved"},
        "updated_at",
        lambda r: r.incidents,
    ),
    (lambda pk, sk, item: pk == "silences", "until", lambda r: r.silences),
    (lambda pk, sk, item: pk.startswith(("digest#", "digests#")), None, lambda r: r.roots),
]


def expiring(ops: list[Item], retention: Retention, now: float) -> list[Item]:
    """`ops` (transaction items) with `expires_at` on each item they put that has a
    lifetime; the others as they are."""
    for op in ops:
        item = op.get("Put", {}).get("Item")
        if item is None:
            continue
        pk, sk = item["pk"]["S"], item["sk"]["S"]
        for applies, since, lifetime in _RULES:
            if applies(pk, sk, item):
                start = number(item, since) if since is not None else None
                item["expires_at"] = expiry(
                    start if start is not None else now, lifetime(retention)
                )
                break
    return ops
