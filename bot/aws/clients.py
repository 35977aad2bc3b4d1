"""boto3 clients made once, on first use, with standard retries. They honour the usual
AWS_* variables, AWS_ENDPOINT_URL included (tests point it at a moto server)."""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config as BotoConfig

from bot.config.regions import home_region

# Adaptive retry mode waits out ThrottlingException with client-side rate limiting.
_RETRIES = BotoConfig(
    retries={"max_attempts": 6, "mode": "adaptive"}, connect_timeout=5, read_timeout=20
)


class AwsClients:
    def __init__(self, region: str | None = None, session: Any = None) -> None:
        self._session: Any = session or boto3.session.Session(region_name=region or home_region())
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def region(self) -> str | None:
        """The region its clients are made in (None: none configured)."""
        region = self._session.region_name
        return region if isinstance(region, str) else None

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._make(service)
            return self._clients[service]

    def _make(self, service: str) -> Any:
        """A new client for `service` (the demo's makes them for its embedded AWS)."""
        return self._session.client(service, config=_RETRIES)

    def close(self) -> None:
        """Close the clients' connections."""
        with self._lock:
            for made in self._clients.values():
                made.close()
            self._clients.clear()

    @property
    def sagemaker(self) -> Any:
        return self.client("sagemaker")

    @property
    def cloudwatch(self) -> Any:
        return self.client("cloudwatch")

    @property
    def logs(self) -> Any:
        return self.client("logs")

    @property
    def s3(self) -> Any:
        return self.client("s3")

    @property
    def codepipeline(self) -> Any:
        return self.client("codepipeline")
