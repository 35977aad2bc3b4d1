"""The AWS-backed subcommands are registered, documented for `help`, and slow."""

from __future__ import annotations

import pytest

from commands import REGISTRY, example, help_line

AWS_COMMANDS = ("status", "jobs", "job", "metrics", "endpoint", "pipeline")


@pytest.mark.parametrize("name", AWS_COMMANDS)
def test_registered_documented_and_slow(name: str) -> None:
    module = REGISTRY[name]
    assert module.SLOW is True  # acknowledged at once, answered through response_url
    assert help_line(module).startswith(f"{name}")
    assert " — " in help_line(module) and len(help_line(module)) <= 100
    assert example(module).startswith(f"/mlpulse {name}")
