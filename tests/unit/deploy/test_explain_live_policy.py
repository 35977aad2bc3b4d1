"""deploy/explain-live-policy.yaml: cfn-lint clean, and it grants `--live` exactly the one
action bot.explain.live calls (sagemaker:InvokeEndpoint), on endpoints only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cfnlint.api  # type: ignore[import-untyped]
from cfnlint.decode import cfn_yaml

TEMPLATE = Path(__file__).parents[3] / "deploy" / "explain-live-policy.yaml"


def statements(resource: str) -> list[dict[str, Any]]:
    document = cfn_yaml.loads(TEMPLATE.read_text(encoding="utf-8"))
    policy = document["Resources"][resource]["Properties"]["PolicyDocument"]
    return list(policy["Statement"])


def test_cfn_lint_reports_nothing() -> None:
    matches = cfnlint.api.lint(
        TEMPLATE.read_text(encoding="utf-8"),
        regions=["us-east-1", "eu-west-1"],
        config=cfnlint.api.ManualArgs(include_checks=["I"]),
    )
    assert [str(match) for match in matches] == []


def test_live_may_only_invoke_endpoints() -> None:
    [grant] = statements("ExplainLivePolicy")
    assert grant["Action"] == "sagemaker:InvokeEndpoint"
    assert ":endpoint/${EndpointNamePattern}" in grant["Resource"]["Fn::Sub"]


def test_capture_read_is_read_only() -> None:
    actions = {s["Action"] for s in statements("CaptureReadPolicy")}
    assert actions == {"s3:ListBucket", "s3:GetObject"}
