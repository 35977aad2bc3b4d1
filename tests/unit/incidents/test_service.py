"""IncidentService: who may act on what, what the thread hears, what the clock brings."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.decision import Decision
from bot.core.incident import Action, Source, State
from bot.incidents.service import IncidentService
from bot.intake.routing import route
from bot.store.records import Notice
from bot.store.sqlite.store import SqliteStore
from tests.goldens import readable
from tests.unit.incidents.conftest import accept, event

CHANNEL, TS = "C0MLPULSE", "1795575600.000100"


def make_service(store: SqliteStore, clock: FakeClock, **incidents: object) -> IncidentService:
    return IncidentService(store, Config.model_validate({"incidents": incidents}), clock)


def notices(store: SqliteStore) -> list[tuple[str, Notice]]:
    rows = store._db.execute(
        "SELECT key, notice FROM outbox WHERE notice IS NOT NULL ORDER BY id"
    ).fetchall()
    return [(key, Notice.decode(text)) for key, text in rows]


@pytest.fixture
def service(store: SqliteStore, clock: FakeClock) -> IncidentService:
    return make_service(store, clock)


@pytest.fixture
def incident_id(service: IncidentService, store: SqliteStore, clock: FakeClock) -> int:
    """One open incident whose root message is CHANNEL/TS."""
    failed = event(clock=clock, name="churn-<b>&-1")
    accept(store, service.config, clock, failed)
    store.set_root(failed.key, CHANNEL, TS, failed, route(failed, service.config))
    (incident,) = store.unresolved_incidents()
    return incident.id


@pytest.mark.parametrize("number", [0, -1, 404, 2**63, 10**30])
def test_an_incident_that_does_not_exist(service: IncidentService, number: int) -> None:
    result = service.act(number, Action.ACK, "U1", Source.COMMAND)
    assert (result.ok, result.incident) == (False, None)
    assert result.explanation == f"There is no incident #{number}."


@pytest.mark.parametrize(
    ("channel", "ts"),
    [
        ("C0OTHER", TS),
        (CHANNEL, "1795575600.000200"),
        (CHANNEL, None),  # a click always comes from a message
        ("", TS),
        ("", None),
    ],
)
def test_a_click_must_come_from_the_incidents_own_message(
    service: IncidentService, store: SqliteStore, incident_id: int, channel: str, ts: str | None
) -> None:
    before = store.incident(incident_id)
    result = service.act(
        incident_id, Action.RESOLVE, "U1", Source.BUTTON, channel_id=channel, message_ts=ts
    )
    assert not result.ok
    assert result.explanation == f"That button does not belong to incident #{incident_id}."
    assert store.incident(incident_id) == before
    assert notices(store) == []


def test_a_click_on_the_right_message(
    service: IncidentService, store: SqliteStore, incident_id: int
) -> None:
    result = service.act(
        incident_id, Action.ACK, "U1", Source.BUTTON, channel_id=CHANNEL, message_ts=TS
    )
    assert result.ok and result.incident is not None
    assert result.incident.state == State.ACKNOWLEDGED
    (key, notice) = notices(store)[0]
    assert key == result.incident.key
    assert notice == Notice(text=":eyes: Acknowledged by <@U1>.", refresh=True)


def test_no_click_before_the_root_message_exists(
    service: IncidentService, store: SqliteStore, clock: FakeClock
) -> None:
    accept(store, service.config, clock, event(clock=clock, name="fresh"))
    (incident,) = store.unresolved_incidents()
    clicked = service.act(
        incident.id, Action.ACK, "U1", Source.BUTTON, channel_id=CHANNEL, message_ts=TS
    )
    assert not clicked.ok
    assert service.act(incident.id, Action.ACK, "U1", Source.COMMAND).ok  # a command may


def test_the_thread_lines_say_who_did_what(
    service: IncidentService, store: SqliteStore, clock: FakeClock, incident_id: int
) -> None:
    clock.advance(60)
    assert service.act(
        incident_id, Action.SNOOZE, "U1", Source.COMMAND, snooze=timedelta(minutes=90)
    ).ok
    assert service.act(incident_id, Action.RESOLVE, "U2><!channel", Source.COMMAND).ok
    texts = [readable(notice.text) for _, notice in notices(store)]
    assert texts == [
        ":zzz: Snoozed by <@U1> until 04:31 UTC (90m).",
        ":white_check_mark: Resolved by <@U2&gt;&lt;!channel>.",
    ]


def test_a_reminder_mentions_as_the_route_says_and_escapes_the_title(
    store: SqliteStore, clock: FakeClock
) -> None:
    config = Config.model_validate(
        {
            "routes": [{"match": {"kind": "training_job"}, "mention": "@channel"}],
            "incidents": {"renotify_after": "10m", "max_renotify": 2},
        }
    )
    service = IncidentService(store, config, clock)
    failed = event(clock=clock, name="churn-<!here>-1")
    accept(store, config, clock, failed)
    store.set_root(failed.key, CHANNEL, TS, failed, route(failed, config))
    clock.advance(600)
    assert service.tick() == 1
    ((key, notice),) = notices(store)
    assert key == failed.key
    assert notice.text == (
        "<!channel> :rotating_light: Still unacknowledged (reminder 1 of 2):"
        " incident #1, churn-&lt;!here&gt;-1."
    )
    assert notice.broadcast and not notice.refresh
    assert store.incident(1).next_renotify_at == clock.now() + timedelta(minutes=10)  # type: ignore[union-attr]


def test_a_reminder_without_a_root_message_yet(store: SqliteStore, clock: FakeClock) -> None:
    service = make_service(store, clock, renotify_after="10m", max_renotify=1)
    accept(store, service.config, clock, event(clock=clock))
    clock.advance(600)
    assert service.tick() == 1
    ((_, notice),) = notices(store)
    assert notice.text.startswith(":rotating_light: Still unacknowledged (reminder 1 of 1)")
    assert store.incident(1).next_renotify_at is None  # type: ignore[union-attr]


def test_silences_are_announced_when_set_and_when_they_end(
    service: IncidentService, store: SqliteStore, clock: FakeClock
) -> None:
    made = service.silence("churn-*", timedelta(hours=2), "UADMIN", "C0ALERTS")
    service.silence("<!channel>", timedelta(minutes=10), "UADMIN", "C0ALERTS")
    assert made.expires_at == clock.now() + timedelta(hours=2)
    started = [(key, replace(n, text=readable(n.text))) for key, n in notices(store)]
    assert started[0] == (
        f"silence:{made.id}",
        Notice(
            text=":no_bell: <@UADMIN> silenced `churn-*` for 2h (until 2026-11-25 05:00 UTC).",
            channel="C0ALERTS",
        ),
    )
    assert "&lt;!channel&gt;" in started[1][1].text and "<!channel>" not in started[1][1].text
    audit = store._db.execute(
        "SELECT actor, action, note FROM audit WHERE action = 'silence' ORDER BY id"
    ).fetchall()
    assert audit[0] == ("UADMIN", "silence", "churn-* until 2026-11-25 05:00 UTC")

    accept_held(store, service, clock, made.id)
    clock.advance(600)
    assert service.tick() == 1  # the short one ends, unheld
    clock.advance(2 * 3600)
    assert service.tick() == 1
    assert service.tick() == 0
    ended = [n.text for _, n in notices(store)[2:]]
    assert ended == [
        ":bell: Silence on `&lt;!channel&gt;` ended.",
        ":bell: Silence on `churn-*` ended; 1 alert(s) were held.",
    ]


def accept_held(
    store: SqliteStore, service: IncidentService, clock: FakeClock, silence: int
) -> None:
    held = event(clock=clock, name="churn-xgb-9")
    decision: Decision = route(held, service.config)
    assert store.accept([(held, decision)], clock.now(), [None], [silence]) == [True]


def test_count_open(service: IncidentService, store: SqliteStore, clock: FakeClock) -> None:
    assert service.count_open() == 0
    accept(store, service.config, clock, event(clock=clock, name="a"), event(clock=clock, name="b"))
    assert service.count_open() == 2
    assert service.act(1, Action.RESOLVE, "U1", Source.COMMAND).ok
    assert service.act(2, Action.ACK, "U1", Source.COMMAND).ok
    assert service.count_open() == 1


def test_notices_survive_json(store: SqliteStore) -> None:
    notice = Notice(text="a `b` <@U1>", channel="C1", broadcast=True, refresh=True)
    assert Notice.decode(notice.encode()) == notice
    assert json.loads(notice.encode())["broadcast"] is True
