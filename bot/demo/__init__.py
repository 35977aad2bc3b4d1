"""`mlpulse demo`: the real pipeline, store, delivery and incidents on an embedded
platform, with a terminal standing in for Slack. Needs no AWS account and no Slack
workspace. With a terminal on stdin it then takes commands and clicks at a prompt;
without one it plays a fixed set of them and exits 0."""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.config import Config
from bot.demo.script import script
from bot.demo.session import PROMPT_HELP, DemoSession

DEMO_CONFIG = Config.model_validate(
    {
        "default_channel": "#ml-alerts",
        "routes": [
            {"match": {"kind": ["endpoint", "alarm", "model_monitor"]}, "channel": "#ml-serving"},
            {"match": {"kind": ["codepipeline", "codebuild"]}, "channel": "#ml-cicd"},
            {
                "match": {"kind": "training_job", "outcome": "failed", "tags": {"stage": "prod"}},
                "mention": "@here",
            },
        ],
        "permissions": {"admins": ["U0BOB"]},
    }
)
# What the demo does when nobody is at the keyboard: a morning's worth of Slack clicks.
SCRIPTED = [
    "/mlpulse incidents",
    "ack 1",
    "as bob",
    "ack 1",
    "resolve 1",
    "snooze 3 1h",
    "/mlpulse silence churn-xgb-* 2h",
    "as alice",
    "/mlpulse silence fraud-* 1h",
    "/mlpulse incidents",
    "wait 65m",
    "/mlpulse nonsense",
]


def run_demo(out: TextIO | None = None, interactive: bool | None = None) -> int:
    out = out or sys.stdout
    interactive = sys.stdin.isatty() if interactive is None else interactive
    with tempfile.TemporaryDirectory(prefix="mlpulse-demo-") as folder:
        session = DemoSession(Path(folder), out, DEMO_CONFIG)
        try:
            session.say("mlpulse demo: a morning on an ML platform, as Slack would show it")
            session.play(script(datetime(2026, 11, 25, 3, 0, tzinfo=UTC)))
            session.say(
                f"\n{session.accepted} alerts delivered, {session.duplicates} redelivered "
                "event(s) recognised and not posted again."
            )
            if interactive:
                _prompt(session)
            else:
                session.say("\nNow what people do in Slack (as @alice, then @bob):")
                for line in SCRIPTED:
                    session.handle(line)
        finally:
            session.close()
    return 0


def _prompt(session: DemoSession) -> None:
    session.say("\n" + PROMPT_HELP)
    while True:
        try:
            line = input("mlpulse> ")
        except EOFError:
            break
        if not session.handle(line):
            break
