"""An endpoint's data-capture files on S3, newest first.

SageMaker writes them under `<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/` (AWS:
"View Captured Data"), each file named from the time it was started. S3 lists keys in
ascending order only, so the walk goes down one level at a time with `/` as delimiter,
greatest folder first, and merges the variants' hours: the newest files are found with a
few small listings, whatever months of capture lie behind them. With `since`, hours that
ended before it are never listed.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.calls import call
from bot.drift.files import split_s3
from bot.drift.s3folder import MAX_BYTES

MAX_FILES = 2000  # read at most, per answer
_LEVELS = 4  # yyyy / mm / dd / hh
_PAGE = 1000


def capture_files(
    s3: Any, destination: str, endpoint: str, since: datetime | None = None
) -> Iterator[tuple[str, Callable[[], bytes | None]]]:
    """(name under the endpoint's folder, read it), newest first."""
    bucket, prefix = split_s3(destination.rstrip("/"))
    root = f"{prefix}/{endpoint}/" if prefix else f"{endpoint}/"
    floor = _hour_key(since - timedelta(hours=1)) if since else None  # clocks drift a little
    hours = heapq.merge(
        *(_hours(s3, bucket, variant, floor) for variant in _folders(s3, bucket, root)),
        key=lambda found: found[0],
        reverse=True,
    )
    given = 0
    for _, hour in hours:
        for key in sorted(_files(s3, bucket, hour), reverse=True):
            if given >= MAX_FILES:
                return
            given += 1
            yield key[len(root) :], _reader(s3, bucket, key)


def _hours(s3: Any, bucket: str, variant: str, floor: str | None) -> Iterator[tuple[str, str]]:
    """(`yyyy/mm/dd/hh`, its prefix) of one variant, newest first."""

    def walk(prefix: str, depth: int) -> Iterator[tuple[str, str]]:
        for folder in sorted(_folders(s3, bucket, prefix), reverse=True):
            key = folder[len(variant) :].rstrip("/")
            if floor and key < floor[: len(key)]:
                return  # this folder and every one after it end before `since`
            if depth + 1 == _LEVELS:
                yield key, folder
            else:
                yield from walk(folder, depth + 1)

    yield from walk(variant, 0)


def _folders(s3: Any, bucket: str, prefix: str) -> list[str]:
    found: list[str] = []
    token = None
    while True:
        request: dict[str, Any] = {
            "Bucket": bucket,
            "Prefix": prefix,
            "Delimiter": "/",
            "MaxKeys": _PAGE,
        }
        if token:
            request["ContinuationToken"] = token
        page = call(s3, "list_objects_v2", what=f"s3://{bucket}/{prefix}", **request)
        found += [str(p["Prefix"]) for p in page.get("CommonPrefixes") or [] if p.get("Prefix")]
        if not (token := page.get("NextContinuationToken")):
            return found


def _files(s3: Any, bucket: str, prefix: str) -> list[str]:
    found: list[str] = []
    token = None
    while len(found) < MAX_FILES:
        request: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": _PAGE}
        if token:
            request["ContinuationToken"] = token
        page = call(s3, "list_objects_v2", what=f"s3://{bucket}/{prefix}", **request)
        found += [
            str(item["Key"])
            for item in page.get("Contents") or []
            if str(item.get("Key", "")).endswith(".jsonl")
            and int(item.get("Size") or 0) <= MAX_BYTES
        ]
        if not (token := page.get("NextContinuationToken")):
            break
    return found


def _reader(s3: Any, bucket: str, key: str) -> Callable[[], bytes | None]:
    def read() -> bytes | None:
        try:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"]
            return bytes(body.read(MAX_BYTES + 1))[:MAX_BYTES]
        except (ClientError, BotoCoreError):
            return None

    return read


def _hour_key(moment: datetime) -> str:
    return moment.strftime("%Y/%m/%d/%H")
