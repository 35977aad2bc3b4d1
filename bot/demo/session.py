"""One demo session: the real App (bot.app) on the demo's platform and clock, a console for
Slack, and a prompt that takes what a person would do in Slack: `/mlpulse ...` and clicks,
which go through the same code as the Slack app's (App.command_context, commands.runner,
IncidentService.act)."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from bot.app import App
from bot.aws.clients import AwsClients
from bot.config.models import Config
from bot.config.settings import Settings
from bot.core.approvals import Verdict
from bot.core.clock import FakeClock
from bot.core.durations import parse_duration
from bot.core.incident import Action, Source
from bot.core.timeparse import parse_time
from bot.demo.aws import DemoAws
from bot.demo.moments import START
from bot.ingress.ingest import events_from
from bot.store.sqlite.store import SqliteStore
from commands.base import Reply
from commands.permissions import refused
from commands.runner import execute, prepare
from notifiers.approval_wording import COMMENT_NEEDED
from notifiers.base import Notifier
from notifiers.console import ConsoleNotifier, plain

CHANNEL = "#ml-alerts"
_CLICK = re.compile(r"^(ack|resolve|snooze)\s+#?(\d+)(?:\s+(\S+))?$")
_ACTIONS = {"ack": Action.ACK, "resolve": Action.RESOLVE, "snooze": Action.SNOOZE}
_DECIDE = re.compile(r"^(approve|reject)\s+#?(\d+)(?:\s+(.*))?$")
_VERDICTS = {"approve": Verdict.APPROVE, "reject": Verdict.REJECT}
PROMPT_HELP = (
    "Type what you would do in Slack: a slash command (`/mlpulse help`, `/mlpulse incidents`,"
    " `/mlpulse job NAME` ...) or a click on an incident's button (`ack 3`, `resolve 3`,"
    " `snooze 3 1h`), or a decision on an approval, by its number in `/mlpulse approvals`"
    " (`approve 1 looks good`, `reject 1 why`). `as bob` switches user, `wait 1h` lets time"
    " pass; `quit` ends."
)
# The demo reads nothing from the environment: its Slack is the console (or the notifier
# `--slack` made), its store and AWS are its own, and no Slack request comes in.
SETTINGS = Settings.model_construct()


def demo_app(
    folder: Path, config: Config, aws: AwsClients, notifier: Notifier, clock: FakeClock
) -> App:
    """The App `mlpulse run` builds, without SQS or Slack ingress, on the demo's platform
    and a store in `folder`."""
    return App(
        SETTINGS,
        config,
        store=SqliteStore(str(folder / "demo.db")),
        notifier=notifier,
        clock=clock,
        sqs_clients={},
        aws=aws,
        # other accounts and regions on the same embedded AWS
        make_clients=aws.elsewhere if isinstance(aws, DemoAws) else None,
    )


class DemoSession:
    def __init__(
        self,
        folder: Path,
        out: TextIO,
        config: Config,
        aws: AwsClients,
        charts: Path | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        self.out = out
        self.charts = charts or Path("demo-output")
        # A real Slack (`mlpulse demo --slack`) is paced in real time; the console is not.
        self.drawing = ConsoleNotifier(out)  # command answers are drawn here either way
        # The demo keeps the script's own time, so incident times read like the alerts'.
        self.clock = FakeClock(START)
        self.app = demo_app(folder, config, aws, notifier or self.drawing, self.clock)
        self.user = "U0ALICE"
        self.accepted = self.duplicates = 0

    def play(self, events: list[dict[str, Any]]) -> None:
        for raw in events:
            self.catch_up(parse_time(raw.get("time")))
            submitted = self.app.pipeline.submit(events_from(raw, self.clock.now()))
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
        store = self.app.store
        for _ in range(10_000):
            result = self.app.deliverer.run_once()
            if not store.pending_count() and not store.dirty_digests():
                return
            wait = result.next_wait if result.next_wait is not None else 1.0
            self.clock.advance(wait)
            if self.app.notifier.min_interval > 0:
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
        elif match := _DECIDE.match(line):
            self.decide(_VERDICTS[match.group(1)], int(match.group(2)), match.group(3) or "")
        else:
            self.say("  " + PROMPT_HELP)
        return True

    def reply(self, text: str) -> Reply:
        """What `/mlpulse TEXT` answers the current user, as the Slack app runs it."""
        ctx = self.app.command_context(self.user, CHANNEL)
        return execute(prepare(text, ctx), ctx)

    def command(self, text: str) -> None:
        reply = self.reply(text)
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
        self.app.scheduler.tick()
        self.deliver()

    def click(self, verb: str, number: int, length: str | None) -> None:
        snooze: timedelta | None = None
        if verb == "snooze":
            try:
                snooze = parse_duration(length or "1h")
            except ValueError:
                self.say("  ┆ snooze wants a duration like 30m or 2h")
                return
        # The same check a click in Slack passes (bot.ingress.slack.buttons).
        ctx = self.app.command_context(self.user, CHANNEL)
        words = refused(ctx, verb, way=Source.BUTTON, what=f"{verb} incident #{number}")
        if words is not None:
            self.say(f"  ┆ (only you can see this) {plain(words)}")
            return
        result = self.app.incidents.act(
            number, _ACTIONS[verb], self.user, Source.BUTTON, snooze=snooze
        )
        if not result.ok:
            self.say(f"  ┆ (only you can see this) {plain(result.explanation)}")
        self.deliver()

    def decide(self, verdict: Verdict, number: int, comment: str) -> None:
        """Approve or Reject on an approval and its modal's submission, as in Slack
        (bot.ingress.slack.approvals): the same gate, claim and AWS call."""
        waiting = [a for a in self.app.approvals.pending() if not a.expired(self.clock.now())]
        if not 0 < number <= len(waiting):
            self.say(f"  ┆ (only you can see this) No approval #{number}: see /mlpulse approvals")
            return
        if verdict is Verdict.REJECT and not comment.strip():
            self.say(f"  ┆ (in the modal) {plain(COMMENT_NEEDED)}")
            return
        answer = self.app.approvals.decide(waiting[number - 1].id, self.user, verdict, comment)
        self.say(f"  ┆ (only you can see this) {plain(answer.text)}")
        self.deliver()

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def close(self) -> None:
        self.app.shutdown()


def _name(user: str) -> str:
    return "@" + user.removeprefix("U0").lower()
