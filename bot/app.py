"""Wiring only: builds the parts of `mlpulse run` from settings and starts them."""

from __future__ import annotations

import logging
import re
import threading
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient

from bot.approvals.asking import approval_enricher
from bot.approvals.lookups import Lookups
from bot.approvals.service import ApprovalService, aws_decider
from bot.aws.accounts import Accounts, MakeClients, default_clients
from bot.aws.clients import AwsClients
from bot.aws.logtail import LogReader
from bot.config.models import Config
from bot.config.regions import home_region
from bot.config.settings import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.errors import ConfigError, StoreError
from bot.core.events import Event
from bot.delivery.worker import Deliverer
from bot.drift.enrich import monitor_enricher
from bot.incidents.scheduler import IncidentScheduler
from bot.incidents.service import IncidentService
from bot.ingress.http import Request, Response, Routes, json_response
from bot.ingress.server import HttpServer, Listener
from bot.ingress.slack.interactions import ContextFor, SlackApp
from bot.ingress.slack.usergroups import UserGroups
from bot.ingress.slack.verify import SlackIngress
from bot.ingress.sns import SnsEndpoint
from bot.ingress.sqs import QueueConsumer
from bot.intake.accept import Pipeline
from bot.ops import logs
from bot.ops.health import Health, liveness
from bot.ops.slack_auth import SlackAuthWatch
from bot.ops.telemetry import Metrics
from bot.store import Store
from bot.store.opening import open_store
from commands.base import Context
from commands.permissions import is_admin
from notifiers.base import Notifier
from notifiers.slack import SlackNotifier

log = logging.getLogger(__name__)
_QUEUE_REGION = re.compile(r"^https://sqs\.([a-z0-9-]+)\.amazonaws\.com")
_SHUTDOWN_S = 8.0


class App:
    def __init__(
        self,
        settings: Settings,
        config: Config,
        *,
        store: Store | None = None,
        notifier: Notifier | None = None,
        clock: Clock | None = None,
        sqs_clients: dict[str, Any] | None = None,
        aws: AwsClients | None = None,
        make_clients: MakeClients | None = None,
    ) -> None:
        self.settings, self.config = settings, config
        self.clock = clock or SystemClock()
        self.metrics, self.health = Metrics(), Health()
        self.notifier = notifier or _slack_notifier(settings)
        self.store = store or open_store(settings.store, config.retention)
        self.aws = aws if aws is not None else AwsClients()
        self.accounts = Accounts(
            config.aws,
            self.aws,
            self.clock,
            make_clients=make_clients or default_clients,
            on_refused=lambda account: self.metrics.role_refused.labels(account.label).inc(),
        )
        self.deliverer = Deliverer(
            self.store,
            self.notifier,
            self.clock,
            config,
            self.metrics,
            self.health,
            lease=timedelta(seconds=settings.lease_seconds),
            logs=LogReader(self.aws, self.accounts),
        )
        lookups = Lookups(self.aws, self.accounts)
        drift, asking = (
            monitor_enricher(lambda: self.aws.s3, self._member_s3),
            approval_enricher(config, self.store, lookups),
        )
        self.pipeline = Pipeline(
            config,
            self.store,
            self.clock,
            self.metrics,
            self.deliverer.wake,
            enrich=lambda event: asking(drift(event)),
        )
        self.approvals = ApprovalService(
            self.store, config, self.clock, aws_decider(lookups), self.pipeline.submit
        )
        queues = sqs_clients if sqs_clients is not None else _sqs_clients(config.sqs.queue_urls)
        self.consumer = (
            QueueConsumer(queues, self.pipeline, self.clock, self.metrics, self.health)
            if queues
            else None
        )
        self.stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.http: HttpServer | None = None
        self.sns = SnsEndpoint(
            config.sns.topic_arns, self.pipeline, self.clock, self.metrics.registry
        )
        self.incidents = IncidentService(self.store, config, self.clock)
        self.scheduler = IncidentScheduler(
            self.incidents,
            self.deliverer.wake,
            prune=lambda limit: self.store.prune(self.clock.now(), limit),
        )
        self.slack_app = _slack_app(
            settings,
            self.command_context,
            self.incidents,
            self.deliverer,
            self.metrics,
            self.approvals,
        )
        secret = settings.slack_signing_secret
        # Over HTTP requests are verified with the signing secret; Socket Mode needs none.
        self.slack = (
            SlackIngress(secret.get_secret_value(), self.clock, self.slack_app, self.store)
            if self.slack_app is not None and secret is not None
            else None
        )
        self._socket_mode: Any = None
        self.slack_auth = SlackAuthWatch(
            self._check_token,
            self.health,
            self.metrics.slack_auth_ok,
            self.clock,
            every=settings.slack_check_seconds,
        )
        self._conceal_identifiers()

    def _check_token(self) -> str:
        return self.notifier.check()

    def _conceal_identifiers(self) -> None:
        """What /readyz on the public port shows instead of the deployment's names."""
        self.health.conceal(self.settings.store, "the store")
        self.health.conceal(self.settings.store.split("://", 1)[-1], "the store")
        for number, url in enumerate(self.config.sqs.queue_urls, start=1):
            self.health.conceal(url, f"queue {number}")

    def _member_s3(self, event: Event) -> Any | None:
        """The S3 client of the event's account when it is a member account with a role."""
        member = self.accounts.member_clients(event.account, event.region)
        return member.s3 if member is not None else None

    def command_context(self, user_id: str, channel_id: str) -> Context:
        """What a `/mlpulse` line typed by `user_id` in `channel_id` runs with, from Slack
        (bot.ingress.slack.interactions) or the demo's prompt alike."""
        return Context(
            user_id=user_id,
            channel_id=channel_id,
            config=self.config,
            store=self.store,
            clock=self.clock,
            aws=self.aws,
            accounts=self.accounts,
            incidents=self.incidents,
            is_admin=is_admin(self.config, user_id),
            approvals=self.approvals,
        )

    def routes(self, detail: bool | None = None) -> Routes:
        """The public port's routes; /metrics too unless it has a port of its own.
        Identifiers show in /readyz only with `detail` (default: MLPULSE_HEALTH_DETAIL)."""
        own_port = self.settings.metrics_port is not None
        detail = self.settings.health_detail if detail is None else detail
        routes: Routes = {
            ("GET", "/healthz"): self.healthz,
            ("GET", "/readyz"): self.readyz_detailed if detail else self.readyz,
            ("POST", "/sns"): self.sns.handle,
            ("POST", "/slack/events"): self.slack_events,
        }
        if not own_port:
            routes[("GET", "/metrics")] = self.metrics_page
        return routes

    def metrics_routes(self) -> Routes:
        """The metrics port's routes: for operators, identifiers included."""
        return {
            ("GET", "/metrics"): self.metrics_page,
            ("GET", "/healthz"): self.healthz,
            ("GET", "/readyz"): self.readyz_detailed,
        }

    def slack_events(self, request: Request) -> Response:
        if self.slack is None:
            return Response(401, b"SLACK_SIGNING_SECRET is not set: /slack/events is off\n")
        return self.slack.handle(request)

    def healthz(self, request: Request) -> Response:
        """Liveness: 200 while every part of the process runs, whatever Slack or AWS do."""
        alive, report = liveness(self.parts())
        return json_response(200 if alive else 503, report)

    def parts(self) -> dict[str, bool]:
        """Each part of the process that must be running, and whether it is."""
        parts = {thread.name: thread.is_alive() for thread in self._threads}
        parts["scheduler"] = self.scheduler.running
        if self.http is not None:
            parts["http"] = self.http.alive()
        return parts

    def readyz(self, request: Request, detail: bool = False) -> Response:
        """Readiness: the store, the queue consumer and Slack, each with its detail."""
        try:
            self.store.ping()
            self.health.set("store", True, "ok", self.clock.now())
        except StoreError as error:
            self.health.set("store", False, str(error), self.clock.now())
        if self.consumer is None:
            self.health.set("queue", True, "no queue configured (HTTP only)", self.clock.now())
        ready, report = self.health.snapshot(detail=detail)
        report["outbox_pending"] = self.store.pending_count() if ready else None
        return json_response(200 if ready else 503, report)

    def readyz_detailed(self, request: Request) -> Response:
        return self.readyz(request, detail=True)

    def metrics_page(self, request: Request) -> Response:
        self.metrics.outbox_depth.set(self.deliverer.outbox_depth())
        self.metrics.open_incidents.set(self.incidents.count_open())
        return Response(200, self.metrics.exposition(), "text/plain; version=0.0.4")

    def check_slack(self) -> bool:
        """Check the Slack token now (auth.test): logged, counted and shown in /readyz."""
        return self.slack_auth.check_once()

    def start(self, port: int | None = None) -> None:
        logs.quiet_libraries()
        self.check_slack()
        settings = self.settings
        listeners = [
            Listener(self.routes(), settings.port if port is None else port, settings.host)
        ]
        if settings.metrics_port is not None:
            listeners.append(Listener(self.metrics_routes(), settings.metrics_port, settings.host))
        self.http = HttpServer(*listeners, read_timeout=settings.http_read_timeout)
        self.http.start()
        self._spawn("delivery", self.deliverer.run)
        if self.consumer is not None:
            self._spawn("sqs", self.consumer.run)
        self._spawn("slack-auth", self.slack_auth.run)
        self.scheduler.start()
        self._start_socket_mode()
        ports = self.http.ports
        log.info(
            "mlpulse listening on %s:%d%s",
            settings.host,
            ports[0],
            f" (metrics on :{ports[1]})" if len(ports) > 1 else "",
        )

    def _start_socket_mode(self) -> None:
        token = self.settings.slack_app_token
        if token is None or self.slack_app is None:
            return
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        self._socket_mode = SocketModeHandler(self.slack_app.bolt, token.get_secret_value())
        self._socket_mode.connect()
        log.info("Socket Mode connected")

    def shutdown(self) -> None:
        """Stop taking work, let in-flight deliveries and the Slack work already
        acknowledged finish, close the store."""
        self.stop.set()
        self.deliverer.wake.set()
        self.scheduler.shutdown()
        if self._socket_mode is not None:
            self._socket_mode.close()
        if self.slack_app is not None:  # commands and clicks already acknowledged
            self.slack_app.shutdown()
        for thread in self._threads:
            thread.join(timeout=_SHUTDOWN_S / max(1, len(self._threads)))
        if self.http is not None:
            self.http.stop()
        self.store.close()

    def _spawn(self, name: str, target: Any) -> None:
        thread = threading.Thread(target=target, args=(self.stop,), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)


def _slack_app(
    settings: Settings,
    context_for: ContextFor,
    incidents: IncidentService,
    deliverer: Deliverer,
    metrics: Metrics,
    approvals: ApprovalService,
) -> SlackApp | None:
    """The `/mlpulse` command and buttons; off (with a warning) without a signing secret
    unless Socket Mode is on, which needs none."""
    secret = settings.slack_signing_secret
    if settings.slack_bot_token is None or (secret is None and settings.slack_app_token is None):
        log.warning("SLACK_SIGNING_SECRET is not set: slash commands and buttons are off")
        return None
    client = WebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=_base(settings.slack_api_url)
    )
    approvals.members = UserGroups(client).members  # permissions.approvers may name groups
    return SlackApp(
        client,
        context_for,
        incidents,
        deliverer.wake.set,
        on_busy=metrics.slack_busy.inc,
        approval_service=approvals,
    )


def _base(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _slack_notifier(settings: Settings) -> SlackNotifier:
    if settings.slack_bot_token is None:
        raise ConfigError(
            [
                "SLACK_BOT_TOKEN is not set: create the Slack app from "
                "deploy/slack-app-manifest.yaml and export its bot token (xoxb-...)"
            ]
        )
    return SlackNotifier(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)


def _sqs_clients(queue_urls: list[str]) -> dict[str, Any]:
    """One SQS client per queue, in the queue's own region (AWS_ENDPOINT_URL honoured)."""
    if not queue_urls:
        return {}
    import boto3
    from botocore.exceptions import NoRegionError

    clients: dict[str, Any] = {}
    for url in queue_urls:
        match = _QUEUE_REGION.match(url)
        try:
            region = match.group(1) if match else home_region()
            clients[url] = boto3.client("sqs", region_name=region)
        except NoRegionError:
            raise ConfigError(
                [f"queue {url}: no AWS region; set AWS_REGION (AWS_DEFAULT_REGION works too)"]
            ) from None
    return clients
