"""README's configuration reference is the one generated from the settings models."""

from __future__ import annotations

from bot.config.models import Config
from bot.config.reference import END, START, reference, updated
from bot.config.settings import Settings
from tests.conftest import REPO

README = REPO / "README.md"


def test_readme_holds_the_generated_reference() -> None:
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text
    assert updated(text) == text, "run: python -m bot.config.reference --write README.md"


def test_every_setting_is_described() -> None:
    shown = reference()
    for line in shown.splitlines()[2:]:
        if line.startswith("| `"):
            assert line.split("|")[2].strip(), f"no description: {line}"
    for variable in ("SLACK_BOT_TOKEN", "MLPULSE_STORE", "MLPULSE_SQS_QUEUE_URLS"):
        assert f"`{variable}`" in shown
    assert len(Settings.model_fields) == sum(
        shown.count(f"| `{prefix}_") for prefix in ("SLACK", "MLPULSE", "AWS")
    )
    assert "`incidents.renotify_after`" in shown and "`routes[].match.kind`" in shown
    assert set(Config.model_fields) <= {
        line.split("`")[1].split(".")[0].split("[")[0]
        for line in shown.splitlines()
        if line.startswith("| `") and "`" in line
    }
