"""SNS signing certificates: fetched once per URL, checked, and kept.

Only URLs that pass `bot.ingress.sns.certurl` ever reach a fetcher: the cache checks again before
calling it, so a caller's mistake cannot turn into a request. The fetcher is injectable
(`Fetcher`: URL in, PEM bytes out, `OSError` on failure); the default one speaks HTTPS with
certificate verification, follows no redirect and reads at most 64 KiB.

A fetch that fails, or answers something that is not a PEM certificate, is `Retryable` (SNS
retries the delivery); a certificate that parses but does not name SNS is `Untrusted`.
Authenticity of the certificate itself rests on TLS to the pinned AWS host, as in the AWS
SDKs' validators.

Posts are unauthenticated until their certificate is had, so fetching is bounded (anyone who
knows an allowed topic's ARN can name any path on the AWS host):
- a failed fetch is remembered per URL for `FAILURE_TTL` (15 s) and answered from memory:
  shorter than SNS's default 20 s between HTTP retries, so a genuine message's next try
  always fetches afresh, while a stream of posts naming one bad URL costs one fetch per 15 s;
- at most `FETCH_BUDGET` (5) fetches of URLs not in the cache per `BUDGET_WINDOW` (a sliding
  minute); beyond it a post is answered `Retryable` without fetching. SNS signs with one
  certificate per region and rotates it rarely, so a bot needs a fetch per region at start
  and one per rotation; five a minute covers that and caps what forged posts can cause.
  Cached certificates need no budget: genuine traffic on a known certificate is unaffected.
"""

from __future__ import annotations

import logging
import ssl
import threading
import urllib.request
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NoReturn

from cryptography import x509
from cryptography.x509.oid import NameOID

from bot.core.clock import Clock, SystemClock
from bot.ingress.sns.certurl import cert_url_region, signing_names
from bot.ingress.sns.errors import Retryable, SnsRejected, Untrusted

log = logging.getLogger(__name__)
Fetcher = Callable[[str], bytes]
_MAX_CERT_BYTES = 64 * 1024
_FETCH_TIMEOUT_S = 5.0
_MAX_CACHED = 64
FAILURE_TTL = timedelta(seconds=15)
FETCH_BUDGET = 5
BUDGET_WINDOW = timedelta(minutes=1)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise OSError("the certificate URL answered with a redirect; not followed")


def https_fetch(url: str) -> bytes:
    """GET `url` over verified HTTPS, without redirects; at most 64 KiB."""
    cert_url_region(url)  # never fetch anything else, whoever calls this
    context = ssl.create_default_context()
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context), _NoRedirects()
    )
    with opener.open(url, timeout=_FETCH_TIMEOUT_S) as answer:
        body: bytes = answer.read(_MAX_CERT_BYTES + 1)
    if len(body) > _MAX_CERT_BYTES:
        raise OSError(f"certificate answer larger than {_MAX_CERT_BYTES} bytes")
    return body


class CertificateCache:
    def __init__(
        self,
        fetcher: Fetcher | None = None,
        clock: Clock | None = None,
        *,
        budget: int = FETCH_BUDGET,
    ) -> None:
        self.fetcher = fetcher or https_fetch
        self.clock = clock or SystemClock()
        self.budget = budget
        self._certs: dict[str, x509.Certificate] = {}
        self._failed: dict[str, tuple[datetime, SnsRejected]] = {}  # URL -> until, why
        self._fetched: deque[datetime] = deque()  # when each fetch in the window began
        self._fetching: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> x509.Certificate:
        """The checked certificate at `url`, fetched on first use; concurrent first uses of
        one URL fetch it once. A recent failure for `url`, or a spent budget, raises without
        fetching."""
        region = cert_url_region(url)
        with self._lock:
            cached = self._known(url)
            if cached is not None:
                return cached
            url_lock = self._fetching.setdefault(url, threading.Lock())
        with url_lock:
            try:
                with self._lock:
                    cached = self._known(url)
                    if cached is not None:
                        return cached
                    self._spend(url)
                cert = self._fetch(url, region)
            finally:
                with self._lock:
                    self._fetching.pop(url, None)
            with self._lock:
                if len(self._certs) >= _MAX_CACHED:
                    self._certs.pop(next(iter(self._certs)))
                self._certs[url] = cert
            return cert

    def _known(self, url: str) -> x509.Certificate | None:
        """The cached certificate, None to fetch, or the remembered failure raised again.
        Called holding the lock."""
        cert = self._certs.get(url)
        if cert is not None:
            return cert
        failed = self._failed.get(url)
        if failed is None:
            return None
        until, error = failed
        if self.clock.now() >= until:
            del self._failed[url]
            return None
        raise type(error)(error.reason, f"{error.detail} (remembered until {until:%H:%M:%S})")

    def _spend(self, url: str) -> None:
        """Count one fetch against the budget, or refuse it. Called holding the lock."""
        now = self.clock.now()
        while self._fetched and self._fetched[0] <= now - BUDGET_WINDOW:
            self._fetched.popleft()
        if len(self._fetched) >= self.budget:
            raise Retryable(
                "cert_budget",
                f"{len(self._fetched)} certificate fetches in the last minute; {url} not "
                "fetched now",
            )
        self._fetched.append(now)

    def _fetch(self, url: str, region: str) -> x509.Certificate:
        try:
            return self._load(url, region)
        except SnsRejected as error:
            with self._lock:
                now = self.clock.now()
                for stale in [u for u, (until, _) in self._failed.items() if until <= now]:
                    del self._failed[stale]
                if len(self._failed) >= _MAX_CACHED:
                    self._failed.pop(next(iter(self._failed)))
                self._failed[url] = (now + FAILURE_TTL, error)
            raise

    def _load(self, url: str, region: str) -> x509.Certificate:
        try:
            pem = self.fetcher(url)
        except (OSError, ValueError) as error:  # URLError and timeouts are OSErrors
            raise Retryable("cert_fetch", f"fetching {url}: {error}") from None
        try:
            cert = x509.load_pem_x509_certificate(pem)
        except ValueError:
            raise Retryable("cert_fetch", f"{url} did not answer a PEM certificate") from None
        names = certificate_names(cert)
        if not names & signing_names(region):
            raise Untrusted("cert_name", f"certificate at {url} names {sorted(names)[:5]}")
        log.info("SNS signing certificate %s fetched and cached", url)
        return cert


def certificate_names(cert: x509.Certificate) -> set[str]:
    """The DNS names a certificate is for: its subjectAltName DNS entries, or when it has
    none, its subject common names (RFC 6125), lower-cased."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        values = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    except ValueError:  # a malformed extension
        return set()
    else:
        values = list(san.value.get_values_for_type(x509.DNSName))
    return {v.lower() for v in values if isinstance(v, str)}
