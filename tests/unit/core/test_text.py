"""bot.core.text: the one escaping and truncation layer."""

from __future__ import annotations

import html
import itertools
import re

import pytest

from bot.core.text import clean, clip, code_block, escape, safe_url, truncate

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
