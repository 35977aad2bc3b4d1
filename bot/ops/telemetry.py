"""Prometheus figures for `/metrics`, one registry per app so tests can run several."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        by_kind = ["kind"]
        self.received = Counter(
            "mlpulse_events_received",
            "Events parsed from any input",
            by_kind,
            registry=self.registry,
        )
        self.deduped = Counter(
            "mlpulse_events_deduped",
            "Redelivered events dropped as duplicates",
            by_kind,
            registry=self.registry,
        )
        self.silenced = Counter(
            "mlpulse_events_silenced",
            "Alerts held back by a silence (stored, not posted)",
            by_kind,
            registry=self.registry,
        )
        self.grouped = Counter(
            "mlpulse_events_grouped",
            "Alerts shown as a line of a burst digest",
            by_kind,
            registry=self.registry,
        )
        self.delivered = Counter(
            "mlpulse_events_delivered", "Alerts delivered to Slack", by_kind, registry=self.registry
        )
        self.failed = Counter(
            "mlpulse_events_failed",
            "Delivery attempts that failed (the alert is kept)",
            ["kind", "reason"],
            registry=self.registry,
        )
        self.undeliverable = Counter(
            "mlpulse_events_undeliverable",
            "Alerts Slack refused in every form; kept in the store",
            by_kind,
            registry=self.registry,
        )
        self.unconfirmed = Counter(
            "mlpulse_events_unconfirmed",
            "Alerts whose post may have reached Slack but could not be looked up (no"
            " history scope); not posted again",
            by_kind,
            registry=self.registry,
        )
        self.unreadable = Counter(
            "mlpulse_messages_unreadable",
            "Messages that were not events, or events that could not be stored (shown as text)",
            registry=self.registry,
        )
        self.latency = Histogram(
            "mlpulse_delivery_latency_seconds",
            "From acceptance to delivery",
            buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600),
            registry=self.registry,
        )
        self.slack_busy = Counter(
            "mlpulse_slack_busy",
            "Slack commands and clicks answered 'busy, try again': the work queue was full",
            registry=self.registry,
        )
        self.role_refused = Counter(
            "mlpulse_aws_role_refused",
            "AssumeRole refusals: an account in aws.accounts mlpulse could not read",
            ["account"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "mlpulse_slack_rate_limited", "Slack 429 answers", registry=self.registry
        )
        self.slack_auth_ok = Gauge(
            "mlpulse_slack_auth_ok",
            "1 while Slack accepts the bot token with the scopes mlpulse needs, 0 after a"
            " failed check (see /readyz slack_auth and the ERROR log line)",
            registry=self.registry,
        )
        self.outbox_depth = Gauge(
            "mlpulse_outbox_depth", "Alerts accepted and not yet delivered", registry=self.registry
        )
        self.open_incidents = Gauge(
            "mlpulse_open_incidents", "Incidents open or acknowledged", registry=self.registry
        )
        self.queue_lag = Histogram(
            "mlpulse_queue_lag_seconds",
            "Age of SQS messages when received",
            buckets=(1, 5, 15, 60, 300, 900, 3600, 21600),
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
