"""Golden files: what each `/mlpulse` subcommand answers on the demo's platform.

The morning of `mlpulse demo` is played through the real App (bot.demo.session) on the
shared platform (tests.unit.commands.platform), @bob silences `churn-xgb-*`, and at 04:16
@alice asks each question below, as the Slack app runs it. `tests/golden/commands/<name>.json`
holds the reply: its text, blocks, whether it is public, and its charts by filename and
title (their PNG bytes are not golden). Review the files by eye after regenerating:

    MLPULSE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from bot.demo import DEMO_CONFIG
from bot.demo.cicd import CODEPIPELINE, SAGEMAKER_PIPELINE
from bot.demo.explanations import SUSPECT
from bot.demo.jobs import COMPLETED, FAILED, FEATURES
from bot.demo.moments import START
from bot.demo.script import script
from bot.demo.serving import CHURN, FRAUD
from bot.demo.session import DemoSession
from bot.demo.tuning import TUNING
from commands import REGISTRY
from commands.base import Reply
from notifiers import limits
from tests.fakes.moto import MotoServer
from tests.goldens import DATE_TOKEN, Goldens
from tests.unit.commands.platform import NOW, seeded

GOLDENS = Goldens("commands")
# golden file -> what @alice types after `/mlpulse`
ASKED = {
    "help": "help",
    "status": "status",
    "jobs": "jobs",
    "job-failed-training": f"job {FAILED}",
    "job-tuning": f"job {TUNING}",
    "job-processing": f"job {FEATURES}",
    "metrics": f"metrics {COMPLETED}",
    "endpoint": f"endpoint {FRAUD}",
    "drift": f"drift {FRAUD}",
    "explain-one": f"explain {FRAUD} --id {SUSPECT}",
    "explain-several": f"explain {FRAUD}",
    "explain-where": f"explain {FRAUD} --where score&gt;0.5 --last 5",
    "explain-no-explainer": f"explain {CHURN}",
    "pipeline-codepipeline": f"pipeline {CODEPIPELINE}",
    "pipeline-sagemaker": f"pipeline {SAGEMAKER_PIPELINE}",
    "incidents": "incidents",
    "silences": "silences",
    "approvals": "approvals",
    "error-unknown-job": "job no-such-job",
}
# What changes things rather than answers about them (tests.unit.commands.test_incident_commands)
CHANGING = {"ack", "resolve", "snooze", "silence"}
# A mention of a channel or everyone, or a direction override, can only come from AWS text
# that was not escaped; `<@U...>` names the people who acted, on purpose.
_UNESCAPED = re.compile(rf"<(?!{DATE_TOKEN})[!#]|\u202e")


@pytest.fixture(scope="module")
def morning(
    moto_server: MotoServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoSession]:
    """The demo's session after its scripted morning, at 04:16, as @alice."""
    session = DemoSession(
        tmp_path_factory.mktemp("morning"), StringIO(), DEMO_CONFIG, seeded(moto_server)
    )
    try:
        session.play(script(START))
        session.user = "U0BOB"  # an admin
        session.reply("silence churn-xgb-* 2h")
        session.deliver()
        session.user = "U0ALICE"
        session.clock.advance((NOW - session.clock.now()).total_seconds())
        yield session
    finally:
        session.close()


def recorded(reply: Reply) -> dict[str, Any]:
    return {
        "text": reply.text,
        "blocks": reply.blocks,
        "public": reply.public,
        "charts": [{"filename": c.filename, "title": c.title} for c in reply.charts],
    }


@pytest.mark.parametrize("name", sorted(ASKED))
def test_reply_matches_golden(name: str, morning: DemoSession, moto_server: MotoServer) -> None:
    seeded(moto_server)  # the platform as seeded, whatever ran before
    assert morning.clock.now() == NOW
    asked = f"/mlpulse {ASKED[name]}"
    reply = recorded(morning.reply(ASKED[name]))
    GOLDENS.check(name, {"asked": asked, "by": morning.user, "reply": reply})


def test_every_question_a_subcommand_answers_has_a_golden_file() -> None:
    asked = {words.split()[0] for words in ASKED.values()}
    assert asked | CHANGING == set(REGISTRY)
    assert CHANGING.isdisjoint(asked)


def test_no_orphan_golden_files() -> None:
    orphans = GOLDENS.orphans(ASKED)
    assert orphans == [], f"golden files nobody asks for: {orphans}"


@pytest.mark.parametrize("path", sorted(GOLDENS.folder.glob("*.json")), ids=lambda p: p.stem)
def test_golden_reply_within_slack_limits(path: Path) -> None:
    reply = json.loads(path.read_text(encoding="utf-8"))["reply"]
    assert limits.problems({"text": reply["text"], "blocks": reply["blocks"] or []}) == []
    assert not _UNESCAPED.search(json.dumps(reply, ensure_ascii=False)), path.name
