"""Why an SNS post was refused, as one exception the endpoint turns into an answer.

    MlpulseError (bot.core.errors)
     +-- SnsRejected        status 400/413 (malformed), 403 (not trusted) or 503 (try again)
          +-- Malformed     400/413: not an SNS message at all
          +-- Untrusted     403: well formed, but not provably from an allowed SNS topic
          +-- Retryable     503: could not decide now (certificate fetch, store, AWS API);
                            SNS retries HTTP deliveries on 5xx, so nothing is accepted or lost

`reason` is a short fixed label (the `reason` of `mlpulse_sns_rejected_total`); `detail` is
for the log and never holds a secret, a token or a SubscribeURL.
"""

from __future__ import annotations

from bot.core.errors import MlpulseError


class SnsRejected(MlpulseError):
    status = 400

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


class Malformed(SnsRejected):
    status = 400


class TooLarge(Malformed):
    status = 413


class Untrusted(SnsRejected):
    status = 403


class Retryable(SnsRejected):
    status = 503
