"""Golden files: a rendered Slack payload frozen as JSON, reviewed by eye once.

Each renderer's tests keep their files in a folder of tests/golden/. To regenerate after an
intended change, and then review the diff by eye:

    MLPULSE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from notifiers import limits

ROOT = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("MLPULSE_UPDATE_GOLDEN") == "1"
# A Slack control sequence (a mention, a link, a command) in rendered text: only mlpulse's
# own date tokens (notifiers.times) may start with `<`; AWS text must arrive escaped.
DATE_TOKEN = r"!date\^\d+\^[^|<>]*\|[^<>]*>"
SLACK_CONTROL = re.compile(rf"<(?!{DATE_TOKEN})(?:[!@#]|https?:|mailto:)")


def dumped(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Goldens:
    """The golden files of one renderer: tests/golden/<folder>/<case>.json."""

    def __init__(self, folder: str = "") -> None:
        self.folder = ROOT / folder if folder else ROOT

    def path(self, case: str) -> Path:
        return self.folder / f"{case}.json"

    def check(self, case: str, value: Any) -> None:
        """`value` must equal its golden file (or becomes it, with MLPULSE_UPDATE_GOLDEN=1)."""
        actual, path = dumped(value), self.path(case)
        if UPDATE:
            self.folder.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_text(encoding="utf-8") != actual:
                path.write_text(actual, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {path}; run with MLPULSE_UPDATE_GOLDEN=1, review it"
        assert actual == path.read_text(encoding="utf-8"), (
            f"{case} renders differently from {path.name}; if the change is intended, "
            "regenerate with MLPULSE_UPDATE_GOLDEN=1 and review the diff"
        )

    def orphans(self, cases: Iterable[str]) -> list[str]:
        """Golden files no case produces any more."""
        known = set(cases)
        return sorted(p.name for p in self.folder.glob("*.json") if p.stem not in known)


def slack_problems(payloads: Iterable[dict[str, Any]]) -> list[str]:
    """Every Slack limit the payloads break."""
    return [problem for payload in payloads for problem in limits.problems(payload)]


def readable(text: str) -> str:
    """Rendered text with each of mlpulse's date tokens replaced by its UTC fallback: what a
    client that cannot draw them shows, and what assertions on wording compare."""
    return re.sub(r"<!date\^\d+\^[^|<>]*\|([^<>]*)>", r"\1", text)
