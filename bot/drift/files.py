"""Where reports and data files live: a local folder or file, or an `s3://` prefix or key.

A `Folder` lists the files under it (relative names, at most `MAX_FILES`; for S3 see
bot.drift.s3folder) and reads one. Reading never raises for a missing or unreadable file,
it answers None, so a report can say what it could not read instead of failing. The S3
client is passed in (tests give one that points at a moto server).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from bot.core.errors import InputError
from bot.drift.s3folder import MAX_BYTES, MAX_FILES, S3Folder, join, reason

S3Factory = Callable[[], Any]


class Folder(Protocol):
    where: str

    def names(self) -> list[str]: ...

    def read(self, name: str) -> bytes | None: ...


def is_s3(location: str) -> bool:
    return location.lower().startswith("s3://")


def split_s3(uri: str) -> tuple[str, str]:
    """`s3://bucket/a/b` -> `("bucket", "a/b")`."""
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket:
        raise InputError(f"{uri} names no bucket; write s3://BUCKET/PREFIX")
    return bucket, key


@dataclass
class LocalFolder:
    root: Path
    where: str

    def names(self) -> list[str]:
        if self.root.is_file():
            return [self.root.name]
        walked = islice(self.root.rglob("*"), 4 * MAX_FILES)  # not a whole disk by mistake
        return sorted(str(p.relative_to(self.root)) for p in walked if p.is_file())[:MAX_FILES]

    def read(self, name: str) -> bytes | None:
        path = self.root if self.root.is_file() else self.root / name
        try:
            if path.stat().st_size > MAX_BYTES:
                return None
            return path.read_bytes()
        except OSError:
            return None


@dataclass
class Mapped:
    """Named files at given locations (a file, or a prefix holding a file of that name)."""

    files: dict[str, str]
    s3: S3Factory
    where: str

    def names(self) -> list[str]:
        return sorted(self.files)

    def read(self, name: str) -> bytes | None:
        location = self.files.get(name)
        if location is None:
            return None
        if not location.lower().endswith(".json"):
            location = join(location, name)
        try:
            return read_one(location, self.s3)
        except InputError:
            return None


def open_folder(location: str, s3: S3Factory) -> Folder:
    """The folder (or single file) at `location`; InputError when a local path is absent."""
    if is_s3(location):
        bucket, prefix = split_s3(location)
        return S3Folder(s3(), bucket, prefix, location)
    path = Path(location).expanduser()
    if not path.exists():
        raise InputError(f"{location}: no such file or folder")
    return LocalFolder(path, location)


def read_one(location: str, s3: S3Factory) -> bytes:
    """One whole file, local or on S3; InputError when it cannot be read."""
    if is_s3(location):
        bucket, key = split_s3(location)
        try:
            return bytes(s3().get_object(Bucket=bucket, Key=key)["Body"].read())
        except (ClientError, BotoCoreError) as error:
            raise InputError(f"cannot read {location}: {reason(error)}") from None
    try:
        return Path(location).expanduser().read_bytes()
    except OSError as error:
        raise InputError(f"cannot read {location}: {error.strerror or error}") from None
