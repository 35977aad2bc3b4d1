"""An `s3://` prefix seen as a folder (see bot.drift.files).

A prefix is a folder (`run1` does not take in `run10/...`), or the one object it names.
Up to `MAX_FILES` keys are listed in full. A larger prefix, such as a monitoring schedule's
root after months of hourly executions (`.../2026/11/25/03/`), is listed one level at a
time with `/` as delimiter, following the greatest subfolder down to the first level that
holds files, with any `baseline/` folder met on the way: S3 lists keys in ascending
order only, so the first `MAX_FILES` keys would be the oldest executions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.core.errors import InputError

MAX_FILES = 5000
MAX_BYTES = 256 * 1024 * 1024
_MAX_DEPTH = 12


def join(prefix: str, name: str) -> str:
    return f"{prefix.rstrip('/')}/{name}" if prefix else name


def reason(error: Exception) -> str:
    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        return f"{info.get('Code', 'error')}: {info.get('Message', '')}".strip(": ")
    return str(error)


@dataclass
class S3Folder:
    client: Any
    bucket: str
    prefix: str
    where: str
    _keys: dict[str, str] = field(default_factory=dict)

    @property
    def _folder(self) -> str:
        return self.prefix.rstrip("/") + "/" if self.prefix.rstrip("/") else ""

    def names(self) -> list[str]:
        try:
            complete, _ = self._list(self.prefix, None)
            if not complete:
                self._keys.clear()
                self._latest_branch()
        except (ClientError, BotoCoreError) as error:
            raise InputError(f"cannot list {self.where}: {reason(error)}") from None
        return sorted(self._keys)

    def read(self, name: str) -> bytes | None:
        key = self._keys.get(name) or join(self.prefix, name)
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
            return bytes(body.read(MAX_BYTES + 1))[:MAX_BYTES]
        except (ClientError, BotoCoreError):
            return None

    def _list(self, prefix: str, delimiter: str | None) -> tuple[bool, list[str]]:
        """Add the keys under `prefix` (one level of them with a delimiter): whether they
        were all taken (at most MAX_FILES), and the subfolders met."""
        request: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
        if delimiter:
            request["Delimiter"] = delimiter
        subfolders: list[str] = []
        added = 0
        for page in self.client.get_paginator("list_objects_v2").paginate(**request):
            subfolders += [str(p.get("Prefix", "")) for p in page.get("CommonPrefixes") or []]
            for item in page.get("Contents") or []:
                added += self._add(str(item.get("Key", "")), int(item.get("Size") or 0))
                if added > MAX_FILES:
                    return False, subfolders
        return True, subfolders

    def _add(self, key: str, size: int) -> int:
        if key.endswith("/") or size > MAX_BYTES:
            return 0
        if key == self.prefix:
            self._keys[key.rsplit("/", 1)[-1]] = key
        elif key.startswith(self._folder):
            self._keys[key[len(self._folder) :]] = key
        else:
            return 0
        return 1

    def _latest_branch(self) -> None:
        level = self._folder
        for _ in range(_MAX_DEPTH):
            before = len(self._keys)
            _, subfolders = self._list(level, "/")
            files_here = len(self._keys) > before
            baselines = [p for p in subfolders if p.rstrip("/").rsplit("/", 1)[-1] == "baseline"]
            for baseline in baselines:
                self._list(baseline, None)
            others = [p for p in subfolders if p not in baselines]
            if files_here or not others:
                return
            level = max(others)
