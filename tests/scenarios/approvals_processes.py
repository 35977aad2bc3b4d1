"""What each mlpulse process does in the approval race (this module holds no tests).

Started with multiprocessing's `spawn`, it builds what a replica decides with: its own
SQLite connection to the shared file, the approval service, and AWS clients on the test's
moto server, each counting the UpdateModelPackage calls it makes."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from bot.approvals.lookups import Lookups
from bot.approvals.service import ApprovalService, aws_decider
from bot.aws.clients import AwsClients
from bot.config.models import Config
from bot.core.approvals import Verdict
from bot.core.clock import FakeClock
from bot.store.sqlite.store import SqliteStore
from tests.goldens import readable


def decide_at_once(
    path: str,
    moto_url: str,
    approval_id: str,
    user: str,
    at: float,
    config: dict[str, Any],
    barrier: Any,
    results: Any,
    calls: Any,
) -> None:
    os.environ.update(
        AWS_ENDPOINT_URL=moto_url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
    )
    store = SqliteStore(path)
    try:
        aws = AwsClients(region="us-east-1")
        aws.sagemaker.meta.events.register(
            "provide-client-params.sagemaker.UpdateModelPackage",
            lambda **_: calls.put(user),
        )
        service = ApprovalService(
            store,
            Config.model_validate(config),
            FakeClock(datetime.fromtimestamp(at, UTC)),
            aws_decider(Lookups(aws)),
            submit=lambda events: None,
        )
        barrier.wait(timeout=30)
        answer = service.decide(approval_id, user, Verdict.APPROVE, f"ok from {user}")
        results.put((user, answer.ok, readable(answer.text)))
    except Exception as error:  # reported, so the test fails with the reason
        results.put((user, None, repr(error)))
    finally:
        store.close()
