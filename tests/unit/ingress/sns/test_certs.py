"""RELIABILITY A5 and A6 at the cache: fetched once per URL, only allowed URLs, failures
retryable and remembered for a short while, new fetches within a budget per minute (issue
13), and the certificate must name SNS."""

from __future__ import annotations

import secrets
import threading
import urllib.request
from datetime import datetime

import pytest

from bot.core.clock import FakeClock
from bot.ingress.sns.certs import (
    BUDGET_WINDOW,
    FAILURE_TTL,
    FETCH_BUDGET,
    CertificateCache,
    _NoRedirects,
    certificate_names,
    https_fetch,
)
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


def test_a_failed_fetch_is_retryable_and_remembered_for_a_short_while(
    signer: SnsSigner, clock: FakeClock
) -> None:
    fetcher = signer.fetcher()
    fetcher.fail(1)
    cache = CertificateCache(fetcher, clock)
    with pytest.raises(Retryable) as caught:
        cache.get(CERT_URL)
    assert (caught.value.status, caught.value.reason) == (503, "cert_fetch")
    clock.advance(FAILURE_TTL.total_seconds() - 0.001)
    with pytest.raises(Retryable) as again:
        cache.get(CERT_URL)  # answered from memory
    assert again.value.reason == "cert_fetch"
    assert fetcher.calls == [CERT_URL]
    clock.advance(0.001)
    assert cache.get(CERT_URL) is not None  # the retry fetches again, and succeeds
    assert fetcher.calls == [CERT_URL, CERT_URL]


def test_a_remembered_failure_is_per_url(signer: SnsSigner, clock: FakeClock) -> None:
    fetcher = signer.fetcher({OTHER_URL: signer.pem})
    fetcher.fail(1)
    cache = CertificateCache(fetcher, clock)
    with pytest.raises(Retryable):
        cache.get(CERT_URL)
    assert cache.get(OTHER_URL) is not None
    assert fetcher.calls == [CERT_URL, OTHER_URL]


def test_a_certificate_not_naming_sns_is_remembered_too(clock: FakeClock) -> None:
    pem = make_certificate(private_key(), clock.now(), "evil.example", ["evil.example"])
    fetcher = FakeFetcher({CERT_URL: pem})
    cache = CertificateCache(fetcher, clock)
    for _ in range(3):
        with pytest.raises(Untrusted) as caught:
            cache.get(CERT_URL)
        assert caught.value.reason == "cert_name"
    assert fetcher.calls == [CERT_URL]


def test_concurrent_uses_of_a_failing_url_fetch_once(signer: SnsSigner, clock: FakeClock) -> None:
    release = threading.Event()
    inner = signer.fetcher()
    inner.fail(1)

    def slow(url: str) -> bytes:
        release.wait(timeout=10)
        return inner(url)

    cache = CertificateCache(slow, clock)
    reasons: list[str] = []

    def use() -> None:
        try:
            cache.get(CERT_URL)
        except Retryable as error:
            reasons.append(error.reason)

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert reasons == ["cert_fetch"] * 8
    assert inner.calls == [CERT_URL]


def random_cert_url() -> str:
    return (
        f"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-{secrets.token_hex(16)}.pem"
    )


def test_new_urls_are_fetched_within_a_budget_per_minute(
    signer: SnsSigner, clock: FakeClock
) -> None:
    """Forged posts naming 40 random certificate paths on the AWS host cost at most the
    budget in fetches; the rest are answered retryable without a request."""
    fetcher = signer.fetcher()
    cache = CertificateCache(fetcher, clock)
    reasons = []
    for _ in range(40):
        with pytest.raises(Retryable) as caught:
            cache.get(random_cert_url())
        reasons.append(caught.value.reason)
    assert len(fetcher.calls) == FETCH_BUDGET == 5
    assert reasons == ["cert_fetch"] * FETCH_BUDGET + ["cert_budget"] * (40 - FETCH_BUDGET)
    clock.advance(BUDGET_WINDOW.total_seconds() - 1)
    with pytest.raises(Retryable, match="not fetched now"):
        cache.get(CERT_URL)
    clock.advance(1)  # the first fetch of the window has left it
    assert cache.get(CERT_URL) is not None
    assert len(fetcher.calls) == FETCH_BUDGET + 1


def test_the_budget_is_a_sliding_window(signer: SnsSigner, clock: FakeClock) -> None:
    fetcher = signer.fetcher()
    cache = CertificateCache(fetcher, clock, budget=2)
    for _ in range(2):
        with pytest.raises(Retryable):
            cache.get(random_cert_url())
        clock.advance(30)
    # now 60 s after the first fetch and 30 s after the second: one fetch is free again
    with pytest.raises(Retryable, match="404"):
        cache.get(random_cert_url())
    with pytest.raises(Retryable, match="not fetched now"):
        cache.get(random_cert_url())
    assert len(fetcher.calls) == 3


def test_a_cached_certificate_needs_no_budget(signer: SnsSigner, clock: FakeClock) -> None:
    fetcher = signer.fetcher()
    cache = CertificateCache(fetcher, clock)
    first = cache.get(CERT_URL)
    for _ in range(20):
        with pytest.raises(Retryable):
            cache.get(random_cert_url())
    assert cache.get(CERT_URL) is first  # genuine traffic on a known certificate goes on
    assert len(fetcher.calls) == FETCH_BUDGET


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
