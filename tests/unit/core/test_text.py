"""bot.core.text: the one escaping and truncation layer."""

from __future__ import annotations

import html
import itertools
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.text import (
    clean,
    clip,
    code_block,
    code_span,
    escape,
    safe_url,
    scrub,
    scrub_json,
    truncate,
)

ELLIPSIS = "…"
ENTITY = re.compile(r"&(amp|lt|gt);")


def no_cut_entity(text: str) -> bool:
    return "&" not in ENTITY.sub("", text)


# --- clean / escape


def test_escape_the_three_characters_slack_asks_for() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert escape("&amp;") == "&amp;amp;"  # AWS text with an entity shows it literally
    assert escape("*bold* _it_ `code`") == "*bold* _it_ `code`"


@pytest.mark.parametrize(
    "unsafe",
    [
        "\x00",
        "\x07",
        "\x08",
        "\x0b",
        "\x0c",
        "\x1b",
        "\x1f",
        "\x7f",
        "\x85",  # C1: next line
        "\x9b",  # C1: control sequence introducer
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
    ],
)
def test_clean_removes_controls_and_bidi_overrides(unsafe: str) -> None:
    assert clean(f"a{unsafe}b") == "ab"
    assert escape(f"a{unsafe}b") == "ab"


@pytest.mark.parametrize(
    "kept",
    [
        "tab\there",
        "new\nline",
        "cr\r\n",
        "emoji 🔥 👩\u200d👩\u200d👧 🏳️\u200d🌈",  # ZWJ sequences keep their joiners
        "عربى עברית",
        "accents é ü ñ 中文",
    ],
)
def test_clean_keeps_ordinary_text(kept: str) -> None:
    assert clean(kept) == kept


# --- clip / truncate


def test_clip_short_text_is_only_escaped() -> None:
    assert clip("a < b", 100) == "a &lt; b"
    assert clip("", 5) == ""


def test_clip_exactly_at_the_limit_keeps_everything() -> None:
    assert clip("abcde", 5) == "abcde"
    assert clip("abcdef", 5) == "abcd" + ELLIPSIS
    assert len(clip("x" * 1000, 150)) == 150


def test_clip_counts_the_escaped_length() -> None:
    assert clip("<<<", 12) == "&lt;&lt;&lt;"
    assert clip("<<<", 11) == "&lt;&lt;" + ELLIPSIS


@pytest.mark.parametrize("limit", range(1, 40))
def test_clip_never_splits_an_entity(limit: int) -> None:
    for raw in ("a<b>c&d" * 5, "&" * 20, "<>" * 20, "x&y" * 10):
        result = clip(raw, limit)
        assert len(result) <= limit
        assert no_cut_entity(result), result
        if result.endswith(ELLIPSIS) and result != escape(raw):
            body = result[: -len(ELLIPSIS)]
            assert escape(raw).startswith(body)
            assert len(body) >= limit - len(ELLIPSIS) - 4  # loses at most a cut entity
            assert html.unescape(escape(raw)).startswith(html.unescape(body))
        else:
            assert result == escape(raw)


def test_clip_exhaustively_over_short_strings() -> None:
    """Every string of up to five characters from `a<&>`, at every limit."""
    for size in range(6):
        for chars in itertools.product("a<&>", repeat=size):
            raw = "".join(chars)
            for limit in range(1, 3 * size + 3):
                result = clip(raw, limit)
                assert len(result) <= limit
                assert no_cut_entity(result)
                full = escape(raw)
                assert result == full or (
                    result.endswith(ELLIPSIS) and full.startswith(result[:-1])
                )


def test_clip_removes_unsafe_characters_before_measuring() -> None:
    assert clip("\u202eabc\x00", 3) == "abc"


def test_truncate_takes_already_escaped_text() -> None:
    assert truncate("&lt;&lt;&lt;", 12) == "&lt;&lt;&lt;"
    assert truncate("&lt;&lt;&lt;", 7) == "&lt;" + ELLIPSIS
    assert truncate("&lt;&lt;&lt;", 6) == "&lt;" + ELLIPSIS
    assert truncate("&lt;&lt;&lt;", 5) == "&lt;" + ELLIPSIS
    assert truncate("&lt;&lt;&lt;", 4) == ELLIPSIS


# --- code_block


def test_code_block_one_line() -> None:
    assert code_block("boom <x>", 100) == "```boom &lt;x&gt;```"


def test_code_block_many_lines_gets_fences_on_their_own_lines() -> None:
    assert code_block("a\nb", 100) == "```\na\nb\n```"


def test_code_block_backticks_cannot_close_it() -> None:
    block = code_block("x ``` y `z`", 100)
    assert block.count("`") == 6
    assert block.startswith("```") and block.endswith("```")


@pytest.mark.parametrize("limit", [10, 11, 50, 150, 2500])
def test_code_block_respects_its_limit(limit: int) -> None:
    for raw in ("y" * 10_000, "<" * 10_000, "line\n" * 2_000, "`" * 5_000):
        block = code_block(raw, limit)
        assert len(block) <= limit
        assert block.startswith("```") and block.endswith("```")
        assert block.count("```") == 2
        assert ELLIPSIS in block
        assert no_cut_entity(block)


# --- safe_url


def test_safe_url_keeps_ordinary_urls() -> None:
    url = (
        "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
        "#logStream:group=/aws/sagemaker/TrainingJobs;prefix=job%2F;streamFilter=x&y=1"
    )
    assert safe_url(url) == url


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        ("https://x/deployments/<ID>", "https://x/deployments/%3CID%3E"),
        ("https://x/<!channel>", "https://x/%3C!channel%3E"),
        ("https://x/a b|c", "https://x/a%20b%7Cc"),
        ("https://x/\u202egnp.exe", "https://x/gnp.exe"),
        ("https://x/\x00\x1b[1m\x9b", "https://x/[1m"),
        ("https://x/é", "https://x/%C3%A9"),
    ],
)
def test_safe_url_encodes_what_does_not_belong_in_a_url(raw: str, encoded: str) -> None:
    assert safe_url(raw) == encoded
    assert "<" not in safe_url(raw)


# --- scrub / scrub_json: what JSON allows but UTF-8 storage and Slack do not

UNSTORABLE = {
    "lone high surrogate": "\ud800",
    "last high surrogate": "\udbff",
    "lone low surrogate": "\udc00",
    "last low surrogate": "\udfff",
    "low before high": "\udc00\ud800",
    "first non-character": "\ufdd0",
    "last of the block": "\ufdef",
    "U+FFFE": "\ufffe",
    "U+FFFF": "\uffff",
    "U+1FFFE": "\U0001fffe",
    "U+2FFFF": "\U0002ffff",
    "U+10FFFE": "\U0010fffe",
    "U+10FFFF": "\U0010ffff",
}
REPLACEMENT = "\ufffd"
# Neighbours of the classes above, which are fine and must stay as they are.
STORABLE = ["\ud7ff", "\ue000", "\ufdcf", "\ufdf0", "\ufffc", "\ufffd", "\U0001fffd", "\U00010000"]


def utf8_storable(text: str) -> bool:
    text.encode("utf-8")  # raises for a surrogate
    return not re.search("[\x00\ufdd0-\ufdef\ufffe\uffff]", text) and not any(
        (ord(c) & 0xFFFE) == 0xFFFE for c in text
    )


@pytest.mark.parametrize("bad", UNSTORABLE.values(), ids=UNSTORABLE.keys())
def test_scrub_replaces_each_unstorable_code_point(bad: str) -> None:
    scrubbed = scrub(f"job-{bad}-1")
    assert utf8_storable(scrubbed)
    assert scrubbed == "job-" + REPLACEMENT * len(bad) + "-1"


def test_scrub_drops_nul_as_clean_drops_other_controls() -> None:
    assert scrub("a\x00b\x00") == "ab"
    assert scrub("\x00") == ""


@pytest.mark.parametrize("good", STORABLE)
def test_scrub_keeps_the_neighbours(good: str) -> None:
    assert scrub(f"x{good}y") == f"x{good}y"


def test_scrub_joins_a_surrogate_pair_and_replaces_only_the_lone_half() -> None:
    assert scrub("\ud83d\ude00") == "😀"
    assert scrub("\ud83d\ude00\ud83d") == "😀\ufffd"
    assert scrub("\ud83dx\ude00") == "\ufffdx\ufffd"


def test_scrub_returns_clean_text_itself() -> None:
    text = "Training job ñ 😀 <!channel> & done"
    assert scrub(text) is text


@pytest.mark.parametrize(
    ("escaped", "expected"),
    [
        (r'"\ud800"', "\ufffd"),
        (r'"a\udfffb"', "a\ufffdb"),
        (r'"\ud83d\ude00"', "😀"),  # a pair as JSON escapes is one character already
        (r'"\u0000x"', "x"),
        (r'"\ufdd0\uffff"', "\ufffd\ufffd"),
    ],
)
def test_scrub_json_cleans_what_json_escapes_produce(escaped: str, expected: str) -> None:
    assert scrub_json(json.loads(escaped)) == expected


def test_scrub_json_cleans_every_key_and_value_at_any_depth() -> None:
    document = {
        "id\ud800": "\udc00",
        "detail": {
            "Name\x00": ["ok", "\ufffe", {"deep\U0010ffff": ["\ud800", 1.5]}],
            "count": 3,
            "flag": True,
            "none": None,
        },
        "list": [["\uffff"], [], {}],
    }
    assert scrub_json(document) == {
        "id\ufffd": "\ufffd",
        "detail": {
            "Name": ["ok", "\ufffd", {"deep\ufffd": ["\ufffd", 1.5]}],
            "count": 3,
            "flag": True,
            "none": None,
        },
        "list": [["\ufffd"], [], {}],
    }
    json.dumps(scrub_json(document), ensure_ascii=False).encode("utf-8")


def test_scrub_json_leaves_its_input_alone_and_keeps_key_order() -> None:
    document = {"b": "\ud800", "a": ["\x00"]}
    scrubbed = scrub_json(document)
    assert document == {"b": "\ud800", "a": ["\x00"]}
    assert list(scrubbed) == ["b", "a"]


def test_scrub_json_keys_that_scrub_alike_keep_the_later_value() -> None:
    assert scrub_json(json.loads(r'{"k\ud800": 1, "k\udfff": 2}')) == {"k\ufffd": 2}


@pytest.mark.parametrize("value", [None, 0, -1.5, True, "plain", [], {}])
def test_scrub_json_takes_any_json_value(value: object) -> None:
    assert scrub_json(value) == value


def test_scrub_json_takes_the_deepest_document_the_parser_does() -> None:
    depth = 5_000
    while True:  # the deepest nesting this interpreter's JSON parser accepts
        try:
            document = json.loads("[" * depth + r'"\ud800"' + "]" * depth)
            break
        except RecursionError:
            depth //= 2
    node = scrub_json(document)
    for _ in range(depth):
        node = node[0]
    assert node == "\ufffd"


def test_scrub_json_returns_a_clean_document_itself() -> None:
    document = {"name": "job ñ", "tags": ["<!channel>", "\\ud800 written out"], "n": 1}
    assert scrub_json(document) is document


def test_scrub_json_walks_what_json_cannot_write() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    assert scrub_json({"at": when, "k": "\ud800"}) == {"at": when, "k": REPLACEMENT}
    assert scrub_json({(1, 2): "\uffff"}) == {(1, 2): REPLACEMENT}  # a key JSON cannot have
    emoji = {"e": "😀 👩\u200d👩\u200d👧"}
    assert scrub_json(emoji) == emoji  # written as surrogate pairs, so walked, and kept


@pytest.mark.parametrize("bad", [*UNSTORABLE.values(), "\x00"], ids=[*UNSTORABLE, "NUL"])
@pytest.mark.parametrize("before", ["", "\\", "\\\\", "\\u", "x"])
@pytest.mark.parametrize("where", ["value", "key", "deep"])
def test_the_quick_look_misses_nothing(bad: str, before: str, where: str) -> None:
    text = f"{before}{bad}"
    document: Any = {"value": {"k": text}, "key": {text: 1}, "deep": [[{"a": [text]}]]}[where]
    scrubbed = scrub_json(document)
    assert scrubbed is not document
    written = json.dumps(scrubbed, ensure_ascii=False)
    assert utf8_storable(written)


@pytest.mark.parametrize("good", STORABLE)
def test_the_quick_look_passes_the_neighbours(good: str) -> None:
    document = {"k": f"\\{good}", good: [good]}
    assert scrub_json(document) is document or good >= "\U00010000"  # astral: walked, kept
    assert scrub_json(document) == document


def test_a_code_span_keeps_its_backticks_from_ending_it() -> None:
    assert code_span("evil` <!channel>", 100) == "`evilˋ &lt;!channel&gt;`"
    assert code_span("x" * 50, 10).count("`") == 2
