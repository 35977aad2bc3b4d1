"""A dataset's bytes and their format: a local file or `s3://` object, or a folder or prefix
of SageMaker data-capture files, opened as a stream pyarrow reads (bot.drift.datasets).

Formats are told by their content, not their name: gzip by its magic bytes (then the text
inside), Parquet by `PAR1`, data capture by a first line holding a `captureData` record (or a
`.jsonl` name), anything else as delimited text. A delimited stream can be opened again
(a large baseline is read twice; see bot.drift.datasets), a local file from disk, an S3
object by a new GET; only Parquet from S3 is held in memory, since its footer is at the end.
Whatever cannot be opened raises `InputError` with the reason.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from botocore.exceptions import BotoCoreError, ClientError

from bot.core.errors import InputError
from bot.drift.capture import capture_csv, looks_like_capture
from bot.drift.files import S3Factory, is_s3, open_folder, split_s3
from bot.drift.s3folder import reason

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
HEAD_BYTES = 1 << 20
MAX_CAPTURE_FILES = 500
Opener = Callable[[], Any]  # a fresh pyarrow input stream of the text


@dataclass(frozen=True)
class Delimited:
    source: str
    open: Opener
    head: bytes  # the first HEAD_BYTES of the text, for bot.drift.sniff
    complete: bool  # the head is the whole text
    notes: tuple[str, ...] = ()
    capture: bool = False  # data capture: no header, matched to the baseline by position


@dataclass(frozen=True)
class Parquet:
    source: str
    file: pq.ParquetFile


Input = Delimited | Parquet


def open_input(location: str, s3: S3Factory) -> Input:
    """The dataset at `location`: a file, an S3 object, or a folder/prefix of capture files."""
    if _is_folder(location):
        return _capture_folder(location, s3)
    raw = _raw_opener(location, s3)
    with raw() as stream:
        magic = stream.read(4)
    if magic == PARQUET_MAGIC:
        return Parquet(location, _parquet(location, s3))
    opener = _gunzip(raw) if magic[:2] == GZIP_MAGIC else raw
    head = _head(opener, location)
    text_name = location.lower().removesuffix(".gz")
    if text_name.endswith(".jsonl") or looks_like_capture(head.decode("utf-8", "replace")):
        return _capture([_read_all(opener, location)], location)
    return Delimited(location, opener, head, len(head) < HEAD_BYTES)


def _raw_opener(location: str, s3: S3Factory) -> Opener:
    if is_s3(location):
        bucket, key = split_s3(location)

        def from_s3() -> Any:
            try:
                body = s3().get_object(Bucket=bucket, Key=key)["Body"]
            except (ClientError, BotoCoreError) as error:
                raise InputError(f"cannot read {location}: {reason(error)}") from None
            return pa.PythonFile(io.BufferedReader(_Body(body), 1 << 20), mode="r")

        return from_s3
    path = Path(location).expanduser()
    if not path.is_file():
        raise InputError(f"{location}: no such file")

    def from_disk() -> Any:
        try:
            return pa.input_stream(str(path), buffer_size=1 << 20)
        except OSError as error:
            raise InputError(f"cannot read {location}: {error}") from None

    return from_disk


class _Body(io.RawIOBase):
    """An S3 object's streaming body as the file object pyarrow wraps (it reads, never
    seeks), so a large object streams instead of landing in memory."""

    def __init__(self, body: Any) -> None:
        self.body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self.body.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self.body.close()
        super().close()


def _gunzip(raw: Opener) -> Opener:
    return lambda: pa.CompressedInputStream(raw(), "gzip")


def _head(opener: Opener, location: str) -> bytes:
    try:
        with opener() as stream:
            return bytes(stream.read(HEAD_BYTES))
    except (OSError, pa.ArrowException) as error:
        raise InputError(f"cannot read {location}: {_short(error)}") from None


def _read_chunks(stream: Any) -> bytes:
    """All of a stream, read in pieces (a streamed S3 body has no size to read at once)."""
    chunks = []
    while chunk := stream.read(HEAD_BYTES):
        chunks.append(bytes(chunk))
    return b"".join(chunks)


def _read_all(opener: Opener, location: str) -> bytes:
    try:
        with opener() as stream:
            return _read_chunks(stream)
    except (OSError, pa.ArrowException) as error:
        raise InputError(f"cannot read {location}: {_short(error)}") from None


def _parquet(location: str, s3: S3Factory) -> pq.ParquetFile:
    try:
        if is_s3(location):
            with _raw_opener(location, s3)() as stream:
                return pq.ParquetFile(pa.BufferReader(_read_chunks(stream)))
        return pq.ParquetFile(str(Path(location).expanduser()))
    except (OSError, pa.ArrowException) as error:
        raise InputError(f"{location} is not a readable Parquet file: {_short(error)}") from None


def _capture_folder(location: str, s3: S3Factory) -> Delimited:
    folder = open_folder(location, s3)
    names = [n for n in folder.names() if n.lower().removesuffix(".gz").endswith(".jsonl")]
    chunks = [_unzipped(raw) for n in names[:MAX_CAPTURE_FILES] if (raw := folder.read(n))]
    if not chunks:
        raise InputError(f"no data-capture .jsonl files under {location}")
    return _capture(chunks, location)


def _unzipped(raw: bytes) -> bytes:
    if raw[:2] != GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error):
        return b""


def _capture(chunks: list[bytes], location: str) -> Delimited:
    text = "\n".join(chunk.decode("utf-8", "replace") for chunk in chunks)
    rows, skipped = capture_csv(text)
    data = rows.encode()
    notes = (f"{location}: {skipped} record(s) without CSV input skipped",) if skipped else ()
    return Delimited(
        location, lambda: pa.BufferReader(data), data[:HEAD_BYTES], True, notes, capture=True
    )


def _is_folder(location: str) -> bool:
    if is_s3(location):
        return location.endswith("/")
    return Path(location).expanduser().is_dir()


def _short(error: Exception) -> str:
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__
