"""A route's mention end to end (issue 14, item 6): the wired App posts to the fake Slack
Web API; an endpoint fails (the incident opens: the route's people are called), updates
(nobody is called), stays unacknowledged (the reminder calls them again) and recovers
(nobody is called). With `mention_on: all`, every alert of the route calls them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import FakeClock
from bot.core.incident import State
from tests.fakes.slack_api import FakeSlack, Message
from tests.scenarios.conftest import sample
from tests.scenarios.test_incidents_support import Harness, blocks_of, started_app

HERE = "<!here>"


def endpoint(status: str, minute: int, event_id: str) -> dict[str, Any]:
    return sample(
        "sagemaker-endpoint-state-change-in-service",
        {
            "id": event_id,
            "time": f"2020-03-10T09:{minute:02d}:00Z",
            "detail.EndpointStatus": status,
        },
    )


def calls_people(message: Message) -> bool:
    return HERE in (message.text or "") or HERE in json.dumps(blocks_of(message))


@pytest.fixture(params=["incidents", "all"])
def h(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    fake_slack: FakeSlack,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Harness]:
    route = {"match": {"kind": "endpoint"}, "mention": "@here", "mention_on": request.param}
    config = {"incidents": {"renotify_after": "10m", "max_renotify": 1}, "routes": [route]}
    with started_app(tmp_path, fake_slack, clock, monkeypatch, config) as harness:
        yield harness


def test_a_route_mention_calls_people_to_its_incidents_and_reminders(h: Harness) -> None:
    every_alert = h.app.config.routes[0].mention_on == "all"
    (failed,) = h.events(endpoint("FAILED", 0, "ep-failed"))
    assert h.submit(endpoint("FAILED", 0, "ep-failed")) == 1
    h.deliver()
    first = h.root_message(failed.key)
    assert (first.text or "").startswith(f"{HERE} :red_circle: Endpoint Failed: MyEndpoint")
    assert h.incident(1).state == State.OPEN

    h.clock.advance(60)
    assert h.submit(endpoint("UPDATING", 5, "ep-updating")) == 1
    h.deliver()
    assert calls_people(h.root_message(failed.key)) is every_alert
    assert h.incident(1).state == State.OPEN

    h.clock.advance(600)
    assert h.app.incidents.tick() == 1
    h.deliver()
    (reminder,) = [m for m in h.thread(failed.key) if ":rotating_light:" in (m.text or "")]
    assert (reminder.text or "").startswith(f"{HERE} :rotating_light: Still unacknowledged")

    h.clock.advance(60)
    assert h.submit(endpoint("IN_SERVICE", 20, "ep-recovered")) == 1
    h.deliver()
    assert h.incident(1).state == State.RESOLVED
    assert calls_people(h.root_message(failed.key)) is every_alert
    replies = [m for m in h.thread(failed.key) if ":rotating_light:" not in (m.text or "")]
    assert not any(calls_people(reply) for reply in replies)
