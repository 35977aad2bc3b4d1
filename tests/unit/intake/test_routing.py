"""Routing as tables of event -> expected decision: the defaults, then ordered rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.config.models import Config, Match, Route
from bot.core.decision import Decision
from bot.core.events import Event, Kind, Severity
from bot.core.outcomes import outcome_of
from bot.ingress.ingest import events_from, parse_document
from bot.intake.routing import matches, route
from tests.conftest import FIXTURES

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
CRIT, WARN, INFO = Severity.CRITICAL, Severity.WARNING, Severity.INFO


def event(kind: Kind = Kind.TRAINING_JOB, status: str = "Failed", **fields: Any) -> Event:
    """A normalized event with just what routing looks at."""
    name = fields.pop("name", "churn-xgb-7")
    values: dict[str, Any] = {
        "id": f"id-{kind}-{status}-{name}",
        "kind": kind,
        "key": f"{kind}:123456789012:eu-west-1:{name}",
        "name": name,
        "title": kind.value,
        "status": status,
        "outcome": outcome_of(status),
        "time": NOW,
        "account": "123456789012",
        "region": "eu-west-1",
    }
    values.update(fields)
    return Event(**values)


def decision(channel: str, severity: Severity, incident: bool, **rest: Any) -> Decision:
    return Decision(channel=channel, severity=severity, incident=incident, **rest)


def fixture_event(name: str) -> Event:
    (document,) = parse_document((FIXTURES / name).read_text(encoding="utf-8"))
    (only,) = events_from(document, NOW)
    return only


# --- defaults: no config --------------------------------------------------------------------

DEFAULTS = [
    # failures are critical incidents, whatever the spelling
    (event(Kind.TRAINING_JOB, "Failed"), decision("#mlpulse", CRIT, True)),
    (event(Kind.TUNING_JOB, "Failed"), decision("#mlpulse", CRIT, True)),
    (event(Kind.ENDPOINT, "FAILED"), decision("#mlpulse", CRIT, True)),
    (event(Kind.ENDPOINT, "UPDATE_FAILED"), decision("#mlpulse", CRIT, True)),
    (event(Kind.STEPFUNCTIONS, "TIMED_OUT"), decision("#mlpulse", CRIT, True)),
    (event(Kind.ALARM, "ALARM"), decision("#mlpulse", CRIT, True)),
    (event(Kind.PIPELINE_EXECUTION, "Failed"), decision("#mlpulse", CRIT, True)),
    # Model Monitor violations are warning incidents
    (event(Kind.MODEL_MONITOR, "CompletedWithViolations"), decision("#mlpulse", WARN, True)),
    (event(Kind.MODEL_MONITOR, "Failed"), decision("#mlpulse", CRIT, True)),
    (event(Kind.MODEL_MONITOR, "Completed"), decision("#mlpulse", INFO, False)),
    # degraded but not a monitor: a warning, no incident
    (event(Kind.ALARM, "INSUFFICIENT_DATA"), decision("#mlpulse", WARN, False)),
    (event(Kind.CODEPIPELINE, "ROLLING_BACK"), decision("#mlpulse", WARN, False)),
    # a failed part (action, stage, step) opens (or joins) its execution's incident too
    (
        event(Kind.CODEPIPELINE, "FAILED", subject="action Deploy"),
        decision("#mlpulse", CRIT, True),
    ),
    (
        event(Kind.PIPELINE_EXECUTION, "Failed", subject="step Train"),
        decision("#mlpulse", CRIT, True),
    ),
    (event(Kind.CODEBUILD, "FAILED", subject="phase BUILD"), decision("#mlpulse", CRIT, True)),
    # everything else is information
    (event(Kind.TRAINING_JOB, "Completed"), decision("#mlpulse", INFO, False)),
    (event(Kind.TRAINING_JOB, "InProgress"), decision("#mlpulse", INFO, False)),
    (event(Kind.TRAINING_JOB, "Stopped"), decision("#mlpulse", INFO, False)),
    (event(Kind.ENDPOINT, "IN_SERVICE"), decision("#mlpulse", INFO, False)),
    (event(Kind.ENDPOINT, "Creating"), decision("#mlpulse", INFO, False)),
    (event(Kind.STEPFUNCTIONS, "RUNNING"), decision("#mlpulse", INFO, False)),
    (event(Kind.CODEBUILD, "SUCCEEDED"), decision("#mlpulse", INFO, False)),
    (event(Kind.ALARM, "OK"), decision("#mlpulse", INFO, False)),
    (event(Kind.UNKNOWN, "received"), decision("#mlpulse", INFO, False)),
    (event(Kind.TRANSFORM_JOB, "something new"), decision("#mlpulse", INFO, False)),
]


@pytest.mark.parametrize(("incoming", "expected"), DEFAULTS, ids=lambda v: getattr(v, "id", "-"))
def test_defaults_without_config(incoming: Event, expected: Decision) -> None:
    assert route(incoming, Config()) == expected


@pytest.mark.parametrize(
    ("fixture", "kind", "severity", "incident"),
    [
        ("sagemaker-processing-job-state-change-failed.json", "processing_job", CRIT, True),
        ("sagemaker-training-job-state-change-completed.json", "training_job", INFO, False),
        ("sagemaker-endpoint-state-change-in-service.json", "endpoint", INFO, False),
        (
            "codepipeline-action-execution-state-change-failed-codedeploy.json",
            "codepipeline",
            CRIT,
            True,
        ),
        ("codepipeline-pipeline-execution-state-change-failed.json", "codepipeline", CRIT, True),
        ("codepipeline-stage-execution-state-change-started.json", "codepipeline", INFO, False),
        ("stepfunctions-execution-status-change-timed-out.json", "stepfunctions", CRIT, True),
        ("stepfunctions-execution-status-change-running.json", "stepfunctions", INFO, False),
        ("cloudwatch-alarm-sns-message-single-metric.json", "alarm", CRIT, True),
        ("cloudwatch-alarm-sns-message-real-world.json", "alarm", INFO, False),
        ("codebuild-build-state-change-succeeded.json", "codebuild", INFO, False),
    ],
)
def test_defaults_for_published_aws_samples(
    fixture: str, kind: str, severity: Severity, incident: bool
) -> None:
    incoming = fixture_event(fixture)

    got = route(incoming, Config())

    assert incoming.kind == kind
    assert (got.severity, got.incident, got.channel, got.mention, got.rule) == (
        severity,
        incident,
        "#mlpulse",
        None,
        None,
    )


def test_default_channel_comes_from_the_config() -> None:
    config = Config(default_channel="#ml-alerts")
    assert route(event(), config) == decision("#ml-alerts", CRIT, True)


# --- ordered rules --------------------------------------------------------------------------

CONFIG = Config.model_validate(
    {
        "default_channel": "#ml-alerts",
        "routes": [
            {  # 0
                "match": {"kind": "training_job", "name": "churn-*", "status": "failed"},
                "channel": "#churn",
                "mention": "@here",
            },
            {  # 1
                "match": {"kind": ["training_job", "tuning_job"], "tags": {"team": "risk*"}},
                "channel": "#risk",
                "severity": "warning",
            },
            {  # 2
                "match": {"kind": "model_monitor", "outcome": "degraded"},
                "severity": "critical",
                "mention": "<!subteam^S0123>",
            },
            {"match": {"status": "in_service"}, "channel": "#serving"},  # 3
            {"match": {"account": "2222*", "region": "us-*"}, "channel": "#prod-us"},  # 4
            {"match": {"region": "ap-*"}, "incident": False},  # 5
            {"match": {"kind": ["codepipeline", "codebuild"]}, "channel": "#cicd"},  # 6
            {"match": {"outcome": ["running", "succeeded"]}, "channel": "#ml-quiet"},  # 7
        ],
    }
)

RULES = [
    # rule 0: kind + name glob + status, any case or spelling
    (event(name="churn-xgb-7"), decision("#churn", CRIT, True, mention="@here", rule=0)),
    (
        event(name="churn-a", status="FAILED"),
        decision("#churn", CRIT, True, mention="@here", rule=0),
    ),
    # first match wins: also tagged team=risk, but rule 0 comes first
    (
        event(name="churn-x", tags={"team": "risk-ml"}),
        decision("#churn", CRIT, True, mention="@here", rule=0),
    ),
    # name globs are matched on the whole name
    (event(name="my-churn-x", tags={"team": "risky"}), decision("#risk", WARN, True, rule=1)),
    # rule 1: tag glob; severity set by the rule, incident kept from the defaults
    (
        event(Kind.TUNING_JOB, name="hpo-1", tags={"team": "risk"}),
        decision("#risk", WARN, True, rule=1),
    ),
    (
        event(name="fraud", status="Completed", tags={"team": "risk", "x": "y"}),
        decision("#risk", WARN, False, rule=1),
    ),
    # a tag with another value, or no tags, does not match rule 1
    (event(name="fraud", tags={"team": "growth"}), decision("#ml-alerts", CRIT, True)),
    (event(name="fraud"), decision("#ml-alerts", CRIT, True)),
    # rule 2: outcome; channel unset -> default channel; incident kept
    (
        event(Kind.MODEL_MONITOR, "CompletedWithViolations", name="churn-monitor"),
        decision("#ml-alerts", CRIT, True, mention="<!subteam^S0123>", rule=2),
    ),
    # rule 3: status spelled differently from the rule
    (event(Kind.ENDPOINT, "IN_SERVICE", name="ep"), decision("#serving", INFO, False, rule=3)),
    (event(Kind.ENDPOINT, "InService", name="ep"), decision("#serving", INFO, False, rule=3)),
    # rule 4: account and region both must hold
    (
        event(Kind.ENDPOINT, "Failed", name="ep", account="222233334444", region="us-east-1"),
        decision("#prod-us", CRIT, True, rule=4),
    ),
    (
        event(Kind.ENDPOINT, "Failed", name="ep", account="222233334444", region="eu-west-1"),
        decision("#ml-alerts", CRIT, True),
    ),
    # rule 5: incident turned off, severity kept
    (
        event(Kind.ENDPOINT, "Failed", name="ep", region="ap-south-1"),
        decision("#ml-alerts", CRIT, False, rule=5),
    ),
    # rule 6: a list of kinds; a failed action keeps the default incident
    (
        event(Kind.CODEPIPELINE, "FAILED", name="deploy", subject="action Deploy"),
        decision("#cicd", CRIT, True, rule=6),
    ),
    (event(Kind.CODEBUILD, "FAILED", name="build"), decision("#cicd", CRIT, True, rule=6)),
    # rule 7: a list of outcomes
    (event(Kind.STEPFUNCTIONS, "RUNNING", name="sfn"), decision("#ml-quiet", INFO, False, rule=7)),
    (event(Kind.LABELING_JOB, "Completed", name="lbl"), decision("#ml-quiet", INFO, False, rule=7)),
    # nothing matches: the defaults, in the default channel
    (event(Kind.STEPFUNCTIONS, "ABORTED", name="sfn"), decision("#ml-alerts", INFO, False)),
    (event(Kind.ALARM, "ALARM", name="cpu-high"), decision("#ml-alerts", CRIT, True)),
]


@pytest.mark.parametrize(("incoming", "expected"), RULES, ids=lambda v: getattr(v, "id", "-"))
def test_rules_in_order(incoming: Event, expected: Decision) -> None:
    assert route(incoming, CONFIG) == expected


@pytest.mark.parametrize(
    ("match", "incoming", "expected"),
    [
        (Match(), event(), True),
        (Match(kind=[Kind.ENDPOINT]), event(), False),
        (Match(status=["failed"]), event(status="Failed"), True),
        (Match(status=["TIMED_OUT"]), event(status="TimedOut"), True),
        (Match(status=["timed-out"]), event(status="TIMED_OUT"), True),
        (Match(status=["Completed"]), event(status="CompletedWithViolations"), False),
        (Match(status=["failed", "stopped"]), event(status="Stopped"), True),
        (Match(name=["churn-*"]), event(name="churn-xgb"), True),
        (Match(name=["churn-?"]), event(name="churn-xgb"), False),
        (Match(name=["*-xgb-[0-9]"]), event(name="churn-xgb-7"), True),
        (Match(account=["123456789012"]), event(account="123456789012"), True),
        (Match(account=["123456789012"]), event(account=None), False),
        (Match(region=["eu-*"]), event(region="eu-central-1"), True),
        (Match(region=["eu-*"]), event(region=None), False),
        (Match(tags={"env": "prod"}), event(tags={"env": "prod"}), True),
        (Match(tags={"env": "prod"}), event(tags={"env": "production"}), False),
        (Match(tags={"env": "*"}), event(tags={}), False),
        (Match(tags={"env": "*"}), event(tags={"env": ""}), True),
        (Match(tags={"env": "prod", "team": "ml"}), event(tags={"env": "prod"}), False),
        (Match(kind=[Kind.TRAINING_JOB], name=["x"]), event(name="churn"), False),
        (Match(severity=[CRIT]), event(status="Failed"), True),
        (Match(severity=[CRIT]), event(status="Completed"), False),
        (Match(severity=[INFO, WARN]), event(Kind.ALARM, "INSUFFICIENT_DATA"), True),
        (Match(severity=[WARN]), event(Kind.MODEL_MONITOR, "CompletedWithViolations"), True),
    ],
)
def test_match_conditions(match: Match, incoming: Event, expected: bool) -> None:
    assert matches(match, incoming) is expected


def test_a_rule_without_match_catches_everything() -> None:
    config = Config(routes=[Route(channel="#everything")])

    for incoming, _ in DEFAULTS:
        got = route(incoming, config)
        assert got.channel == "#everything" and got.rule == 0
        assert (got.severity, got.incident) == (
            route(incoming, Config()).severity,
            route(incoming, Config()).incident,
        )


# --- severity in a match: the severity the defaults give, whatever the rule then sets -------

SEVERITY_CONFIG = Config.model_validate(
    {
        "default_channel": "#ml-alerts",
        "routes": [
            {  # 0: pages for critical alarms, though it files them as warnings
                "match": {"kind": "alarm", "severity": "critical"},
                "channel": "#pager",
                "severity": "warning",
                "mention": "@here",
            },
            {"match": {"severity": ["warning"]}, "channel": "#watch"},  # 1
            {  # 2
                "match": {"severity": "info", "kind": "training_job"},
                "channel": "#quiet",
                "mention": "@here",
                "mention_on": "all",
            },
        ],
    }
)

SEVERITY_RULES = [
    # matched as critical (the default), then given the rule's own severity
    (event(Kind.ALARM, "ALARM"), decision("#pager", WARN, True, mention="@here", rule=0)),
    # the warning rule 0 sets does not make rule 1 match: first match wins, on the defaults
    (event(Kind.ALARM, "INSUFFICIENT_DATA"), decision("#watch", WARN, False, rule=1)),
    (event(Kind.MODEL_MONITOR, "CompletedWithViolations"), decision("#watch", WARN, True, rule=1)),
    # critical but no alarm: no rule
    (event(Kind.TRAINING_JOB, "Failed"), decision("#ml-alerts", CRIT, True)),
    (
        event(Kind.TRAINING_JOB, "Completed"),
        decision("#quiet", INFO, False, mention="@here", mention_always=True, rule=2),
    ),
]


@pytest.mark.parametrize(("incoming", "expected"), SEVERITY_RULES)
def test_rules_match_the_default_severity(incoming: Event, expected: Decision) -> None:
    assert route(incoming, SEVERITY_CONFIG) == expected


def test_a_mention_is_for_incidents_unless_the_route_says_all() -> None:
    incidents_only, every_alert = (
        Route(match=Match(kind=[Kind.ENDPOINT]), mention="@here"),
        Route(match=Match(kind=[Kind.ENDPOINT]), mention="@here", mention_on="all"),
    )
    updating = event(Kind.ENDPOINT, "Updating", name="ep")

    assert route(updating, Config(routes=[incidents_only])).mention_always is False
    assert route(updating, Config(routes=[every_alert])).mention_always is True
    # the route's mention stays in the decision either way: reminders of its incidents use it
    assert route(updating, Config(routes=[incidents_only])).mention == "@here"


# --- accounts by alias ----------------------------------------------------------------------

ACCOUNTS_CONFIG = Config.model_validate(
    {
        "aws": {
            "accounts": [
                {"id": "111111111111", "alias": "dev"},
                {"id": "222222222222", "alias": "prod", "regions": ["eu-west-1"]},
            ]
        },
        "routes": [
            {"match": {"account": "prod", "region": "eu-*"}, "channel": "#prod-eu"},  # 0
            {"match": {"account": "prod"}, "channel": "#prod"},  # 1
            {"match": {"account": "1111*"}, "channel": "#dev-by-id"},  # 2
        ],
    }
)

ACCOUNT_RULES = [
    # the alias matches, with the region
    (
        event(account="222222222222", region="eu-west-1"),
        decision("#prod-eu", CRIT, True, rule=0, account_alias="prod"),
    ),
    (
        event(account="222222222222", region="us-east-1"),
        decision("#prod", CRIT, True, rule=1, account_alias="prod"),
    ),
    # the id still matches; the decision names the alias for the alert
    (
        event(account="111111111111"),
        decision("#dev-by-id", CRIT, True, rule=2, account_alias="dev"),
    ),
    # an account the config does not name: no alias, the defaults
    (event(account="333333333333"), decision("#mlpulse", CRIT, True)),
    (event(account=None), decision("#mlpulse", CRIT, True)),
]


@pytest.mark.parametrize(("incoming", "expected"), ACCOUNT_RULES)
def test_routes_match_an_account_by_alias_or_id(incoming: Event, expected: Decision) -> None:
    assert route(incoming, ACCOUNTS_CONFIG) == expected


def test_an_alias_is_not_matched_without_the_config_naming_it() -> None:
    assert not matches(Match(account=["prod"]), event(account="222222222222"))
    assert matches(Match(account=["prod"]), event(account="222222222222"), "prod")
    assert matches(Match(account=["pr*"]), event(account="222222222222"), "prod")
