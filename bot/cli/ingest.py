"""`mlpulse ingest FILE...|-`: events through the whole pipeline, read and stored a batch at
a time, so memory stays flat however many there are (bot.ingress.stream reads the files a
piece at a time); then delivered for up to `--timeout` seconds.

What Slack's pace (about one post a second a channel) has not let out by then is queued,
not failed: it stays in the store and `mlpulse run` (or the next `ingest`) delivers it;
the command says how many and exits 0. It exits 1 only when Slack refused the alerts it
tried (a bad token, a channel it cannot post to), which `/readyz` would show as well.
A file that cannot be read or parsed exits 2; what was stored before the error is kept.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, nullcontext
from itertools import islice
from pathlib import Path
from typing import IO

from bot.config.loading import load_config
from bot.config.settings import Settings
from bot.core.clock import SystemClock
from bot.core.errors import InputError
from bot.core.events import Event
from bot.ingress.ingest import events_from
from bot.ingress.stream import documents, pieces_of

BATCH = 500  # events read, then stored in one transaction


def ingest(args: argparse.Namespace, settings: Settings) -> int:
    """`settings`: the environment as `ingest` reads it (bot.cli.main: not the HTTP ones)."""
    from bot.app import App
    from notifiers.console import ConsoleNotifier

    config = load_config(settings)
    notifier = ConsoleNotifier() if args.console else None
    with ExitStack() as files:
        streams = [(name, files.enter_context(_opened(name))) for name in args.files]
        app = App(settings, config, notifier=notifier, sqs_clients={})
        read = accepted = duplicates = 0
        try:
            for batch in _batches(_events(streams)):
                submitted = app.pipeline.submit(batch)
                read += len(batch)
                accepted += submitted.accepted
                duplicates += submitted.duplicates
            pending = app.deliverer.drain(args.timeout)
            slack_ok, detail = _slack_state(app.health.snapshot()[1])
        finally:
            app.store.close()
    print(
        f"{read} event(s): {accepted} accepted, {duplicates} already seen, "
        f"{pending} not yet delivered",
        file=sys.stderr,
    )
    if pending and not slack_ok:
        print(f"error: Slack: {detail}; {pending} alert(s) kept in the store", file=sys.stderr)
        return 1
    if pending:
        print(
            f"{pending} queued: the channels' pace did not let them out within"
            f" {args.timeout:g}s; they are kept in the store and `mlpulse run` delivers them",
            file=sys.stderr,
        )
    return 0


def _opened(name: str) -> AbstractContextManager[IO[bytes]]:
    """The file (or standard input, `-`, left open) to read, opened now: one that cannot
    be read stops the command before anything is stored."""
    if name == "-":
        return nullcontext(sys.stdin.buffer)
    try:
        return Path(name).open("rb")
    except OSError as error:
        raise InputError(f"cannot read {name}: {error.strerror or error}") from None


def _events(streams: Sequence[tuple[str, IO[bytes]]]) -> Iterator[Event]:
    now = SystemClock().now()
    for name, stream in streams:
        where = "standard input" if name == "-" else name
        for document in documents(pieces_of(stream), where):
            yield from events_from(document, now)


def _batches(events: Iterator[Event]) -> Iterator[list[Event]]:
    while batch := list(islice(events, BATCH)):
        yield batch


def _slack_state(report: dict[str, object]) -> tuple[bool, str]:
    components = report.get("components")
    slack = components.get("slack") if isinstance(components, dict) else None
    if not isinstance(slack, dict):
        return True, "ok"
    return bool(slack.get("ok", True)), str(slack.get("detail", ""))
