"""The SNS HTTPS subscription endpoint (`POST /sns`), one concept per module:

message   the body read strictly; the string SNS signed, per message type
certurl   which certificate URLs may be fetched; which names the certificate must carry
certs     the fetch-once certificate cache: failures remembered briefly, fetches budgeted
verify    signature version, time window, topic allow-list, certificate, signature
confirm   ConfirmSubscription through the AWS API (never the SubscribeURL)
receiver  the request handler: refusals, metrics, and the pipeline for notifications
errors    SnsRejected and its 400 / 403 / 503 branches
"""

from bot.ingress.sns.receiver import SnsEndpoint

__all__ = ["SnsEndpoint"]
