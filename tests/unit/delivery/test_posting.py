"""The payload checks of one post or edit, before Slack sees it."""

from __future__ import annotations

from bot.delivery.posting import as_edit, checked

PLAIN = {"text": "plain"}


def test_an_edit_without_blocks_clears_the_old_ones() -> None:
    assert as_edit(PLAIN) == {"text": "plain", "blocks": [], "attachments": []}
    rich = {"text": "t", "attachments": [{"blocks": []}]}
    assert as_edit(rich) is rich


def test_a_payload_over_slack_s_limits_is_sent_plain() -> None:
    made: list[str] = []

    def plain() -> dict[str, str]:
        made.append("plain")
        return PLAIN

    fine = {"text": "t", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}]}
    assert checked(fine, plain, "k") is fine
    assert made == []  # the plain form is made only when it is sent
    huge = {
        "text": "t",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}],
    }
    assert checked(huge, plain, "k") is PLAIN
