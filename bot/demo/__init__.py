"""`mlpulse demo`: the App `mlpulse run` builds (bot.app) on an embedded platform, with a
terminal standing in for Slack (bot.demo.session). Needs no AWS account and no Slack
workspace: AWS is a moto server in this process (bot.demo.emulator), seeded with a small
ML platform (bot.demo.platform, which the command tests share) that the `/mlpulse`
commands and the App's Model Monitor enrichment read. With a terminal on stdin it then
takes commands and clicks at a prompt; without one it plays a fixed set of them and exits 0."""

from __future__ import annotations

import sys
import tempfile
from importlib.util import find_spec
from pathlib import Path
from typing import TextIO

from bot.approvals.lookups import Lookups
from bot.config.models import Config
from bot.core.errors import ConfigError, MlpulseError
from bot.demo.accounts import ACCOUNTS, DEV_JOB, seed_dev
from bot.demo.approvals import approval_events, demo_decider, seed_registry
from bot.demo.aws import DemoAws
from bot.demo.moments import START
from bot.demo.platform import GUIDE, seed_platform
from bot.demo.script import script
from bot.demo.session import PROMPT_HELP, DemoSession
from notifiers.base import Failure, Notifier, NotifyError

NO_MOTO = (
    "`mlpulse demo` emulates AWS with moto, which is not installed here: "
    "pip install 'mlpulse[demo]'"
)

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
        "permissions": {
            "admins": ["U0BOB"],
            "approvers": {"ml-release": ["U0ALICE"], "churn-*": ["U0ALICE", "U0BOB"]},
        },
        "aws": {"accounts": ACCOUNTS},
    }
)
# What the demo does when nobody is at the keyboard: a look at the platform, then a
# morning's worth of Slack clicks.
SCRIPTED = [
    "/mlpulse status",
    "/mlpulse job churn-xgb-2026-11-25-0300",
    f"/mlpulse job {DEV_JOB}",  # in the second account: found there, and said so
    "/mlpulse metrics churn-xgb-2026-11-25-0400",
    "/mlpulse endpoint fraud-prod",
    "/mlpulse drift fraud-prod",
    "/mlpulse explain fraud-prod --id txn-88231",
    "/mlpulse pipeline ml-deploy",
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
    "/mlpulse approvals",
    "as bob",
    "approve 1 ship it",
    "as alice",
    "approve 1 ship it",
    "reject 1 F1 is up but the EU segment regressed",
    "/mlpulse nonsense",
]


def run_demo(
    out: TextIO | None = None,
    interactive: bool | None = None,
    slack: Notifier | None = None,
    slack_channel: str = "#mlpulse-demo",
) -> int:
    """The demo; with `slack`, its alerts go to that Slack (every one to `slack_channel`)
    while commands and clicks are still typed here."""
    out = out or sys.stdout
    interactive = sys.stdin.isatty() if interactive is None else interactive
    if find_spec("moto") is None:  # an optional dependency: the `demo` extra
        raise MlpulseError(NO_MOTO)
    if slack is not None:
        check_slack(slack)
    from bot.demo.emulator import EmbeddedAws

    with EmbeddedAws() as url, tempfile.TemporaryDirectory(prefix="mlpulse-demo-") as folder:
        aws = DemoAws(url)
        try:
            seed_platform(aws)
            package = seed_registry(aws.s3, aws.raw("sagemaker"))
            seed_dev(aws)
            config = DEMO_CONFIG
            if slack is not None:
                config = config.model_copy(update={"default_channel": slack_channel, "routes": []})
            session = DemoSession(Path(folder), out, config, aws=aws, notifier=slack)
            session.app.approvals.decider = demo_decider(Lookups(aws))
            try:
                _play(session, url, interactive, package)
            finally:
                session.close()
        finally:
            aws.close()
    return 0


def check_slack(slack: Notifier) -> str:
    """Ask Slack about the token before anything else, so a bad one is said at once (exit
    2, as a configuration mistake), not after a minute of alerts that never arrive."""
    try:
        return slack.check()
    except NotifyError as error:
        if error.failure is Failure.AUTH:
            raise ConfigError(
                [
                    f"Slack refused SLACK_BOT_TOKEN: {error.detail}. Use the bot token"
                    " (xoxb-...) of an app made from deploy/slack-app-manifest.yaml"
                ]
            ) from None
        raise MlpulseError(f"Slack did not answer the token check: {error.detail}") from None


def _play(session: DemoSession, url: str, interactive: bool, package: str) -> None:
    session.say("mlpulse demo: a morning on an ML platform, as Slack would show it")
    session.say(f"(AWS is emulated in this process by moto at {url}: no AWS account is used)")
    session.play(script(START) + approval_events(START, package))
    session.say(
        f"\n{session.accepted} alerts delivered, {session.duplicates} redelivered "
        "event(s) recognised and not posted again."
    )
    if interactive:
        _prompt(session)
        return
    session.say("\nNow what people do in Slack (as @alice, then @bob):")
    for line in SCRIPTED:
        session.handle(line)


def _prompt(session: DemoSession) -> None:
    session.say(f"\n{PROMPT_HELP}\n{GUIDE}")
    while True:
        try:
            line = input("mlpulse> ")
        except EOFError:
            break
        if not session.handle(line):
            break
