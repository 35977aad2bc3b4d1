"""The demo's AWS clients: `bot.aws.clients.AwsClients` in shape, real boto3 clients on the
embedded moto server (bot.demo.emulator) with dummy credentials and no proxy.

Where moto falls short, the clients are mended with botocore's own event hooks, so every
way a command calls AWS (a call, a paginator, any number of times) gets the same answer:

- operations moto does not implement are answered in the client, before any request is
  sent (`before-call`), from bot.demo.canned, which knows the seeded platform;
- GetMetricData's percentile statistics (p50, p99), which crash moto's server, are asked
  as Average and Maximum, with the same query ids, so the answers land where expected;
- SageMaker's monitoring-schedule API is bot.demo.monitoring's `DemoMonitoring`.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from typing import Any

import boto3
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from botocore.config import Config as BotoConfig

from bot.aws.clients import AwsClients
from bot.demo import canned
from bot.demo.script import REGION

_CREDENTIALS = {"aws_access_key_id": "demo", "aws_secret_access_key": "demo"}
# The person's AWS profile and config files are not the demo's business (a profile named in
# AWS_PROFILE that does not exist would stop it): a session that reads neither.
_ISOLATED = {
    "profile": (None, None, None, None),
    "config_file": (None, None, os.devnull, None),
    "credentials_file": (None, None, os.devnull, None),
}
# No proxy: a proxy from the environment would be asked for 127.0.0.1.
_CONFIG = BotoConfig(proxies={}, retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30)
# What moto can compute instead of a percentile: the middle and the top of the data.
PERCENTILES = {"p50": "Average", "p90": "Maximum", "p95": "Maximum", "p99": "Maximum"}


class DemoAws(AwsClients):
    """What `ctx.aws` is in the demo."""

    def __init__(self, url: str, region: str | None = REGION, credentials: Any = None) -> None:
        self.url = url
        super().__init__(session=isolated_session(region or REGION, credentials))
        self.monitoring: Any = None  # set by the seeding: bot.demo.monitoring.DemoMonitoring

    def elsewhere(self, region: str | None, credentials: Any) -> DemoAws:
        """Clients of another place on the same embedded AWS (bot.aws.accounts makes them):
        another region, or another account through its role's `credentials`."""
        return DemoAws(self.url, region, credentials)

    def client(self, service: str) -> Any:
        if service == "sagemaker" and self.monitoring is not None:
            return self.monitoring
        return self.raw(service)

    def raw(self, service: str) -> Any:
        """The boto3 client itself (mended, but without the monitoring answers)."""
        return super().client(service)

    def _make(self, service: str) -> Any:
        made = self._session.client(service, endpoint_url=self.url, config=_CONFIG)
        _mend(made, service)
        return made


def isolated_session(region: str = REGION, credentials: Any = None) -> boto3.session.Session:
    """A boto3 session with the demo's dummy credentials, or `credentials` (an assumed
    role's, bot.aws.assume), that reads no AWS profile or config file."""
    isolated: Any = botocore.session.Session(session_vars=_ISOLATED)
    if credentials is None:
        return boto3.session.Session(botocore_session=isolated, region_name=region, **_CREDENTIALS)
    isolated._credentials = credentials  # as bot.aws.accounts.default_clients sets them
    return boto3.session.Session(botocore_session=isolated, region_name=region)


def _mend(client: Any, service: str) -> None:
    events = client.meta.events
    service_id = client.meta.service_model.service_id.hyphenize()
    for operation, answer in canned.ANSWERS.get(service, {}).items():
        events.register(f"before-parameter-build.{service_id}.{operation}", _remember)
        events.register(f"before-call.{service_id}.{operation}", _answering(answer))
    if service == "cloudwatch":
        events.register(f"provide-client-params.{service_id}.GetMetricData", without_percentiles)


def _remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    """Keep the call's parameters where the `before-call` hook can read them (it sees only
    the serialized request)."""
    context["demo_params"] = copy.deepcopy(params)


def _answering(answer: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[..., Any]:
    def before_call(context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        try:
            parsed, status = answer(context.get("demo_params") or {}), 200
        except canned.Refused as refusal:
            parsed = {"Error": {"Code": refusal.code, "Message": str(refusal)}}
            status = 400
        meta = {"HTTPStatusCode": status, "HTTPHeaders": {}, "RetryAttempts": 0}
        return AWSResponse("", status, HTTPHeaders(), None), {**parsed, "ResponseMetadata": meta}

    return before_call


def without_percentiles(params: dict[str, Any], **_: Any) -> dict[str, Any]:
    """GetMetricData's parameters with each percentile statistic swapped for one moto
    computes; everything else, the query ids included, as it was."""
    changed = copy.deepcopy(params)
    for query in changed.get("MetricDataQueries") or []:
        stat = query.get("MetricStat") or {}
        if str(stat.get("Stat", "")).lower() in PERCENTILES:
            stat["Stat"] = PERCENTILES[stat["Stat"].lower()]
    return changed
