"""One demo session: the real pipeline, store, delivery and incidents, a console for Slack,
and a prompt that takes what a person would do in Slack: `/mlpulse ...` and clicks."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.durations import parse_duration
from bot.core.incident import Action, Source
from bot.core.timeparse import parse_time
from bot.delivery.worker import Deliverer
from bot.demo.moments import START
from bot.incidents.service import IncidentService
from bot.ingress.ingest import events_from
from bot.intake.accept import Pipeline
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store.sqlite.store import SqliteStore
from commands.base import Context
from commands.permissions import is_admin
from commands.runner import execute, prepare
from notifiers.base import Notifier
from notifiers.console import ConsoleNotifier, plain

CHANNEL = "#ml-alerts"
_CLICK = re.compile(r"^(ack|resolve|snooze)\s+#?(\d+)(?:\s+(\S+))?$")
_ACTIONS = {"ack": Action.ACK, "resolve": Action.RESOLVE, "snooze": Action.SNOOZE}
PROMPT_HELP = (
    "Type what you would do in Slack: a slash command (`/mlpulse help`, `/mlpulse incidents`,"
    " `/mlpulse job NAME` ...) or a click on an incident's button (`ack 3`, `resolve 3`,"
    " `snooze 3 1h`). `as bob` switches user, `wait 1h` lets time pass; `quit` ends."
)


class DemoSession:
    def __init__(
        self,
        folder: Path,
        out: TextIO,
        config: Config,
        aws: Any = None,
        charts: Path | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        self.out, self.config, self.aws = out, config, aws
        self.charts = charts or Path("demo-output")
        self.store = SqliteStore(str(folder / "demo.db"))
        # The demo keeps the script's own time, so incident times read like the alerts'.
        self.clock, self.metrics = FakeClock(START), Metrics()
        # A real Slack (`mlpulse demo --slack`) is paced in real time; the console is not.
        self.drawing = ConsoleNotifier(out)  # command answers are drawn here either way
        self.notifier: Notifier = notifier or self.drawing
        self.deliverer = Deliverer(
            self.store, self.notifier, self.clock, config, self.metrics, Health()
        )
        self.pipeline = Pipeline(config, self.store, self.clock, self.metrics)
        self.incidents = IncidentService(self.store, config, self.clock)
        self.user = "U0ALICE"
        self.accepted = self.duplicates = 0

    def play(self, events: list[dict[str, Any]]) -> None:
        for raw in events:
            self.catch_up(parse_time(raw.get("time")))
            submitted = self.pipeline.submit(events_from(raw, self.clock.now()))
            self.accepted += submitted.accepted
            self.duplicates += submitted.duplicates
            self.deliver()

    def catch_up(self, moment: datetime | None, lag: float = 20.0) -> None:
        """Move the demo's clock to just after `moment` (events arrive seconds late)."""
        if moment is not None:
            ahead = (moment - self.clock.now()).total_seconds() + lag
            if ahead > 0:
                self.clock.advance(ahead)

    def deliver(self) -> None:
        """Deliver everything queued, letting the demo's clock run on while Slack's pace
        asks to wait (and real time too, when the Slack is real)."""
        for _ in range(10_000):
            result = self.deliverer.run_once()
            if not self.store.pending_count() and not self.store.dirty_digests():
                return
            wait = result.next_wait if result.next_wait is not None else 1.0
            self.clock.advance(wait)
            if self.notifier.min_interval > 0:
                time.sleep(wait)

    def handle(self, line: str) -> bool:
        """One line at the prompt; False when the person is done."""
        line = line.strip()
        if not line:
            return True
        if line in ("quit", "exit"):
            return False
        self.clock.advance(60)  # a minute between things people do
        self.say(f"\n{_name(self.user)} [{self.clock.now():%H:%M}]> {line}")
        if line.startswith("/mlpulse"):
            self.command(line.removeprefix("/mlpulse").strip())
        elif line.startswith("as "):
            self.user = "U0" + line[3:].strip().upper()[:10]
            self.say(f"  (you are now {_name(self.user)})")
        elif line.startswith("wait "):
            self.wait(line[5:].strip())
        elif match := _CLICK.match(line):
            self.click(match.group(1), int(match.group(2)), match.group(3))
        else:
            self.say("  " + PROMPT_HELP)
        return True

    def command(self, text: str) -> None:
        ctx = Context(
            user_id=self.user,
            channel_id=CHANNEL,
            config=self.config,
            store=self.store,
            clock=self.clock,
            aws=self.aws,
            incidents=self.incidents,
            is_admin=is_admin(self.config, self.user),
        )
        reply = execute(prepare(text, ctx), ctx)
        who = "everyone in the channel" if reply.public else "only you"
        self.say(f"  ┆ ({who} can see this)")
        if reply.blocks:  # what Slack shows; the text is only its notification
            self.say(self.drawing.draw({"blocks": reply.blocks}, indent="  ┆"))
        else:
            for line in plain(reply.text).splitlines():
                self.say(f"  ┆ {line}")
        for chart in reply.charts:
            self.charts.mkdir(parents=True, exist_ok=True)
            path = self.charts / chart.filename
            path.write_bytes(chart.png)
            self.say(f"  ┆ [chart] {chart.title}: saved to {path}")
        self.deliver()

    def wait(self, length: str) -> None:
        """Let time pass: reminders, snooze ends and silence ends fall due and go out."""
        try:
            self.clock.advance(parse_duration(length).total_seconds())
        except ValueError:
            self.say("  ┆ wait wants a duration like 30m or 2h")
            return
        self.incidents.tick()
        self.deliver()

    def click(self, verb: str, number: int, length: str | None) -> None:
        snooze: timedelta | None = None
        if verb == "snooze":
            try:
                snooze = parse_duration(length or "1h")
            except ValueError:
                self.say("  ┆ snooze wants a duration like 30m or 2h")
                return
        result = self.incidents.act(number, _ACTIONS[verb], self.user, Source.BUTTON, snooze=snooze)
        if not result.ok:
            self.say(f"  ┆ (only you can see this) {plain(result.explanation)}")
        self.deliver()

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def close(self) -> None:
        self.store.close()


def _name(user: str) -> str:
    return "@" + user.removeprefix("U0").lower()
