"""RELIABILITY A5 at the rule itself: which SigningCertURLs may be fetched at all."""

from __future__ import annotations

import pytest

from bot.ingress.sns.certurl import cert_url_region, check_cert_url, signing_names, topic_region
from bot.ingress.sns.errors import Untrusted

HEX = "7506a1e35b36ef5a444dd1a8e7cc3ed8"
GOOD = f"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-{HEX}.pem"


@pytest.mark.parametrize(
    ("url", "region"),
    [
        (GOOD, "us-east-1"),
        (f"https://sns.eu-west-3.amazonaws.com/SimpleNotificationService-{HEX}.pem", "eu-west-3"),
        (
            f"https://sns.ap-southeast-5.amazonaws.com/SimpleNotificationService-{HEX}.pem",
            "ap-southeast-5",
        ),
        (
            f"https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-{HEX}.pem",
            "cn-north-1",
        ),
        (
            f"https://sns.cn-northwest-1.amazonaws.com.cn/SimpleNotificationService-{HEX}.pem",
            "cn-northwest-1",
        ),
        (
            f"https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-{HEX}.pem",
            "us-gov-west-1",
        ),
        (
            f"https://sns.us-gov-east-1.amazonaws.com/SimpleNotificationService-{HEX}.pem",
            "us-gov-east-1",
        ),
    ],
)
def test_sns_certificate_urls_of_every_partition(url: str, region: str) -> None:
    assert cert_url_region(url) == region


PEM = f"SimpleNotificationService-{HEX}.pem"
REFUSED = [
    f"http://sns.us-east-1.amazonaws.com/{PEM}",
    f"HTTPS://sns.us-east-1.amazonaws.com/{PEM}",
    f"ftp://sns.us-east-1.amazonaws.com/{PEM}",
    f"//sns.us-east-1.amazonaws.com/{PEM}",
    f"https://sns.us-east-1.amazonaws.com.evil.example/{PEM}",
    f"https://evil.example/sns.us-east-1.amazonaws.com/{PEM}",
    f"https://evil.example/?sns.us-east-1.amazonaws.com/{PEM}",
    f"https://sns.us-east-1.amazonaws.com:443/{PEM}",
    f"https://sns.us-east-1.amazonaws.com:8443/{PEM}",
    f"https://user@sns.us-east-1.amazonaws.com/{PEM}",
    f"https://user:pass@sns.us-east-1.amazonaws.com/{PEM}",
    f"https://sns.us-east-1.amazonaws.com@evil.example/{PEM}",
    f"https://sns.us-east-1.amazonaws.com\\@evil.example/{PEM}",
    f"https://sns.us-east-1.amazonaws.com/{PEM}?x=1",
    f"https://sns.us-east-1.amazonaws.com/{PEM}?",
    f"https://sns.us-east-1.amazonaws.com/{PEM}#frag",
    f"https://sns.us-east-1.amazonaws.com/{PEM};params",
    f"https://sns.us-east-1.amazonaws.com/certs/{PEM}",
    f"https://sns.us-east-1.amazonaws.com//{PEM}",
    f"https://sns.us-east-1.amazonaws.com/../{PEM}",
    f"https://sns.us-east-1.amazonaws.com/%53impleNotificationService-{HEX}.pem",
    f"https://sns.us-east-1.amazonaws.com/{PEM}.txt",
    f"https://sns.us-east-1.amazonaws.com/{PEM}/",
    "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-.pem",
    "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-xyz123.pem",
    f"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-{HEX.upper()}.pem",
    f"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-{HEX * 3}.pem",
    f"https://sns.us-east-1.amazonaws.com/evil-{HEX}.pem",
    f"https://sns.us-east-1.amazonaws.com/{PEM}\n",
    f"https://sns.us-east-1.amazonaws.com/{PEM} ",
    f" https://sns.us-east-1.amazonaws.com/{PEM}",
    f"https://sns.us-east-1.amazonaws.com./{PEM}",
    f"https://SNS.us-east-1.amazonaws.com/{PEM}",
    f"https://sns.amazonaws.com/{PEM}",
    f"https://sns-fips.us-east-1.amazonaws.com/{PEM}",
    f"https://sns.us-east-1.api.aws/{PEM}",
    f"https://s3.us-east-1.amazonaws.com/{PEM}",
    f"https://sns.cn-north-1.amazonaws.com/{PEM}",
    f"https://sns.us-east-1.amazonaws.com.cn/{PEM}",
    f"https://sns.127.0.0.1.amazonaws.com/{PEM}",
    f"https://127.0.0.1/{PEM}",
    f"https://169.254.169.254/{PEM}",
    f"https://\uff53ns.us-east-1.amazonaws.com/{PEM}",
    "",
    "https://",
]


@pytest.mark.parametrize("url", REFUSED)
def test_everything_else_is_refused(url: str) -> None:
    with pytest.raises(Untrusted) as caught:
        cert_url_region(url)
    assert caught.value.reason == "cert_url"
    assert caught.value.status == 403


def test_the_certificate_must_be_in_the_topics_region() -> None:
    assert check_cert_url(GOOD, "arn:aws:sns:us-east-1:123456789012:t") == "us-east-1"
    with pytest.raises(Untrusted, match="in us-east-1"):
        check_cert_url(GOOD, "arn:aws:sns:eu-west-1:123456789012:t")
    with pytest.raises(Untrusted):
        check_cert_url(GOOD, "not-an-arn")


@pytest.mark.parametrize(
    ("arn", "region"),
    [
        ("arn:aws:sns:us-east-1:123456789012:alerts", "us-east-1"),
        ("arn:aws:sns:us-east-1:123456789012:alerts.fifo", "us-east-1"),
        ("arn:aws-cn:sns:cn-north-1:123456789012:alerts", "cn-north-1"),
        ("arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts", "us-gov-west-1"),
        ("arn:aws:sqs:us-east-1:123456789012:alerts", None),
        ("arn:aws:sns:us-east-1:1234:alerts", None),
        ("arn:aws:sns:us-east-1:123456789012:", None),
        ("arn:aws:sns:us-east-1:123456789012:a/b", None),
    ],
)
def test_topic_region(arn: str, region: str | None) -> None:
    assert topic_region(arn) == region


def test_signing_names_per_partition() -> None:
    assert "sns.amazonaws.com" in signing_names("us-east-1")
    assert "sns-signing.af-south-1.amazonaws.com" in signing_names("af-south-1")
    assert "sns-cn-north-1.amazonaws.com.cn" in signing_names("cn-north-1")
    assert "sns.amazonaws.com" not in signing_names("cn-north-1")
    assert "sns-us-gov-west-1.amazonaws.com" in signing_names("us-gov-east-1")
