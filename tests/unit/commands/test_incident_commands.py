"""`/mlpulse incidents | ack | resolve | snooze | silence | silences`, and the parsing every
subcommand shares: handled in process against a real store, no Slack, no AWS."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.errors import InputError
from bot.core.events import Event, Kind, Outcome
from bot.core.incident import Action, Source, State
from bot.incidents.policy import incident_change
from bot.incidents.service import IncidentService
from bot.intake.routing import route
from bot.store.sqlite.store import SqliteStore
from commands import REGISTRY, ack, incidents, resolve, silence, silences, snooze
from commands.base import Args, Context
from commands.incident_args import duration, incident_id
from commands.parse import MAX_TEXT, parse
from commands.runner import execute, prepare
from tests.goldens import readable

CONFIG = Config.model_validate({"permissions": {"admins": ["UADMIN"]}})


def make_ctx(store: SqliteStore, clock: FakeClock, user: str = "U1", **extra: object) -> Context:
    return Context(
        user_id=user,
        channel_id="C0MLPULSE",
        config=CONFIG,
        store=store,
        clock=clock,
        incidents=IncidentService(store, CONFIG, clock),
        **extra,  # type: ignore[arg-type]
    )


def open_incident(store: SqliteStore, clock: FakeClock, name: str = "churn-xgb-1") -> int:
    failed = Event(
        id=f"evt-{name}",
        kind=Kind.TRAINING_JOB,
        key=f"training_job:1:us-east-1:{name}",
        name=name,
        title="Training job",
        status="Failed",
        outcome=Outcome.FAILED,
        time=clock.now(),
    )
    decision = route(failed, CONFIG)
    change = incident_change(failed, decision, CONFIG, clock.now())
    assert store.accept([(failed, decision)], clock.now(), [change]) == [True]
    return store.unresolved_incidents()[-1].id


def words(*items: str) -> Args:
    return Args(words=items)


# --- parse


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("", "help", Args(words=())),
        ("   \t\n ", "help", Args(words=())),
        ("ACK 12", "ack", Args(words=("12",))),
        ("  snooze   12\t2h  ", "snooze", Args(words=("12", "2h"))),
        ("incidents --public", "incidents", Args(words=(), public=True)),
        ("incidents --PUBLIC", "incidents", Args(words=(), public=True)),
        (
            "jobs --status Failed --since 24h",
            "jobs",
            Args((), options={"status": "Failed", "since": "24h"}),
        ),
        ('silence "churn *" 2h', "silence", Args(words=('"churn', '*"', "2h"))),
        ("ack 1;rm -rf /", "ack", Args(words=("1;rm", "-rf", "/"))),
        ("ack $(id)", "ack", Args(words=("$(id)",))),
        ("ack ١٢", "ack", Args(words=("١٢",))),
    ],
)
def test_parse(text: str, name: str, args: Args) -> None:
    assert parse(text) == (name, args)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("x" * (MAX_TEXT + 1), "characters long"),
        ("ack " * 4000, "characters long"),
        ("jobs --status", "`--status` needs a value"),
        ("ack 1 --force", "unknown option `--force`"),
        ("ack 1 --" + "x" * 100, "unknown option"),
        ("ack -- 1", "unknown option `--`"),
    ],
)
def test_parse_refuses(text: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        parse(text)


def test_parse_takes_exactly_the_longest_command() -> None:
    text = "silence " + "a" * (MAX_TEXT - len("silence  2h")) + " 2h"
    assert len(text) == MAX_TEXT
    assert parse(text)[0] == "silence"


# --- shared arguments


@pytest.mark.parametrize(
    ("given", "expected"),
    [(("12",), 12), (("#12",), 12), (("007",), 7), (("12", "extra"), 12)],
)
def test_incident_id(given: tuple[str, ...], expected: int) -> None:
    assert incident_id(words(*given), "usage") == expected


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ((), "which incident?"),
        (("twelve",), "is not an incident number"),
        (("-1",), "is not an incident number"),
        (("1.5",), "is not an incident number"),
        (("²",), "is not an incident number"),
        (("١٢",), "is not an incident number"),
        (("##1",), "is not an incident number"),
        (("x" * 500,), "is not an incident number"),
    ],
)
def test_incident_id_refuses(given: tuple[str, ...], problem: str) -> None:
    with pytest.raises(InputError, match=problem) as error:
        incident_id(words(*given), "/mlpulse ack ID")
    assert len(str(error.value)) < 200


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("1m", timedelta(minutes=1)),
        ("90s", timedelta(seconds=90)),
        ("2h", timedelta(hours=2)),
        ("1.5h", timedelta(minutes=90)),
        ("30d", timedelta(days=30)),
        ("4w", timedelta(weeks=4)),
        (" 2 h ", timedelta(hours=2)),
    ],
)
def test_duration(word: str, expected: timedelta) -> None:
    assert duration(word, "usage") == expected


@pytest.mark.parametrize(
    ("word", "problem"),
    [
        (None, "for how long?"),
        ("59s", "between 1m and 30d"),
        ("0m", "between 1m and 30d"),
        ("31d", "between 1m and 30d"),
        ("5w", "between 1m and 30d"),
        ("99999999999999999999999d", "between 1m and 30d"),
        ("1e9d", "not a duration"),
        ("-5m", "not a duration"),
        ("soon", "not a duration"),
        ("x" * 300, "not a duration"),
    ],
)
def test_duration_refuses(word: str | None, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        duration(word, "/mlpulse snooze ID DURATION")


# --- the subcommands


def test_incidents_lists_the_unresolved_newest_first(store: SqliteStore, clock: FakeClock) -> None:
    ctx = make_ctx(store, clock)
    assert incidents.handle(ctx, words()).text == ":white_check_mark: No open incidents."
    for n in range(1, 24):
        open_incident(store, clock, f"job-<{n}>")
    assert store.transition(1, Action.RESOLVE, "U1", Source.COMMAND, clock.now()).ok
    lines = readable(incidents.handle(ctx, words()).text).splitlines()
    assert lines[0] == "*22 incident(s) not resolved:*"
    assert lines[1].startswith(":rotating_light: *Incident #23* · open since 03:00 UTC")
    assert lines[1].endswith("— job-&lt;23&gt;")
    assert len(lines) == 1 + 20 + 2
    assert lines[-2] == "…and 2 more."
    assert "Incident #1*" not in "\n".join(lines)
    assert incidents.handle(ctx, Args((), public=True)).public


def test_incidents_clips_long_titles(store: SqliteStore, clock: FakeClock) -> None:
    open_incident(store, clock, "n" * 500)
    text = incidents.handle(make_ctx(store, clock), words()).text
    assert max(len(line) for line in text.splitlines()) < 300


def test_ack_resolve_snooze(store: SqliteStore, clock: FakeClock) -> None:
    number = open_incident(store, clock)
    assert ack.handle(make_ctx(store, clock, "U1"), words(str(number))).text == (
        f"You acknowledged incident #{number}."
    )
    assert readable(ack.handle(make_ctx(store, clock, "U2"), words(str(number))).text) == (
        f"Incident #{number} was already acknowledged by <@U1> at 03:00 UTC."
    )
    clock.advance(60)
    assert snooze.handle(make_ctx(store, clock, "U2"), words(f"#{number}", "90m")).text == (
        f"You snoozed incident #{number} for 90m."
    )
    snoozed = store.incident(number)
    assert snoozed is not None and snoozed.state == State.SNOOZED
    assert snoozed.snoozed_until == clock.now() + timedelta(minutes=90)
    assert resolve.handle(make_ctx(store, clock, "U3"), words(str(number))).text == (
        f"You resolved incident #{number}."
    )
    for module, args in ((ack, words("1")), (resolve, words("1")), (snooze, words("1", "1h"))):
        answer = readable(module.handle(make_ctx(store, clock, "U4"), args).text)
        assert answer == "Incident #1 is already resolved by <@U3> at 03:01 UTC; nothing to do."
    assert [(a["actor"], a["source"], a["action"]) for a in store.audit(number)] == [
        ("mlpulse", "auto", "open"),
        ("U1", "command", "ack"),
        ("U2", "command", "snooze"),
        ("U3", "command", "resolve"),
    ]


def test_without_the_incident_service_a_command_says_so(
    store: SqliteStore, clock: FakeClock
) -> None:
    ctx = make_ctx(store, clock)
    ctx.incidents = None
    with pytest.raises(InputError, match="incidents are not available"):
        ack.handle(ctx, words("1"))


def test_silence_and_silences(store: SqliteStore, clock: FakeClock) -> None:
    ctx = make_ctx(store, clock, "UADMIN")
    assert silences.handle(ctx, words()).text == "No silences in force."
    answer = silence.handle(ctx, words("churn-<b>*", "2h"))
    assert readable(answer.text) == (
        "Silenced `churn-&lt;b&gt;*` until 2026-11-25 05:00 UTC."
        " Matching alerts are stored and counted, not posted."
    )
    silence.handle(ctx, words("x" * 500, "1h"))
    (first, second) = store.active_silences(clock.now())
    assert first.pattern == "churn-<b>*" and len(second.pattern) == 200
    listing = readable(silences.handle(ctx, words()).text).splitlines()
    assert listing[0] == "*2 silence(s) in force:*"
    assert listing[1] == (
        "• `churn-&lt;b&gt;*` until 2026-11-25 05:00 UTC, set by <@UADMIN>, 0 alert(s) held"
    )
    for bad in (words(), words("churn-*"), words("churn-*", "forever"), words("churn-*", "40d")):
        with pytest.raises(InputError):
            silence.handle(ctx, bad)
    clock.advance(3600)
    assert len(silences.handle(ctx, words()).text.splitlines()) == 2


@pytest.mark.parametrize(("user", "allowed"), [("UADMIN", True), ("U1", False)])
def test_silence_goes_through_the_permission_check(
    store: SqliteStore, clock: FakeClock, user: str, allowed: bool
) -> None:
    ctx = make_ctx(store, clock, user)
    reply = execute(prepare("silence churn-* 2h", ctx), ctx)
    assert reply.text.startswith("Silenced") is allowed
    assert len(store.active_silences(clock.now())) == int(allowed)
    refused = store._db.execute("SELECT actor FROM audit WHERE action = 'refused'").fetchall()
    assert refused == ([] if allowed else [("U1",)])


@pytest.mark.parametrize(
    "text", ["", "nope", "ack", "ack x", "snooze 1", "x" * 5000, "silences --bogus"]
)
def test_malformed_lines_get_help_not_an_error(
    store: SqliteStore, clock: FakeClock, text: str
) -> None:
    ctx = make_ctx(store, clock)
    reply = execute(prepare(text, ctx), ctx)
    assert "went wrong" not in reply.text
    assert "/mlpulse help" in reply.text or "*mlpulse* answers" in reply.text
    assert not reply.public


def test_every_incident_subcommand_is_registered_with_a_help_line() -> None:
    from commands import example, help_line

    for name in ("incidents", "ack", "resolve", "snooze", "silence", "silences"):
        module = REGISTRY[name]
        assert help_line(module).startswith(name)
        assert example(module).startswith(f"/mlpulse {name}")
        assert module.SLOW is False  # answered in the acknowledgement
