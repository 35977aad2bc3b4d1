"""The Store contract: a refusal is audited with the way it was tried (a slash command, a
button or menu), on SQLite and DynamoDB (conftest.py)."""

from __future__ import annotations

from bot.core.incident import Source
from bot.store import Store
from tests.unit.store.conftest import T0, later
from tests.unit.store.test_contract_incidents import general_audit


def test_a_refusal_keeps_the_way_it_was_tried(store: Store) -> None:
    store.record_refusal("U2", "/mlpulse ack", T0)
    store.record_refusal("U3", "resolve incident #1", later(1), source=Source.BUTTON)

    assert general_audit(store) == [
        (T0.timestamp(), "U2", "command", "refused", "/mlpulse ack"),
        (later(1).timestamp(), "U3", "button", "refused", "resolve incident #1"),
    ]
