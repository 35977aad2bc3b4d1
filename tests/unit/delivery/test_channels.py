"""Where an outbox item goes, and the channel ids learned from Slack's answers."""

from __future__ import annotations

from bot.delivery.channels import Aliases, channel_for
from bot.store import Notice, RootMessage
from tests.unit.delivery.conftest import event, item


def root(digest_id: int | None = None) -> RootMessage:
    return RootMessage("k", "C-ROOT", "1.0", event(), digest_id=digest_id)


def test_channel_for() -> None:
    assert channel_for(item("#ml-alerts"), root(), "#mlpulse") == "C-ROOT"
    assert channel_for(item("#ml-alerts"), None, "#mlpulse") == "#ml-alerts"
    # a digest line has no message to follow: its route decides
    assert channel_for(item("#ml-alerts"), root(digest_id=3), "#mlpulse") == "#ml-alerts"
    notice = Notice("text", channel="#ops")
    assert channel_for(item(None, notice=notice), None, "#mlpulse") == "#ops"
    assert channel_for(item(None, notice=Notice("text")), None, "#mlpulse") == "#mlpulse"


def test_aliases_learn_each_name_once() -> None:
    aliases = Aliases()
    assert aliases.of("#ml-alerts") == "#ml-alerts"
    assert aliases.learn("#ml-alerts", "C1")
    assert not aliases.learn("#ml-alerts", "C2")
    assert aliases.of("#ml-alerts") == "C1"
