"""notifiers.limits: every way a payload can break Slack's Block Kit limits is found."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from notifiers import limits
from notifiers.limits import problems

Payload = dict[str, Any]


def section(text: str = "hi", fields: int = 0, field_text: str = "f") -> Payload:
    block: Payload = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if fields:
        block["fields"] = [{"type": "mrkdwn", "text": field_text} for _ in range(fields)]
    return block


def button(text: str = "Ack", **extra: str) -> Payload:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, **extra}


def valid() -> Payload:
    return {
        "channel": "#mlpulse",
        "text": "fallback",
        "attachments": [
            {
                "color": "#E01E5A",
                "blocks": [
                    {"type": "header", "text": {"type": "plain_text", "text": "Title"}},
                    section("status", fields=limits.MAX_FIELDS),
                    {
                        "type": "actions",
                        "elements": [button(action_id="ack", value="1", url="https://x")],
                    },
                    {"type": "context", "elements": [{"type": "mrkdwn", "text": "ctx"}]},
                ],
            }
        ],
    }


def blocks_of(payload: Payload) -> list[Payload]:
    found: list[Payload] = payload["attachments"][0]["blocks"]
    return found


def test_a_valid_payload_has_no_problems() -> None:
    assert problems(valid()) == []


@pytest.mark.parametrize(
    "payload", [{}, {"text": "only text"}, {"text": None, "blocks": None}, {"attachments": []}]
)
def test_minimal_payloads(payload: Payload) -> None:
    assert problems(payload) == []


def test_everything_exactly_at_its_limit_is_fine() -> None:
    payload = {
        "text": "t" * limits.MESSAGE_TEXT,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "h" * limits.HEADER_TEXT}},
            {**section("s" * limits.SECTION_TEXT), "block_id": "b" * limits.ID_LENGTH},
            {
                "type": "actions",
                "elements": [
                    button(
                        "x" * limits.BUTTON_TEXT,
                        action_id="a" * limits.ID_LENGTH,
                        value="v" * limits.BUTTON_VALUE,
                        url="u" * limits.BUTTON_URL,
                    )
                ]
                * limits.ACTIONS_ELEMENTS,
            },
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": "c"}] * limits.CONTEXT_ELEMENTS,
            },
            *[section("") for _ in range(limits.MAX_BLOCKS - 4)],
        ],
    }
    assert len(payload["blocks"]) == limits.MAX_BLOCKS
    assert problems(payload) == []


Breaker = Callable[[Payload], None]


def _too_many_blocks(p: Payload) -> None:
    blocks_of(p).extend(section() for _ in range(limits.MAX_BLOCKS))


def _long_text(p: Payload) -> None:
    p["text"] = "t" * (limits.MESSAGE_TEXT + 1)


def _long_header(p: Payload) -> None:
    blocks_of(p)[0]["text"]["text"] = "h" * (limits.HEADER_TEXT + 1)


def _long_section(p: Payload) -> None:
    blocks_of(p)[1]["text"]["text"] = "s" * (limits.SECTION_TEXT + 1)


def _too_many_fields(p: Payload) -> None:
    blocks_of(p)[1]["fields"].append({"type": "mrkdwn", "text": "one more"})


def _long_field(p: Payload) -> None:
    blocks_of(p)[1]["fields"][3]["text"] = "f" * (limits.FIELD_TEXT + 1)


def _long_block_id(p: Payload) -> None:
    blocks_of(p)[1]["block_id"] = "b" * (limits.ID_LENGTH + 1)


def _long_button_text(p: Payload) -> None:
    blocks_of(p)[2]["elements"][0]["text"]["text"] = "x" * (limits.BUTTON_TEXT + 1)


def _long_action_id(p: Payload) -> None:
    blocks_of(p)[2]["elements"][0]["action_id"] = "a" * (limits.ID_LENGTH + 1)


def _long_button_value(p: Payload) -> None:
    blocks_of(p)[2]["elements"][0]["value"] = "v" * (limits.BUTTON_VALUE + 1)


def _long_button_url(p: Payload) -> None:
    blocks_of(p)[2]["elements"][0]["url"] = "https://" + "u" * limits.BUTTON_URL


def _too_many_buttons(p: Payload) -> None:
    blocks_of(p)[2]["elements"] = [button() for _ in range(limits.ACTIONS_ELEMENTS + 1)]


def _too_many_context_elements(p: Payload) -> None:
    blocks_of(p)[3]["elements"] = [{"type": "mrkdwn", "text": "c"}] * (limits.CONTEXT_ELEMENTS + 1)


def _long_context_element(p: Payload) -> None:
    blocks_of(p)[3]["elements"][0]["text"] = "c" * (limits.CONTEXT_TEXT + 1)


def _too_much_text_in_total(p: Payload) -> None:
    blocks_of(p).extend(section("s" * 2_900) for _ in range(5))


BREAKERS: dict[str, tuple[Breaker, str]] = {
    "blocks": (_too_many_blocks, "blocks >"),
    "text": (_long_text, "text:"),
    "header": (_long_header, "header:"),
    "section": (_long_section, "(section) text:"),
    "fields": (_too_many_fields, "fields >"),
    "field": (_long_field, "field:"),
    "block_id": (_long_block_id, "block_id:"),
    "button text": (_long_button_text, "button text:"),
    "action_id": (_long_action_id, "action_id:"),
    "button value": (_long_button_value, "button value:"),
    "button url": (_long_button_url, "button url:"),
    "buttons": (_too_many_buttons, "elements >"),
    "context elements": (_too_many_context_elements, "elements >"),
    "context element": (_long_context_element, "element:"),
    "total": (_too_much_text_in_total, "characters of text >"),
}


@pytest.mark.parametrize("name", sorted(BREAKERS))
def test_each_overflow_is_found(name: str) -> None:
    breaker, words = BREAKERS[name]
    payload = copy.deepcopy(valid())
    breaker(payload)
    found = problems(payload)
    assert len(found) == 1, found
    assert words in found[0], found


def test_problems_name_the_block() -> None:
    payload = valid()
    _long_section(payload)
    assert problems(payload) == [
        f"block 1 (section) text: {limits.SECTION_TEXT + 1} characters > {limits.SECTION_TEXT}"
    ]


def test_all_problems_are_listed_not_only_the_first() -> None:
    payload = copy.deepcopy(valid())
    for breaker in (_long_header, _long_field, _long_button_text, _long_text):
        breaker(payload)
    assert len(problems(payload)) == 4


def test_top_level_blocks_and_attachment_blocks_count_together() -> None:
    payload = valid()
    payload["blocks"] = [section() for _ in range(limits.MAX_BLOCKS - len(blocks_of(payload)))]
    assert problems(payload) == []
    payload["blocks"].append(section())
    assert problems(payload) == [f"{limits.MAX_BLOCKS + 1} blocks > {limits.MAX_BLOCKS}"]


def test_limits_are_slacks_documented_numbers() -> None:
    assert (limits.MAX_BLOCKS, limits.SECTION_TEXT, limits.MAX_FIELDS, limits.FIELD_TEXT) == (
        50,
        3000,
        10,
        2000,
    )
    assert (limits.HEADER_TEXT, limits.BUTTON_TEXT) == (150, 75)
