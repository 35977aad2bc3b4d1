"""bot.ingress.slack.interactions: the Bolt app as Socket Mode drives it (the same app as
over HTTP, where tests/scenarios drive it), and what it does not ask Slack on the way."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk import WebClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.incidents.service import IncidentService
from bot.ingress.slack.interactions import SlackApp
from bot.ingress.slack.replies import BUSY
from bot.store.sqlite.store import SqliteStore
from commands.base import Context
from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack

CONFIG = Config()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as started:
        yield started


def slack_app(fake: FakeSlack, store: SqliteStore, clock: FakeClock, **sizes: int) -> SlackApp:
    def context_for(user_id: str, channel_id: str) -> Context:
        return Context(user_id, channel_id, CONFIG, store, clock)

    client = WebClient(token=DEFAULT_TOKEN, base_url=fake.url)
    return SlackApp(client, context_for, IncidentService(store, CONFIG, clock), **sizes)


def socket_command(fake: FakeSlack, text: str, token: str) -> SocketModeRequest:
    payload = {
        "command": "/mlpulse",
        "text": text,
        "user_id": "U1",
        "channel_id": "C1",
        "team_id": "T1",
        "trigger_id": f"t.{token}",
        "response_url": fake.response_url(token),
    }
    return SocketModeRequest(type="slash_commands", envelope_id=token, payload=payload)


def test_socket_mode_gets_the_same_acknowledgement_and_answer(
    fake: FakeSlack, store: SqliteStore, clock: FakeClock
) -> None:
    app = slack_app(fake, store, clock)
    malformed = run_bolt_app(app.bolt, socket_command(fake, "frobnicate", "bad"))
    assert malformed.status == 200 and "is not an mlpulse subcommand" in malformed.body

    queued = run_bolt_app(app.bolt, socket_command(fake, "incidents", "listing"))
    assert (queued.status, queued.body) == (200, "")
    app.shutdown()  # lets the queued listing answer
    (answer,) = fake.responses("listing")
    assert answer["text"] == ":white_check_mark: No open incidents."
    assert fake.responses("bad") == []


def test_no_request_asks_slack_who_the_bot_is(
    fake: FakeSlack, store: SqliteStore, clock: FakeClock
) -> None:
    """Bolt's default asks `auth.test` on the first request, on the request's thread."""
    app = slack_app(fake, store, clock)
    for n in range(3):
        assert run_bolt_app(app.bolt, socket_command(fake, "help", f"h{n}")).status == 200
    app.shutdown()
    assert len(fake.responses()) == 3
    assert fake.calls("auth.test") == []


def test_after_shutdown_a_command_is_told_busy(
    fake: FakeSlack, store: SqliteStore, clock: FakeClock
) -> None:
    app = slack_app(fake, store, clock, workers=1, waiting=1)
    app.shutdown(0)  # closed: nothing more is taken
    turned_away = run_bolt_app(app.bolt, socket_command(fake, "incidents", "late"))
    assert turned_away.status == 200 and BUSY in turned_away.body
