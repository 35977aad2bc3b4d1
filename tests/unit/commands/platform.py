"""The command tests' AWS: the demo's ML platform (bot.demo.platform) on a moto server, seen
through the demo's own clients (bot.demo.aws), plus what only tests need.

`platform` seeds the platform once and keeps it between tests (seeding takes most of a
second); it seeds again only after something emptied moto's backends (another module's
`moto_url`, the demo's own server). So a test must leave the platform as it found it: it
changes moto's backend objects with `monkeypatch` (undone after the test), and adds
resources only into a copy of their table (`scratch`).

`PlatformAws.stub` queues one answer or error for an operation (a botocore Stubber on a
twin client, checked against the API model); every other call goes to the demo's clients.
`calls` reads the parameters of each call the commands made, as they made them.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber

from bot.demo.aws import DemoAws, isolated_session
from bot.demo.backend import backend
from bot.demo.moments import at
from bot.demo.platform import seed_platform
from tests.fakes.moto import MotoServer

NOW = at(76)  # 04:16, when the demo's people start typing at its prompt
HOSTILE = "<!channel> & <@U123> `rm -rf` *bold* \u202eevil"


class _Routed:
    """A client whose `operations` go to a stubbed twin and the rest to the demo's."""

    def __init__(self, real: Any, stubbed: Any, operations: set[str]) -> None:
        self._real, self._stubbed, self._operations = real, stubbed, operations

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._stubbed if attr in self._operations else self._real, attr)

    def get_paginator(self, operation: str) -> Any:
        target = self._stubbed if operation in self._operations else self._real
        return target.get_paginator(operation)


class PlatformAws:
    """What a command's `ctx.aws` is in these tests."""

    def __init__(self, real: DemoAws) -> None:
        self.real = real
        self._stubs: dict[str, tuple[Any, Stubber, set[str]]] = {}
        self._recorded: list[Any] = []  # the clients whose calls `seen` records
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def client(self, service: str) -> Any:
        real = self.real.client(service)
        self._record(self.real.raw(service))
        if service not in self._stubs:
            return real
        stubbed, _, operations = self._stubs[service]
        return _Routed(real, stubbed, operations)

    def stub(
        self,
        service: str,
        operation: str,
        response: dict[str, Any] | None = None,
        *,
        error: str | None = None,
        message: str = "",
        params: dict[str, Any] | None = None,
    ) -> None:
        """Queue one answer (or one error code) for `service.operation`."""
        if service not in self._stubs:
            twin = _twins().client(service, endpoint_url=self.real.url)
            stubber = Stubber(twin)
            stubber.activate()
            self._record(twin)
            self._stubs[service] = (twin, stubber, set())
        _, stubber, operations = self._stubs[service]
        operations.add(operation)
        if error:
            stubber.add_client_error(
                operation, error, message, 400 if error != "500" else 500, expected_params=params
            )
        else:
            stubber.add_response(operation, response or {}, params)

    def calls(self, operation: str) -> list[dict[str, Any]]:
        """The parameters of each `operation` call made (`GetMetricData`), as the commands
        asked them (before the demo's clients mend what moto cannot answer)."""
        return [params for name, params in self.seen if name == operation]

    def verify(self) -> None:
        for _, stubber, _ in self._stubs.values():
            stubber.assert_no_pending_responses()

    def close(self) -> None:
        """Stop recording on the demo's clients, which the next test shares."""
        for client in self._recorded:
            client.meta.events.unregister(_provided(client), self._seen)
        self._recorded.clear()

    def _record(self, client: Any) -> None:
        if any(known is client for known in self._recorded):
            return
        client.meta.events.register_first(_provided(client), self._seen)
        self._recorded.append(client)

    def _seen(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.seen.append((model.name, copy.deepcopy(params)))

    sagemaker = property(lambda self: self.client("sagemaker"))
    cloudwatch = property(lambda self: self.client("cloudwatch"))
    logs = property(lambda self: self.client("logs"))
    codepipeline = property(lambda self: self.client("codepipeline"))
    s3 = property(lambda self: self.client("s3"))
    region = property(lambda self: self.real.region)


@functools.cache
def _twins() -> Any:
    """The session the stub twins are made in, once: it caches the API models."""
    return isolated_session()


def _provided(client: Any) -> str:
    return f"provide-client-params.{client.meta.service_model.service_id.hyphenize()}"


def scratch(monkeypatch: pytest.MonkeyPatch, owner: Any, table: str) -> dict[str, Any]:
    """A copy of one of moto's tables (`backend("sagemaker").processing_jobs`) in place of
    the shared one until the test ends: what the test adds there leaves the platform as it
    was."""
    copied: dict[str, Any] = copy.copy(getattr(owner, table))
    monkeypatch.setattr(owner, table, copied)
    return copied


def real_now() -> datetime:
    """Now by the wall clock, at the minute: for tests that write to moto with today's
    times (its PutLogEvents refuses events more than 14 days old)."""
    return datetime.now(UTC).replace(second=0, microsecond=0)


_CLIENTS: dict[tuple[str, bool], DemoAws] = {}  # (server, seeded): made once, models loaded
_MARK = "_mlpulse_platform"


def _clients(url: str, seeded: bool) -> DemoAws:
    if (url, seeded) not in _CLIENTS:
        _CLIENTS[url, seeded] = DemoAws(url)
    return _CLIENTS[url, seeded]


def seeded(server: MotoServer) -> DemoAws:
    """The demo's clients on `server`, with the platform seeded, once while moto keeps it."""
    demo = _clients(server.url, seeded=True)
    if getattr(backend("sagemaker"), _MARK, None) is not demo:
        server.reset()  # moto keeps its backends per process, whichever server seeded them
        seed_platform(demo)
        setattr(backend("sagemaker"), _MARK, demo)
    return demo


@pytest.fixture
def platform(moto_server: MotoServer) -> Iterator[PlatformAws]:
    """The shared platform, as the commands' AWS."""
    clients = PlatformAws(seeded(moto_server))
    yield clients
    clients.close()
    clients.verify()  # every stubbed answer was asked for


@pytest.fixture
def aws(moto_url: str) -> Iterator[PlatformAws]:
    """The same clients on EMPTY moto backends, for the query layer's own tests."""
    clients = PlatformAws(_clients(moto_url, seeded=False))
    yield clients
    clients.close()
    clients.verify()


@pytest.fixture(scope="package")
def moto_server() -> Iterator[MotoServer]:
    """One moto server for a whole test package (tests.fakes.moto starts one per module;
    stopping one takes half a second)."""
    server = MotoServer()
    try:
        yield server
    finally:
        server.stop()
