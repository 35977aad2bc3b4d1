"""Readiness detail without identifiers unless asked; liveness from the parts running."""

from __future__ import annotations

from bot.ops.health import Health, liveness

QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/mlpulse-events"


def test_identifiers_are_concealed_unless_detail_is_asked() -> None:
    health = Health()
    health.conceal(QUEUE, "queue 1")
    health.conceal("/var/lib/mlpulse/mlpulse.db", "the store")
    health.set("queue", False, f"{QUEUE}: AccessDenied")
    health.set("store", False, "SQLite store /var/lib/mlpulse/mlpulse.db: disk I/O error")
    health.set("slack_auth", True, "authenticated", private={"identity": "mlpulse in acme"})
    health.set("alarm", False, "arn:aws:cloudwatch:us-east-1:210987654321:alarm:x")

    ready, public = health.snapshot(detail=False)
    assert not ready
    shown = public["components"]
    assert shown["queue"]["detail"] == "queue 1: AccessDenied"
    assert shown["store"]["detail"] == "SQLite store the store: disk I/O error"
    assert "identity" not in shown["slack_auth"]
    assert shown["alarm"]["detail"] == "arn:aws:cloudwatch:us-east-1:<account>:alarm:x"

    _, detailed = health.snapshot(detail=True)
    assert detailed["components"]["queue"]["detail"] == f"{QUEUE}: AccessDenied"
    assert detailed["components"]["slack_auth"]["identity"] == "mlpulse in acme"


def test_liveness_names_the_parts_that_stopped() -> None:
    assert liveness({"http": True, "delivery": True}) == (True, {"status": "ok"})
    alive, report = liveness({"http": True, "delivery": False, "sqs": False})
    assert not alive
    assert report == {"status": "broken", "stopped": ["delivery", "sqs"]}
