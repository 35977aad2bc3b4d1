"""Which signing-certificate URLs may be fetched, and which names their certificate must carry.

The rule (anything else is refused before any network access, SSRF being the risk):

    https://sns.<region>.amazonaws.com/SimpleNotificationService-<hex>.pem      (commercial,
                                                                                 GovCloud)
    https://sns.<cn-region>.amazonaws.com.cn/SimpleNotificationService-<hex>.pem (China)

matched against the whole string, as SNS sends it: lower-case `https`, no port, no user
info, no query, no fragment, no percent-encoding, nothing after `.pem`; `<region>` is an AWS
region name (`us-east-1`, `us-gov-west-1`, `cn-north-1`), `.amazonaws.com.cn` exactly when
the region is a China one, `<hex>` 16 to 64 lower-case hex digits. The URL's region must also
be the region of the message's TopicArn: a topic is signed by its own region.

The certificate found there must name one of `signing_names(region)` (as the AWS SDK for
Java v2 `SnsHostProvider` expects them) in its subjectAltName DNS names or, when it has no
subjectAltName, in its subject common name; exact match, no wildcards.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bot.ingress.sns.errors import Untrusted

_CERT_URL = re.compile(
    r"https://sns\.(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2})"
    r"\.(?P<domain>amazonaws\.com(?:\.cn)?)"
    r"/SimpleNotificationService-[0-9a-f]{16,64}\.pem"
)
_TOPIC_ARN = re.compile(
    r"arn:aws(?:-cn|-us-gov)?:sns:(?P<region>[a-z0-9-]+):\d{12}:[A-Za-z0-9_.-]{1,256}"
)


def cert_url_region(url: str) -> str:
    """The region of a signing-certificate URL that passes the rule; `Untrusted` if not."""
    match = _CERT_URL.fullmatch(url)
    if match is None:
        raise Untrusted("cert_url", f"SigningCertURL {url[:200]!r} is not an SNS certificate URL")
    region, domain = match.group("region"), match.group("domain")
    if region.startswith("cn-") != (domain == "amazonaws.com.cn"):
        raise Untrusted("cert_url", f"SigningCertURL {url!r}: region {region} on {domain}")
    # The regex alone decides; urlsplit must read the URL the same way (a second opinion
    # against a regex mistake, since the fetcher's URL parser is urllib's).
    parts = urlsplit(url)
    if (
        parts.scheme != "https"
        or parts.hostname != f"sns.{region}.{domain}"
        or parts.netloc != parts.hostname
        or parts.port is not None
        or parts.query
        or parts.fragment
    ):
        raise Untrusted("cert_url", f"SigningCertURL {url!r} reads differently to urllib")
    return region


def topic_region(topic_arn: str) -> str | None:
    match = _TOPIC_ARN.fullmatch(topic_arn)
    return match.group("region") if match else None


def check_cert_url(url: str, topic_arn: str) -> str:
    """`cert_url_region`, also requiring the topic's own region; returns that region."""
    region = cert_url_region(url)
    if topic_region(topic_arn) != region:
        raise Untrusted(
            "cert_url", f"SigningCertURL is in {region}, topic {topic_arn[:200]!r} is not"
        )
    return region


def signing_names(region: str) -> frozenset[str]:
    """The names an SNS signing certificate for `region` may carry."""
    if region.startswith("cn-"):
        return frozenset({f"sns-{region}.amazonaws.com.cn", "sns.amazonaws.com.cn"})
    names = {"sns.amazonaws.com", f"sns-signing.{region}.amazonaws.com"}
    if region.startswith("us-gov-"):
        names |= {"sns-us-gov-west-1.amazonaws.com", f"sns-{region}.amazonaws.com"}
    return frozenset(names)
