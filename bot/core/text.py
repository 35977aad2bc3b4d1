"""The one escaping and truncation layer for text that reaches Slack.

Every string from AWS or from a user passes through `clip` (or `escape`) before it is put
in a payload: `&`, `<` and `>` become entities, so `<!channel>` in a FailureReason shows
as text and mentions nobody; control characters and bidirectional overrides (used to
disguise text) are removed; the result fits the limit it is given, cut where no entity is
split, with an ellipsis.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ELLIPSIS = "…"
_LONGEST_ENTITY = len("&amp;")
_URL_SAFE = ":/?#[]@!$&'()*+,;=-._~%"


def clean(raw: str) -> str:
    return _UNSAFE.sub("", raw)


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
