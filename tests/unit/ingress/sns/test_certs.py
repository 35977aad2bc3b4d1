"""RELIABILITY A5 and A6 at the cache: fetched once per URL, only allowed URLs, failures
retryable and not remembered, and the certificate must name SNS."""

from __future__ import annotations

import threading
import urllib.request
from datetime import datetime

import pytest

from bot.ingress.sns.certs import CertificateCache, _NoRedirects, certificate_names, https_fetch
from bot.ingress.sns.errors import Retryable, Untrusted
from tests.fakes.sns_signing import CERT_URL, FakeFetcher, SnsSigner, make_certificate, private_key

HEX = "0123456789abcdef0123456789abcdef"
CN_URL = f"https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-{HEX}.pem"
GOV_URL = f"https://sns.us-gov-east-1.amazonaws.com/SimpleNotificationService-{HEX}.pem"
OTHER_URL = f"https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-{HEX}.pem"


def test_fetched_once_per_url(signer: SnsSigner) -> None:
    fetcher = signer.fetcher({OTHER_URL: signer.pem})
    cache = CertificateCache(fetcher)
    first = cache.get(CERT_URL)
    assert cache.get(CERT_URL) is first
    cache.get(OTHER_URL)
    cache.get(OTHER_URL)
    assert fetcher.calls == [CERT_URL, OTHER_URL]


def test_concurrent_first_uses_fetch_once(signer: SnsSigner) -> None:
    release = threading.Event()
    inner = signer.fetcher()

    def slow(url: str) -> bytes:
        release.wait(timeout=10)
        return inner(url)

    cache = CertificateCache(slow)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get(CERT_URL))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert len(results) == 8
    assert len({id(cert) for cert in results}) == 1
    assert inner.calls == [CERT_URL]


def test_a_failed_fetch_is_retryable_and_not_cached(signer: SnsSigner) -> None:
    fetcher = signer.fetcher()
    fetcher.fail(1)
    cache = CertificateCache(fetcher)
    with pytest.raises(Retryable) as caught:
        cache.get(CERT_URL)
    assert (caught.value.status, caught.value.reason) == (503, "cert_fetch")
    assert cache.get(CERT_URL) is not None  # the retry fetches again, and succeeds
    assert fetcher.calls == [CERT_URL, CERT_URL]


@pytest.mark.parametrize(
    "answer",
    [
        b"",
        b"<html>Service Unavailable</html>",
        b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n",
    ],
)
def test_an_answer_that_is_not_a_certificate_is_retryable(answer: bytes) -> None:
    cache = CertificateCache(FakeFetcher({CERT_URL: answer}))
    with pytest.raises(Retryable):
        cache.get(CERT_URL)


def test_a_refused_url_never_reaches_the_fetcher(signer: SnsSigner) -> None:
    fetcher = signer.fetcher()
    with pytest.raises(Untrusted):
        CertificateCache(fetcher).get("https://sns.us-east-1.amazonaws.com.evil.example/x.pem")
    assert fetcher.calls == []


def test_the_default_fetcher_refuses_other_urls_itself() -> None:
    with pytest.raises(Untrusted):
        https_fetch("http://127.0.0.1:9/SimpleNotificationService-0123456789abcdef.pem")


def test_the_default_fetcher_follows_no_redirect() -> None:
    request = urllib.request.Request(CERT_URL)
    with pytest.raises(OSError, match="redirect"):
        _NoRedirects().redirect_request(request, None, 302, "Found", {}, "http://127.0.0.1/")


@pytest.mark.parametrize(
    ("common_name", "dns_names", "url", "trusted"),
    [
        ("sns.amazonaws.com", ["sns.amazonaws.com"], CERT_URL, True),
        ("sns.amazonaws.com", None, CERT_URL, True),  # no SAN: the CN counts
        ("SNS.AMAZONAWS.COM", None, CERT_URL, True),
        ("evil.example", ["evil.example"], CERT_URL, False),
        ("sns.amazonaws.com", ["evil.example"], CERT_URL, False),  # SAN present: CN ignored
        ("evil.example", ["sns.amazonaws.com"], CERT_URL, True),
        ("*.amazonaws.com", ["*.amazonaws.com"], CERT_URL, False),  # no wildcards
        ("sns.amazonaws.com.evil.example", None, CERT_URL, False),
        ("sns-cn-north-1.amazonaws.com.cn", None, CN_URL, True),
        ("sns.amazonaws.com", None, CN_URL, False),
        ("sns-us-gov-west-1.amazonaws.com", None, GOV_URL, True),
    ],
)
def test_the_certificate_must_name_sns(
    clock_now: datetime, common_name: str, dns_names: list[str] | None, url: str, trusted: bool
) -> None:
    pem = make_certificate(private_key(), clock_now, common_name, dns_names)
    cache = CertificateCache(FakeFetcher({url: pem}))
    if trusted:
        cache.get(url)
    else:
        with pytest.raises(Untrusted) as caught:
            cache.get(url)
        assert caught.value.reason == "cert_name"


def test_certificate_names(clock_now: datetime) -> None:
    from cryptography import x509

    pem = make_certificate(private_key(), clock_now, "a.example", ["B.example", "c.example"])
    assert certificate_names(x509.load_pem_x509_certificate(pem)) == {"b.example", "c.example"}


@pytest.fixture
def clock_now(signer: SnsSigner) -> datetime:
    return signer.now
