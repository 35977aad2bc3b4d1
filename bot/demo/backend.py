"""moto's in-process backends, for what its API cannot set: a job's real-looking times,
failures and statuses, an execution's id (the threaded server shares this process)."""

from __future__ import annotations

from typing import Any

from bot.demo.script import ACCOUNT, REGION


def backend(service: str) -> Any:
    """The demo account and region's backend of `service` (`sagemaker`, `codepipeline`...)."""
    from moto.backends import get_backend  # moto is the `demo` extra: imported when used

    every: Any = get_backend(service)  # type: ignore[call-overload]
    return every[ACCOUNT][REGION]
