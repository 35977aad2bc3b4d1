"""The intake step for events that ask for a decision (bot.intake.accept's `enrich`): what
the event lacks is looked up (bot.approvals.lookups), who may decide is written on it
(bot.approvals.who), a model package gets its metrics beside its group's approved
version's (bot.approvals.metrics), and the approval is registered in the store before the
event is accepted, so its buttons never point at nothing. An event that says an approval
was decided in AWS (the approval action's outcome, the package approved or rejected in
the console) closes the pending record.

Never raises: an approval that cannot be looked up or registered is shown without buttons.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.approvals.ids import approval_id
from bot.approvals.lookups import Lookups
from bot.approvals.metrics import comparison, read_metrics
from bot.approvals.who import approvers_for
from bot.aws.errors import AwsError
from bot.config.models import Config
from bot.core.approvals import Approval, ApprovalAsk, ApprovalState
from bot.core.errors import StoreError
from bot.core.events import Event, Fact
from bot.store import ApprovalStore

log = logging.getLogger(__name__)
METRICS = "Metrics"


def approval_enricher(
    config: Config, store: ApprovalStore, lookups: Lookups
) -> Callable[[Event], Event]:
    def enrich(event: Event) -> Event:
        if event.approval is None or event.approval.outcome is not None:
            return event  # nothing asked, or an outcome mlpulse tells (bot.approvals.outcome)
        try:
            return _enrich(event, event.approval, config, store, lookups)
        except StoreError as error:
            log.warning("approval of %s not registered: %s", event.key, error)
        except Exception:
            log.exception("approval of %s not registered", event.key)
        return event.model_copy(update={"approval": None})

    return enrich


def _enrich(
    event: Event, ask: ApprovalAsk, config: Config, store: ApprovalStore, lookups: Lookups
) -> Event:
    if not ask.asking:
        closed = approval_id(ask, event.account, event.region)
        note = f"decided in AWS: {event.status}"
        store.settle_approval(closed, ApprovalState.CLOSED, event.time, note=note)
        return event.model_copy(update={"approval": None})
    if ask.kind == "codepipeline":
        event, ask = _completed_pipeline_ask(event, ask, lookups)
    else:
        event = _with_metrics(event, ask, lookups)
    ask = ask.model_copy(
        update={
            "id": approval_id(ask, event.account, event.region),
            "deciders": approvers_for(config, ask.subject),
        }
    )
    shown = event.model_copy(update={"approval": ask})
    store.open_approval(_record(shown, ask, event.time))
    return shown


def _completed_pipeline_ask(
    event: Event, ask: ApprovalAsk, lookups: Lookups
) -> tuple[Event, ApprovalAsk]:
    """The SNS notification names no execution (so no thread) and no account; the
    EventBridge event no token. What GetPipelineState and STS say fills them in."""
    target = dict(ask.target)
    if "execution" not in target or "token" not in target:
        there = _there(lookups, event)
        found = there.pending_action(target["pipeline"], target["stage"], target["action"])
        target = {**found, **target}
    account = event.account or lookups.own_account()
    update: dict[str, object] = {"account": account}
    if event.account is None or "execution" not in ask.target:
        # The resource's key as bot.ingress.normalize makes it for the execution's own
        # events: `codepipeline:<account>:<region>:<pipeline>/<execution>`.
        scope = f"{event.kind.value}:{account or '-'}:{event.region or '-'}"
        run = f"/{target['execution']}" if "execution" in target else ""
        update |= {
            "key": f"{scope}:{target['pipeline']}{run}",
            "series": f"{scope}:{target['pipeline']}",
        }
    return event.model_copy(update=update), ask.model_copy(update={"target": target})


def _with_metrics(event: Event, ask: ApprovalAsk, lookups: Lookups) -> Event:
    lookups = _there(lookups, event)
    uri = ask.target.get("metrics")
    report = lookups.report(uri) if uri else None
    if report is None:
        return event
    approved = lookups.approved_report_uri(ask.subject)
    approved_metrics = None
    if approved is not None and approved[1]:
        approved_report = lookups.report(approved[1])
        approved_metrics = read_metrics(approved_report) if approved_report else None
    text = comparison(
        read_metrics(report),
        ask.target.get("version", "?"),
        approved_metrics,
        approved[0] if approved else "?",
    )
    if text is None:
        return event
    facts = (*event.facts, Fact(label=METRICS, value=text, long=True))
    return event.model_copy(update={"facts": facts})


def _record(event: Event, ask: ApprovalAsk, at: datetime) -> Approval:
    return Approval(
        id=ask.id,
        kind=ask.kind,
        key=event.key,
        subject=ask.subject,
        title=f"{event.name} · {event.subject}" if event.subject else event.name,
        target=dict(ask.target),
        requested_at=at,
        event=event.model_dump_json(),
        deadline=ask.deadline,
    )


def _there(lookups: Lookups, event: Event) -> Lookups:
    """The lookups of the event's own account and region; the bot's own when that account's
    role cannot be assumed (what is looked up here is best effort; the decision says why)."""
    try:
        return lookups.at(event.account, event.region)
    except AwsError as error:
        log.info("approval lookups in the bot's own account: %s", error)
        return lookups
