"""The burst digest message: counted, newest first, inside Slack's limits, escaped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.events import Event, Kind
from bot.core.outcomes import outcome_of
from notifiers import limits
from notifiers.digest import render_digest
from tests.goldens import Goldens


def member(n: int, status: str = "InProgress", name: str | None = None) -> Event:
    return Event(
        id=f"e{n}",
        kind=Kind.TRAINING_JOB,
        key=f"training_job:-:-:job-{n}",
        name=name or f"job-{n:03d}",
        title="Training job",
        status=status,
        outcome=outcome_of(status),
        time=datetime(2026, 11, 25, 3, 0, tzinfo=UTC) + timedelta(seconds=n),
    )


def text_of(payload: dict[str, object]) -> str:
    blocks = payload["blocks"]
    assert isinstance(blocks, list)
    return "\n".join(str(b.get("text", {}).get("text", "")) for b in blocks)


def test_states_are_counted_and_every_line_fits() -> None:
    members = [member(n, "Completed" if n % 4 == 0 else "InProgress") for n in range(500)]
    payload = render_digest("#mlpulse", members)
    shown = text_of(payload)
    assert "500 resources" in shown
    assert "375 Training job In progress" in shown and "125 Training job Completed" in shown
    assert "…and 475 more." in shown
    assert limits.problems(payload) == []


def test_long_names_list_fewer_lines_and_still_say_how_many_more() -> None:
    """Slack's 3,000 characters of a section fill before 25 lines of long names do: the
    count of the rest is never what gets cut off."""
    members = [member(n, name=f"nightly-{n:03d}-" + "x" * 100) for n in range(200)]
    payload = render_digest("#mlpulse", members)
    shown = text_of(payload)
    listed = shown.count("`nightly-")
    assert 10 <= listed < 25 and f"…and {200 - listed} more." in shown
    assert limits.problems(payload) == []


def test_aws_text_in_a_digest_is_escaped() -> None:
    payload = render_digest("#mlpulse", [member(1, "<!channel>", name="a&b <@U123>")])
    shown = text_of(payload)
    assert "<!channel>" not in shown and "<@U123>" not in shown
    assert "a&amp;b &lt;@U123&gt;" in shown
    assert limits.problems(payload) == []


def test_one_member_reads_in_the_singular() -> None:
    assert "1 resource grouped" in text_of(render_digest("#mlpulse", [member(1)]))


def test_a_digest_whose_members_all_left_is_still_a_valid_message() -> None:
    """Members that opened incidents get messages of their own; the digest may empty."""
    payload = render_digest("#mlpulse", [])
    assert limits.problems(payload) == []
    assert all(b.get("text", {}).get("text") for b in payload["blocks"] if b["type"] == "section")


GOLDENS = Goldens("digests")
CASES = {
    # An HPO launch seen mid-way: most children running, a few done, one stopped.
    "tuning-burst": [
        member(n, "Completed" if n % 5 == 0 else "Stopped" if n == 7 else "InProgress")
        for n in range(24)
    ],
    # More members than a message lists: counted, the newest shown, the rest summed up.
    "overflowing": [member(n, "Completed" if n % 3 else "InProgress") for n in range(260)],
    "one-member": [member(1)],
    "empty": [],
    "hostile-names": [
        member(1, "<!channel>", name="a&b <@U123>"),
        member(2, "Completed", name="\u202eevil\u202c` `` ```"),
    ],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_digest_matches_golden(case: str) -> None:
    payload = render_digest("#ml-training", CASES[case])
    assert limits.problems(payload) == []
    GOLDENS.check(case, payload)


def test_no_orphan_golden_files() -> None:
    assert GOLDENS.orphans(CASES) == []
