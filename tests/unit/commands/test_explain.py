"""`/mlpulse explain` on the demo's platform (moto): its arguments, who may use `--live`,
and `--live` itself, where SageMaker Runtime's InvokeEndpoint is a botocore Stubber: moto's
InvokeEndpoint answers canned bytes, not a Clarify explanation."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.response import StreamingBody

from bot.aws.errors import NotFound
from bot.core.errors import InputError
from bot.demo.explanations import BUCKET, FEATURES
from bot.demo.serving import FRAUD
from commands import explain
from commands.base import Args, Context
from commands.parse import parse
from tests.unit.commands.platform import PlatformAws
from tests.unit.explain.samples import answer, line

LATE = "datacapture/fraud-prod/AllTraffic/2026/11/25/04/15-30-000-late.jsonl"
ROW = "90,0,300,4,12,1"


def ask(ctx: Context, text: str) -> Any:
    name, args = parse(f"explain {text}")
    assert name == "explain"
    return explain.handle(ctx, args)


@pytest.fixture
def unexplained(platform: PlatformAws) -> Iterator[None]:
    """The newest fraud-prod capture: one prediction its explainer's condition skipped."""
    s3 = platform.real.raw("s3")
    body = line(ROW, answer("0.031", []), event="late-1", time="2026-11-25T04:15:30Z")
    s3.put_object(Bucket=BUCKET, Key=LATE, Body=body.encode())
    yield
    s3.delete_object(Bucket=BUCKET, Key=LATE)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "usage"),
        ("not_an_endpoint!", "not an endpoint name"),
        (f"{FRAUD} extra", "usage"),
        (f"{FRAUD} --last 0", "--last"),
        (f"{FRAUD} --last many", "--last"),
        (f"{FRAUD} --since soon", "--since"),
        (f"{FRAUD} --where score", "--where"),
    ],
)
def test_bad_arguments_are_answered(ctx: Context, text: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        ask(ctx, text)


def test_an_unknown_endpoint_is_not_found(ctx: Context) -> None:
    with pytest.raises(NotFound):
        ask(ctx, "no-such-endpoint")


def test_where_with_spaces_reads_the_words_after_it(ctx: Context) -> None:
    reply = ask(ctx, f"{FRAUD} --where score &gt; 0.9 --last 2")
    assert "1 match `score &gt; 0.9`" in json.dumps(reply.blocks)


def test_live_is_for_admins_and_the_refusal_is_audited(ctx: Context) -> None:
    reply = explain.handle(ctx, Args(words=(FRAUD,), options={"live": "true"}))
    assert "for admins" in reply.text
    rows = ctx.store._db.execute(  # type: ignore[attr-defined]
        "SELECT actor, note FROM audit WHERE action = 'refused'"
    ).fetchall()
    assert [tuple(row) for row in rows] == [("U1", "/mlpulse explain --live")]


def test_live_explains_what_was_captured_unexplained(
    ctx: Context, platform: PlatformAws, unexplained: None
) -> None:
    attributions = [[(name, [0.001 * (n + 1)]) for n, name in enumerate(FEATURES)]]
    body = answer("0.031", attributions).encode()
    platform.stub(
        "sagemaker-runtime",
        "invoke_endpoint",
        {"Body": StreamingBody(io.BytesIO(body), len(body)), "ContentType": "application/json"},
        params={
            "EndpointName": FRAUD,
            "ContentType": "text/csv",
            "Accept": "text/csv",
            "Body": ROW.encode(),
            "EnableExplanations": "`true`",
        },
    )
    ctx.is_admin = True
    reply = explain.handle(ctx, Args(words=(FRAUD,), options={"live": "true", "last": "1"}))
    text = json.dumps(reply.blocks)
    assert "`late-1` explained live" in text
    assert "*Pushing up*" in text and "`tx_last_24h` = `1`" in text
    assert [chart.filename for chart in reply.charts] == ["explain-fraud-prod.png"]


def test_without_live_the_unexplained_prediction_says_how(ctx: Context, unexplained: None) -> None:
    reply = ask(ctx, f"{FRAUD} --last 1")
    text = json.dumps(reply.blocks)
    assert "captured without an explanation" in text and "--live" in text
    assert reply.charts == []
