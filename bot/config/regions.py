"""AWS regions: which names are real (botocore's endpoint data, every partition), and which
region the bot itself is in.

botocore reads its region from AWS_DEFAULT_REGION only; the other AWS SDKs, the AWS CLI v2,
Lambda, ECS and the README's `docker run -e AWS_REGION` use AWS_REGION. mlpulse honours
both, AWS_REGION first (the order of the other SDKs): `adopt_aws_region` copies it where
botocore looks, once at start-up, so every client the process makes (SQS, SNS, DynamoDB,
the commands' own) finds it.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
from collections.abc import MutableMapping
from pathlib import Path


@functools.cache
def known_regions() -> frozenset[str]:
    """Every region code botocore knows, in every partition (China, GovCloud, ...).

    Read from the installed botocore's data file, not through botocore's code: the config
    is read by the pure stages (pyproject's `pure` contract keeps botocore out of them), and
    the file is the same one botocore itself loads, so a botocore that knows a new region
    makes it valid here too."""
    spec = importlib.util.find_spec("botocore")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / "data" / "endpoints.json"
        if path.is_file():
            endpoints = json.loads(path.read_text(encoding="utf-8"))
            return frozenset(
                region for partition in endpoints["partitions"] for region in partition["regions"]
            )
    return frozenset()  # no botocore: nothing to check against (check_region lets all pass)


def check_region(value: str) -> str:
    """`value` when it is a region botocore knows; else a ValueError naming close ones."""
    if value in known_regions() or not known_regions():
        return value
    close = sorted(r for r in known_regions() if r.split("-")[0] == value.split("-")[0])[:6]
    hint = f"; did you mean one of {', '.join(close)}?" if close else ""
    raise ValueError(f"{value!r} is not an AWS region botocore knows{hint}")


def home_region(environ: MutableMapping[str, str] | None = None) -> str | None:
    """The bot's own region: AWS_REGION, else AWS_DEFAULT_REGION, else none."""
    env = os.environ if environ is None else environ
    return env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None


def adopt_aws_region(environ: MutableMapping[str, str] | None = None) -> None:
    """Let botocore see AWS_REGION when AWS_DEFAULT_REGION is not set."""
    env = os.environ if environ is None else environ
    if env.get("AWS_REGION") and not env.get("AWS_DEFAULT_REGION"):
        env["AWS_DEFAULT_REGION"] = env["AWS_REGION"]
