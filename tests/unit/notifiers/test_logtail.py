"""A log tail as a thread reply (notifiers.logtail): escaped, the newest lines kept when
they do not all fit, within Slack's limits and Block Kit's models, with the log button."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.core.events import Link
from notifiers import limits
from notifiers.logtail import (
    newest_that_fit,
    render_log_tail,
    render_logs_unread,
    render_no_log_lines,
)
from tests.fakes.slack_api import all_text
from tests.goldens import slack_problems

LINK = Link(label="Logs", url="https://eu-west-1.console.aws.amazon.com/cloudwatch/home#x")


def valid(payload: dict[str, Any]) -> dict[str, Any]:
    assert slack_problems([payload]) == []
    for block in payload["blocks"]:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()
    return payload


def section(payload: dict[str, Any]) -> str:
    text: str = payload["blocks"][0]["text"]["text"]
    return text


def test_the_lines_are_escaped_in_a_code_block_with_the_log_button() -> None:
    lines = ["03:00:01 epoch 1 <!channel> & <@U1>", "03:00:02 ValueError: `nan`"]
    payload = valid(render_log_tail("training job", "churn-<x>", lines, 2, LINK))
    text = section(payload)
    assert "*Last 2 log lines* of the training job `churn-&lt;x&gt;` (2 streams" in text
    assert "&lt;!channel&gt; &amp; &lt;@U1&gt;" in text and "<!channel>" not in text
    assert "```" in text and "`nan`" not in text  # a backtick would end the block
    (button,) = payload["blocks"][1]["elements"]
    assert button["url"] == LINK.url and button["text"]["text"] == "Logs"
    assert "<!channel>" not in payload["text"]


def test_lines_that_do_not_fit_leave_the_oldest_out() -> None:
    lines = [f"03:{n // 60:02d}:{n % 60:02d} " + "x" * 280 for n in range(20)]
    text = section(valid(render_log_tail("processing job", "prep", lines, 1, LINK)))
    assert len(text) <= limits.SECTION_TEXT
    assert "*Last 9 of 20 log lines*" in text
    assert lines[-1] in text and lines[0] not in text
    assert not text.rstrip("`").endswith("…")  # the newest line is whole


def test_one_huge_line_is_cut_not_dropped() -> None:
    text = section(valid(render_log_tail("build", "tests", ["y" * 10_000], 1, None)))
    assert "yyyy" in text and len(text) <= limits.SECTION_TEXT


@pytest.mark.parametrize(
    ("lines", "chars", "kept"),
    [
        ([], 10, []),
        (["a", "b", "c"], 4, ["b", "c"]),
        (["a<", "b"], 5, ["b"]),
        (["z" * 9], 3, ["z" * 9]),
    ],
)
def test_newest_that_fit(lines: list[str], chars: int, kept: list[str]) -> None:
    assert newest_that_fit(lines, chars) == kept


def test_no_lines_and_unread_logs_are_one_line_each() -> None:
    empty = valid(
        render_no_log_lines("training job", "j", "/aws/sagemaker/TrainingJobs", "j/", LINK)
    )
    assert section(empty).count("\n") == 0
    assert "No log lines yet for the training job `j`" in section(empty)
    assert "(streams `j/…`)" in section(empty)
    build = render_no_log_lines("build", "p", "/aws/codebuild/p", "0b5d", None, one_stream=True)
    assert "(stream `0b5d`)" in section(valid(build)) and len(build["blocks"]) == 1
    refused = valid(render_logs_unread("build", "p", "missing permission <logs:Get>", LINK))
    assert "Could not read the logs of the build `p`: missing permission &lt;logs:Get&gt;" in (
        section(refused)
    )
    assert "Could not read the logs" in all_text(refused)
