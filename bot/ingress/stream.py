"""JSON documents read from text that arrives a piece at a time, one document at a time:
`mlpulse ingest` keeps a bounded amount of a file in memory however big it is.

The text is what bot.ingress.ingest.parse_document reads whole: one JSON value, an array
of them (each element a document), or JSON lines (any whitespace between values). A value
cut by the end of a piece is decoded again once the next piece is in; a value still
unfinished at the end of the text is an InputError naming its line.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from bot.core.errors import InputError

PIECE = 1 << 20  # bytes read at a time
MAX_DOCUMENT = 64 << 20  # characters one document may take (an event is kilobytes)
_SPACE = " \t\r\n"


class _Text:
    """The unread part of the text, refilled from `pieces` on demand."""

    def __init__(self, pieces: Iterable[str]) -> None:
        self._pieces = iter(pieces)
        self.buffer, self.pos = "", 0
        self.line = 1  # of `pos`, for messages
        self.ended = False

    def more(self) -> bool:
        """Read the next piece; False at the end of the text."""
        for piece in self._pieces:
            if piece:
                self.line += self.buffer.count("\n", 0, self.pos)
                self.buffer, self.pos = self.buffer[self.pos :] + piece, 0
                return True
        self.ended = True
        return False

    def peek(self) -> str:
        """The next character that is not white space ('' at the end), not consumed."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _SPACE:
                self.pos += 1
            if self.pos < len(self.buffer) or not self.more():
                return self.buffer[self.pos : self.pos + 1]

    def where(self) -> int:
        return self.line + self.buffer.count("\n", 0, self.pos)


def documents(pieces: Iterable[str], where: str = "input") -> Iterator[Any]:
    """Each document of the text `pieces` make up, in order."""
    text = _Text(pieces)
    decoder = json.JSONDecoder()
    found = False
    while (first := text.peek()) != "":
        if first == "[":
            text.pos += 1
            yield from _elements(text, decoder, where)
        else:
            yield _value(text, decoder, where)
        found = True
    if not found:
        raise InputError(f"{where} is empty: expected a JSON event, array or JSON lines")


def _elements(text: _Text, decoder: json.JSONDecoder, where: str) -> Iterator[Any]:
    """The elements of an array whose `[` was just read, through its `]`."""
    if text.peek() == "]":
        text.pos += 1
        return
    while True:
        yield _value(text, decoder, where)
        after = text.peek()
        text.pos += 1
        if after == "]":
            return
        if after != ",":
            raise InputError(f"{where}, line {text.where()}: expected , or ] in the array")


def _value(text: _Text, decoder: json.JSONDecoder, where: str) -> Any:
    """The JSON value at the reading position (reading on while it is cut short)."""
    text.peek()  # past white space: raw_decode reads none
    while True:
        try:
            value, end = decoder.raw_decode(text.buffer, text.pos)
        except RecursionError:
            raise InputError(f"{where} is nested too deeply to be an event") from None
        except json.JSONDecodeError as error:
            cut = error.pos >= len(text.buffer) - 1 or error.msg.startswith("Unterminated")
            if cut and len(text.buffer) - text.pos < MAX_DOCUMENT and text.more():
                continue
            raise InputError(f"{where}, line {text.where()}: {error.msg}") from None
        # A number or a word that ends the piece may go on in the next one.
        if end == len(text.buffer) and not text.ended and text.more():
            continue
        text.pos = end
        return value


def pieces_of(stream: IO[bytes], size: int = PIECE) -> Iterator[str]:
    """The text of a binary stream, `size` bytes at a time (UTF-8; what is not, replaced)."""
    decode = codecs.getincrementaldecoder("utf-8")(errors="replace")
    while chunk := stream.read(size):
        yield decode.decode(chunk)
    yield decode.decode(b"", final=True)
