"""The one escaping and truncation layer for text that reaches Slack.

Every string from AWS or from a user passes through `clip` (or `escape`) before it is put
in a payload: `&`, `<` and `>` become entities, so `<!channel>` in a FailureReason shows
as text and mentions nobody; control characters and bidirectional overrides (used to
disguise text) are removed; the result fits the limit it is given, cut where no entity is
split, with an ellipsis.

Before that, at the door: `scrub_json` makes every string and key of a parsed document fit
for UTF-8 storage and for Slack. JSON allows what neither does: a lone surrogate escape
(`"\\ud800"`) cannot be encoded as UTF-8 at all, NUL ends strings in C code, and the
non-characters (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF) are not for interchange. A lone surrogate
or a non-character becomes U+FFFD, the replacement character, so the text shows that
something was there; NUL is dropped, as `clean` drops every other control character.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ELLIPSIS = "…"
_LONGEST_ENTITY = len("&amp;")
_URL_SAFE = ":/?#[]@!$&'()*+,;=-._~%"
_REPLACEMENT = "\ufffd"
_NONCHARACTERS = "".join(
    chr(plane + last) for plane in range(0, 0x110000, 0x10000) for last in (0xFFFE, 0xFFFF)
)
_UNSTORABLE = re.compile(f"[\x00\ud800-\udfff\ufdd0-\ufdef{_NONCHARACTERS}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# What an unstorable character becomes in `json.dumps` (ASCII) output: a surrogate (a pair
# too: supplementary non-characters are written as one), NUL, or a BMP non-character. Only
# a real escape counts, not an escaped backslash followed by the letters `ud800`.
_UNSTORABLE_ESCAPE = re.compile(
    r"(?<!\\)(?:\\\\)*\\u(?:d[89a-f][0-9a-f]{2}|fd[de][0-9a-f]|fff[ef]|0000)"
)


def scrub(raw: str) -> str:
    """`raw` with every lone surrogate and non-character replaced by U+FFFD and every NUL
    removed; a high and a low surrogate side by side are the one character they encode."""
    if _UNSTORABLE.search(raw) is None:  # the usual case, checked in C
        return raw
    if _SURROGATE.search(raw) is not None:
        raw = raw.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _UNSTORABLE.sub(_REPLACEMENT, raw.replace("\x00", ""))


def scrub_json(document: Any) -> Any:
    """A parsed JSON value with `scrub` applied to every string and every key, at any depth:
    the value itself when nothing needs it (the usual case, found by one scan of its ASCII
    JSON form), else a scrubbed copy; the input is never changed. Iterative, so a document
    nested as deeply as the JSON parser allows is no deeper a problem here. Two keys that
    scrub alike keep the later value, as JSON's own duplicate keys do."""
    try:
        ascii_form = json.dumps(document, default=str)
    except (TypeError, ValueError, RecursionError):  # not JSON-shaped, or very deep: walk it
        pass
    else:
        # Most documents are ASCII: no escape at all, and the regex need not run.
        if "\\u" not in ascii_form or _UNSTORABLE_ESCAPE.search(ascii_form) is None:
            return document
    holder = [document]
    pending: list[tuple[Any, Any]] = [(holder, 0)]
    while pending:
        parent, slot = pending.pop()
        value = parent[slot]
        copy: dict[Any, Any] | list[Any]
        if isinstance(value, dict):
            copy = {_scrubbed(k): _scrubbed(v) for k, v in value.items()}
            pending.extend((copy, k) for k, v in copy.items() if isinstance(v, dict | list))
        elif isinstance(value, list):
            copy = [_scrubbed(v) for v in value]
            pending.extend((copy, i) for i, v in enumerate(copy) if isinstance(v, dict | list))
        else:
            parent[slot] = _scrubbed(value)
            continue
        parent[slot] = copy
    return holder[0]


def _scrubbed(value: Any) -> Any:
    return scrub(value) if isinstance(value, str) else value


def clean(raw: str) -> str:
    # Every character _UNSAFE matches is unprintable: most text needs no regex pass.
    return raw if raw.isprintable() else _UNSAFE.sub("", raw)


def escape(raw: str) -> str:
    return clean(raw).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(raw: str, limit: int) -> str:
    """`raw` escaped, at most `limit` characters long."""
    return truncate(escape(raw), limit)


def truncate(escaped: str, limit: int) -> str:
    """Already-escaped text cut to `limit` characters, never inside an entity."""
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: max(0, limit - len(_ELLIPSIS))]
    amp = cut.rfind("&", max(0, len(cut) - _LONGEST_ENTITY))
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + _ELLIPSIS


def safe_url(raw: str) -> str:
    """A URL from AWS data made fit for a button: controls and bidi overrides removed, and
    every other character outside RFC 3986's sets (spaces, `<`, `>`, `|`, non-ASCII)
    percent-encoded, so no URL can carry `<!channel>` or disguise where it leads."""
    return quote(clean(raw), safe=_URL_SAFE)


def code_span(raw: str, limit: int) -> str:
    """`raw` as inline code, escaped and clipped; a backtick inside would end the span
    early (a resource name may hold one), so it is swapped for a look-alike."""
    return f"`{clip(raw.replace('`', 'ˋ'), limit)}`"


def code_block(raw: str, limit: int) -> str:
    """`raw` as a Slack code block; backticks inside would end the block early, so they
    are swapped for a look-alike."""
    fence = "```"
    body = clip(raw.replace("`", "ˋ"), limit - 2 * len(fence) - 2)
    return f"{fence}\n{body}\n{fence}" if "\n" in body else f"{fence}{body}{fence}"


def ascii_digits(text: str, most: int) -> bool:
    """1 to `most` ASCII digits: `str.isdigit` alone also takes `²`, which `int` refuses,
    and `int` refuses more than 4,300 digits."""
    return 0 < len(text) <= most and text.isascii() and text.isdigit()
