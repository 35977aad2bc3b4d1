"""The `mlpulse` command line (README: Command line).

Exit status: 0 success; 2 bad input or bad config, with one `error:` line on stderr and no
traceback; 1 anything else. Each command checks only the settings it reads (bot.config.settings):
a bad MLPULSE_PORT stops `run`, never `render`.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.cli.drift import add_arguments as add_drift_arguments
from bot.cli.explain import add_arguments as add_explain_arguments
from bot.config.loading import check_config_file, config_path, load_config
from bot.config.models import Config
from bot.config.regions import adopt_aws_region
from bot.config.settings import Settings, load_settings
from bot.core.clock import SystemClock
from bot.core.errors import ConfigError, InputError, MlpulseError, StoreError, UserError
from bot.core.events import Event
from bot.ingress.ingest import events_from, parse_document
from bot.intake.routing import route
from bot.ops import logs
from notifiers.render import render_alert

log = logging.getLogger("mlpulse")

# What each command reads of the environment (bot.config.settings.Settings); `run` reads it all.
_CONFIG_FILE = frozenset({"config", "sqs_queue_urls", "sns_topic_arns"})
_SLACK_POSTS = frozenset({"slack_bot_token", "slack_api_url"})
# `ingest` wires the whole app but serves nothing: every setting but the HTTP ones.
_SERVING = frozenset(
    {"port", "host", "metrics_port", "health_detail", "http_read_timeout", "slack_check_seconds"}
)
_INGEST = frozenset(Settings.model_fields) - _SERVING


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    adopt_aws_region()  # AWS_REGION as well as AWS_DEFAULT_REGION, for every client made
    level = {"run": logging.INFO, "demo": logging.ERROR}.get(args.command, logging.WARNING)
    # `run` logs JSON lines unless a person watches; the other commands talk to people.
    logs.configure(level, json_lines=None if args.command == "run" else False)
    try:
        return int(args.handler(args))
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except MlpulseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlpulse", description="Slack ChatOps for ML platforms on AWS."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="the bot: SQS consumer and HTTP server")
    run.set_defaults(handler=_run)

    demo = commands.add_parser("demo", help="the whole product on an embedded platform")
    demo.add_argument(
        "--slack", action="store_true", help="post the alerts to Slack (SLACK_BOT_TOKEN) too"
    )
    demo.add_argument("--channel", default="#mlpulse-demo", help="where --slack posts")
    demo.set_defaults(handler=_demo)

    render = commands.add_parser("render", help="print how one event would look in Slack")
    render.add_argument("file", metavar="FILE|-")
    render.add_argument(
        "--text", action="store_true", help="draw the message as text, as the demo does"
    )
    render.set_defaults(handler=_render)

    ingest = commands.add_parser("ingest", help="push events through the whole pipeline")
    ingest.add_argument("files", nargs="+", metavar="FILE|-")
    ingest.add_argument("--timeout", type=float, default=120.0, help="seconds to keep delivering")
    ingest.add_argument("--console", action="store_true", help="print to the terminal, not Slack")
    ingest.set_defaults(handler=_ingest)

    drift = commands.add_parser(
        "drift", help="drift report of a Model Monitor output, or drift between two datasets"
    )
    add_drift_arguments(drift)
    drift.set_defaults(handler=_drift)

    explain = commands.add_parser("explain", help="why the model predicted that: data capture")
    add_explain_arguments(explain)
    explain.set_defaults(handler=_explain)

    check = commands.add_parser("check-config", help="validate the configuration")
    check.add_argument("path", nargs="?", type=Path, metavar="PATH")
    check.set_defaults(handler=_check_config)
    return parser


def version() -> str:
    """The installed distribution's version (pyproject.toml), or "unknown" when run from a
    source tree that was never installed."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("mlpulse")
    except PackageNotFoundError:
        return "unknown (not installed)"


def read_input(name: str) -> str:
    if name == "-":
        return sys.stdin.buffer.read().decode("utf-8", errors="replace")
    try:
        return Path(name).read_bytes().decode("utf-8", errors="replace")
    except OSError as error:
        raise InputError(f"cannot read {name}: {error.strerror or error}") from None


def load_events(names: Sequence[str]) -> list[Event]:
    now = SystemClock().now()
    events: list[Event] = []
    for name in names:
        where = "standard input" if name == "-" else name
        for document in parse_document(read_input(name), where):
            events += events_from(document, now)
    return events


def _render(args: argparse.Namespace) -> int:
    config = load_config(load_settings(uses=_CONFIG_FILE))
    events = load_events([args.file])
    if not events:
        raise InputError(f"{args.file} holds no event")
    for event in events:
        record = render_record(event, config)
        if args.text:
            print(_drawn(record))
        else:
            print(json.dumps(record, ensure_ascii=False))
    return 0


def _drawn(record: dict[str, Any]) -> str:
    """One `render` record as a person previews it: where it goes, then the message."""
    from notifiers.console import ConsoleNotifier

    head = f"{record['channel']} · {record['kind']} · {record['severity']}"
    if record["incident"]:
        head += " · opens an incident"
    return f"{head}\n{ConsoleNotifier(sys.stdout).draw(record['message'])}"


def render_record(event: Event, config: Config) -> dict[str, Any]:
    """What `mlpulse render` prints for one event: kind, key, routing and the Slack payload."""
    decision = route(event, config)
    return {
        "kind": event.kind.value,
        "key": event.key,
        "severity": decision.severity.value,
        "channel": decision.channel,
        "incident": decision.incident,
        "message": render_alert(event, decision),
    }


def _ingest(args: argparse.Namespace) -> int:
    from bot.cli.ingest import ingest

    return ingest(args, load_settings(uses=_INGEST))


def _run(args: argparse.Namespace) -> int:
    from bot.app import App

    settings = load_settings()
    app = App(settings, load_config(settings))

    def stop(signum: int, frame: Any) -> None:
        log.info("signal %d: finishing in-flight work and stopping", signum)
        app.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    app.start()
    app.stop.wait()
    app.shutdown()
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    if not args.slack:
        return run_demo()
    from bot.app import _slack_notifier

    settings = load_settings(uses=_SLACK_POSTS)
    return run_demo(slack=_slack_notifier(settings), slack_channel=args.channel)


def _drift(args: argparse.Namespace) -> int:
    from bot.cli.drift import run

    return run(args)


def _explain(args: argparse.Namespace) -> int:
    from bot.cli.explain import run

    return run(args)


def _check_config(args: argparse.Namespace) -> int:
    """The environment's problems, then the file's: everything `run` would refuse."""
    try:
        in_environment, settings = [], load_settings()
    except ConfigError as error:
        in_environment, settings = list(error.problems), load_settings(uses={"config"})
    path = args.path or config_path(settings)
    in_file = [] if path is None else check_config_file(path)
    for problem in in_environment + in_file:
        print(problem, file=sys.stderr)
    if in_environment or in_file:
        where = " and ".join(
            name
            for name, found in (("the environment", in_environment), (str(path), in_file))
            if found
        )
        verb = "have" if in_environment and in_file else "has"
        count = len(in_environment) + len(in_file)
        print(f"error: {where} {verb} {count} problem(s), listed above", file=sys.stderr)
        return 2
    if path is None:
        print("ok: no config file (./mlpulse.yaml or MLPULSE_CONFIG); built-in defaults apply")
        return 0
    print(f"ok: {path} is valid")
    return 0
