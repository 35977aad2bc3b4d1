"""commands.suggest: close names for a name not found, as a table."""

from __future__ import annotations

import pytest

from commands.suggest import close_names

NAMES = [
    "churn-xgb-2026-11-25",
    "churn-xgb-2026-11-24",
    "churn-xgb-7",
    "fraud-prod",
    "fraud-staging",
    "Churn-Daily",
]


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        # typed short: the names it begins, shortest first, then the merely alike
        (
            "churn-xgb",
            ["churn-xgb-7", "churn-xgb-2026-11-24", "churn-xgb-2026-11-25", "Churn-Daily"],
        ),
        # a letter off
        ("churn-xbg-7", ["churn-xgb-7"]),
        ("fraud-prd", ["fraud-prod"]),
        # case is ignored, and the name keeps its own case
        ("churn-daily", []),  # the same name: no suggestion of itself
        ("churn-dialy", ["Churn-Daily"]),
        # typed long: the name it begins with
        ("fraud-prod-2", ["fraud-prod"]),
        # nothing alike
        ("zzz", []),
    ],
)
def test_close_names(wanted: str, expected: list[str]) -> None:
    assert close_names(wanted, NAMES) == expected


def test_at_most_five_and_no_duplicates() -> None:
    names = [f"job-{n}" for n in range(20)] + ["job-1"]
    found = close_names("job-", names)
    assert len(found) == 5 and len(set(found)) == 5
