"""`POST /sns`: the SNS HTTPS subscription endpoint.

    body --parse_message--> SnsMessage --Verifier--> proven --+-- Notification: ingest, admit, 200
      400/413                             403/503             +-- SubscriptionConfirmation:
                                                              |     ConfirmSubscription API, 200
                                                              +-- UnsubscribeConfirmation: log, 200

200 means durable: a notification is answered only after its alerts are in the outbox
(bot.ingress.admit), and a redelivery of the same MessageId is dropped there. Content never
makes a 500: an event that cannot be stored is shown as an unreadable-event alert and the
post answered 200; only a store outage is 503, which SNS retries. Refusals
are counted in `mlpulse_sns_rejected_total{reason}` and logged without secrets: never the
Token, the SubscribeURL or the signature. The answer body names the reason only for 400s;
a 403 says "forbidden" and nothing about which check failed.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from prometheus_client import CollectorRegistry, Counter

from bot.core.clock import Clock
from bot.ingress.admit import Inbound, admit
from bot.ingress.http import Request, Response
from bot.ingress.ingest import events_from
from bot.ingress.normalize import Origin
from bot.ingress.sns.certs import CertificateCache
from bot.ingress.sns.confirm import ApiConfirmer, Confirmer
from bot.ingress.sns.errors import Retryable, SnsRejected, TooLarge, Untrusted
from bot.ingress.sns.message import (
    NOTIFICATION,
    SUBSCRIPTION_CONFIRMATION,
    SnsMessage,
    parse_message,
)
from bot.ingress.sns.verify import Verifier
from bot.intake.accept import Pipeline

log = logging.getLogger(__name__)
_RETRY_AFTER_S = "20"  # SNS's default HTTP/S retry delay


class SnsEndpoint:
    """The handler for `POST /sns`. `certs` (its fetcher) and `confirmer` are injectable,
    as constructor arguments or by assigning the attributes before the server starts."""

    def __init__(
        self,
        allowed_topics: Collection[str],
        pipeline: Pipeline,
        clock: Clock,
        registry: CollectorRegistry,
        *,
        certs: CertificateCache | None = None,
        confirmer: Confirmer | None = None,
    ) -> None:
        self.verifier = Verifier(allowed_topics, certs or CertificateCache(clock=clock))
        self.pipeline, self.clock = pipeline, clock
        self.confirmer: Confirmer = confirmer or ApiConfirmer()
        self.rejected = Counter(
            "mlpulse_sns_rejected",
            "Posts to /sns refused, by reason",
            ["reason"],
            registry=registry,
        )
        self.accepted = Counter(
            "mlpulse_sns_accepted",
            "Verified SNS messages handled, by message type",
            ["type"],
            registry=registry,
        )
        if not self.verifier.allowed_topics:
            log.info("/sns refuses every post: no topic in sns.topic_arns / MLPULSE_SNS_TOPIC_ARNS")

    @property
    def certs(self) -> CertificateCache:
        return self.verifier.certs

    @certs.setter
    def certs(self, value: CertificateCache) -> None:
        self.verifier.certs = value

    def handle(self, request: Request) -> Response:
        try:
            return self._handle(request)
        except SnsRejected as rejected:
            self.rejected.labels(rejected.reason).inc()
            log.warning(
                "SNS post refused (%d %s): %s", rejected.status, rejected.reason, rejected.detail
            )
            return _refusal(rejected)

    def _handle(self, request: Request) -> Response:
        message = parse_message(request.body)
        now = self.clock.now()
        try:
            self.verifier.verify(message, now)
        except Untrusted as untrusted:
            if (
                message.type == SUBSCRIPTION_CONFIRMATION
                and untrusted.reason == "topic_not_allowed"
            ):
                log.warning(
                    "SNS SubscriptionConfirmation for topic %r ignored, not confirmed: the topic "
                    "is not in sns.topic_arns / MLPULSE_SNS_TOPIC_ARNS",
                    message.topic_arn[:200],
                )
            raise
        self.accepted.labels(message.type).inc()
        if message.type == NOTIFICATION:
            return self._notification(message)
        if message.type == SUBSCRIPTION_CONFIRMATION:
            arn = self.confirmer.confirm(message.topic_arn, message.fields["Token"])
            log.info("SNS subscription to %s confirmed: %s", message.topic_arn, arn)
            return Response(200, b"subscription confirmed\n")
        log.info(
            "SNS UnsubscribeConfirmation for %s (message %s): this endpoint no longer receives "
            "the topic; not re-subscribing",
            message.topic_arn,
            message.message_id,
        )
        return Response(200, b"unsubscribe noted\n")

    def _notification(self, message: SnsMessage) -> Response:
        now = self.clock.now()
        origin = Origin(envelope="sns", message_id=message.message_id)
        events = events_from(message.document, now)
        admission = admit(self.pipeline, [Inbound(events, message.fields["Message"], origin, now)])
        if admission.outage is not None:
            raise Retryable("store_unavailable", f"store refused the events: {admission.outage}")
        if not admission.durable:  # not even as an unreadable alert; logged in admit
            raise Retryable("unstorable", f"notification {message.message_id} not stored")
        log.debug(
            "SNS notification %s from %s: %d new, %d duplicate, %d unreadable",
            message.message_id,
            message.topic_arn,
            admission.accepted,
            admission.duplicates,
            admission.unreadable,
        )
        return Response(200, f"accepted {admission.accepted}\n".encode())


def _refusal(rejected: SnsRejected) -> Response:
    if isinstance(rejected, Retryable):
        return Response(503, b"try again later\n", headers={"Retry-After": _RETRY_AFTER_S})
    if isinstance(rejected, Untrusted):
        return Response(403, b"forbidden\n")
    if isinstance(rejected, TooLarge):
        return Response(413, b"body too large\n")
    return Response(rejected.status, f"bad request: {rejected.reason}\n".encode())
