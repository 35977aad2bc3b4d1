"""SNS signing certificates: fetched once per URL, checked, and kept.

Only URLs that pass `bot.ingress.sns.certurl` ever reach a fetcher: the cache checks again before
calling it, so a caller's mistake cannot turn into a request. The fetcher is injectable
(`Fetcher`: URL in, PEM bytes out, `OSError` on failure); the default one speaks HTTPS with
certificate verification, follows no redirect and reads at most 64 KiB.

A fetch that fails, or answers something that is not a PEM certificate, is not cached: it is
`Retryable` (SNS retries the delivery, and the next try fetches again). A certificate that
parses but does not name SNS is `Untrusted`. Authenticity of the certificate itself rests on
TLS to the pinned AWS host, as in the AWS SDKs' validators.
"""

from __future__ import annotations

import logging
import ssl
import threading
import urllib.request
from collections.abc import Callable
from typing import Any, NoReturn

from cryptography import x509
from cryptography.x509.oid import NameOID

from bot.ingress.sns.certurl import cert_url_region, signing_names
from bot.ingress.sns.errors import Retryable, Untrusted

log = logging.getLogger(__name__)
Fetcher = Callable[[str], bytes]
_MAX_CERT_BYTES = 64 * 1024
_FETCH_TIMEOUT_S = 5.0
_MAX_CACHED = 64


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
    def __init__(self, fetcher: Fetcher | None = None) -> None:
        self.fetcher = fetcher or https_fetch
        self._certs: dict[str, x509.Certificate] = {}
        self._fetching: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> x509.Certificate:
        """The checked certificate at `url`, fetched on first use; concurrent first uses of
        one URL fetch it once."""
        region = cert_url_region(url)
        with self._lock:
            cached = self._certs.get(url)
            if cached is not None:
                return cached
            url_lock = self._fetching.setdefault(url, threading.Lock())
        with url_lock:
            with self._lock:
                cached = self._certs.get(url)
            if cached is not None:
                return cached
            try:
                cert = self._load(url, region)
            finally:
                with self._lock:
                    self._fetching.pop(url, None)
            with self._lock:
                if len(self._certs) >= _MAX_CACHED:
                    self._certs.pop(next(iter(self._certs)))
                self._certs[url] = cert
            return cert

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
