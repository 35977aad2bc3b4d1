"""`/mlpulse explain` end to end: a signed slash command over real HTTP into the started App,
acknowledged at once, answered through `response_url`, its chart uploaded; AWS is the
demo's platform on a moto server (see tests/scenarios/test_commands_aws.py)."""

from __future__ import annotations

from bot.demo.explanations import SUSPECT
from bot.demo.serving import CHURN, FRAUD
from tests.fakes.moto import moto_server  # noqa: F401 (fixture)
from tests.scenarios.test_commands_aws import PNG, WORKING, ask, clock, everything, h, uploads  # noqa: F401
from tests.scenarios.test_incidents_support import Harness
from tests.unit.commands.platform import platform  # noqa: F401 (fixture)


def test_one_prediction_is_explained_with_a_waterfall_chart(h: Harness) -> None:  # noqa: F811
    acknowledgement, answer = ask(h, f"explain {FRAUD} --id {SUSPECT}")
    assert WORKING in acknowledgement
    text = everything(answer)
    assert "Why fraud-prod predicted 0.9985" in text
    assert "`amount` = `1840` → +0.366" in text
    [upload] = uploads(h, 1)
    assert upload.filename == "explain-fraud-prod.png"
    assert upload.data is not None and upload.data.startswith(PNG)


def test_where_as_slack_sends_it(h: Harness) -> None:  # noqa: F811
    _, answer = ask(h, f"explain {FRAUD} --where 'score>0.5'")
    assert "1 match `score &gt; 0.5`" in everything(answer)


def test_an_endpoint_without_an_explainer_says_how_to_add_one(h: Harness) -> None:  # noqa: F811
    _, answer = ask(h, f"explain {CHURN}")
    text = everything(answer)
    assert "has no online explainability" in text and "ExplainerConfig" in text
