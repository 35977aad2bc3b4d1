"""One Slack request, retried, reaching two replicas (issue 17): two real `mlpulse run`
processes on one store, DynamoDB (a moto server) or one SQLite file, behind no balancer:
the test plays the balancer and sends the first delivery to one replica and Slack's retry
(`X-Slack-Retry-Num: 1`, the same signed bytes) to the other, and a replay without the
header to both again. The command runs once: one answer through its response_url."""

from __future__ import annotations

import http.client
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.fakes.moto_replicas import REGION, SerialDynamoMotoServer
from tests.fakes.slack_api import FakeSlack
from tests.scenarios.processes import RunProcess, serve_env, start_run, wait_until, without_proxies
from tests.scenarios.test_incidents_support import SECRET, signature


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    without_proxies(monkeypatch)
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="module")
def moto() -> Iterator[SerialDynamoMotoServer]:
    server = SerialDynamoMotoServer()
    try:
        yield server
    finally:
        server.stop()


def command(slack: FakeSlack, token: str) -> bytes:
    return urlencode(
        {
            "team_id": "T0MLPULSE",
            "channel_id": "C0MLPULSE",
            "user_id": "U1",
            "command": "/mlpulse",
            "text": "incidents",
            "response_url": slack.response_url(token),
            "trigger_id": f"1.{time.monotonic_ns()}",
        }
    ).encode()


def post(port: int, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/slack/events", body, headers)
        response = connection.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


@pytest.mark.parametrize("backend", ["dynamodb", "sqlite"])
def test_a_retry_sent_to_another_replica_is_handled_once(
    backend: str, tmp_path: Path, slack: FakeSlack, request: pytest.FixtureRequest
) -> None:
    settings = {"STORE": f"sqlite:///{tmp_path / 'shared.db'}"}
    env = serve_env(tmp_path, slack.url, **settings)
    if backend == "dynamodb":
        moto: SerialDynamoMotoServer = request.getfixturevalue("moto")
        env.update(
            MLPULSE_STORE=f"dynamodb://mlpulse-retries-{uuid.uuid4().hex[:8]}",
            AWS_ENDPOINT_URL=moto.url,
            AWS_DEFAULT_REGION=REGION,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
        )
    env["SLACK_SIGNING_SECRET"] = SECRET
    replicas: list[RunProcess] = []
    try:
        replicas.append(start_run("replica-a", env, tmp_path))  # creates the table
        replicas.append(start_run("replica-b", env, tmp_path))
        a, b = (replica.port for replica in replicas)
        body = command(slack, "once")
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature(body, stamp),
        }
        assert post(a, body, headers)[0] == 200
        status, answer = post(b, body, {**headers, "X-Slack-Retry-Num": "1"})
        assert (status, answer.get("x-slack-no-retry")) == (200, "1")
        assert post(b, body, headers)[0] == 200  # a replay, to either replica
        assert post(a, body, headers)[0] == 200

        def logs() -> str:
            return "\n".join(replica.tail() for replica in replicas)

        wait_until("the answer", lambda: bool(slack.responses("once")), 15, logs)
        time.sleep(1.0)  # a second handling would answer within this (it is a store read)
        assert len(slack.responses("once")) == 1, logs()
    finally:
        for replica in replicas:
            replica.stop()
