"""Events as Slack messages. Pure: an `Event` and its routing decision in, a
chat.postMessage payload out. Every AWS string goes through `bot.core.text`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.core.decision import Decision
from bot.core.durations import format_duration
from bot.core.events import Event, Fact, Link, Outcome, Severity
from bot.core.incident import Incident
from bot.core.outcomes import display_status
from bot.core.text import clip, code_block, escape, safe_url, truncate
from bot.kinds import status_phrase
from bot.kinds.links import naming_account
from notifiers import limits
from notifiers.approval_blocks import approval_blocks
from notifiers.incident_blocks import incident_blocks
from notifiers.questions import question_buttons
from notifiers.times import Style, local_time

Payload = dict[str, Any]

EMOJI = {
    Outcome.SUCCEEDED: ":large_green_circle:",
    Outcome.FAILED: ":red_circle:",
    Outcome.DEGRADED: ":large_orange_circle:",
    Outcome.RUNNING: ":large_blue_circle:",
    Outcome.STOPPED: ":white_circle:",
    Outcome.UNKNOWN: ":grey_question:",
}
COLOR = {
    Outcome.SUCCEEDED: "#2EB67D",
    Outcome.FAILED: "#E01E5A",
    Outcome.DEGRADED: "#ECB22E",
    Outcome.RUNNING: "#36C5F0",
    Outcome.STOPPED: "#9E9E9E",
    Outcome.UNKNOWN: "#9E9E9E",
}
_MENTIONS = {"@here": "<!here>", "@channel": "<!channel>", "@everyone": "<!everyone>"}
_MAX_LINKS = 5
_REASON_CHARS = 2500
_REPLY_REASON_CHARS = 1500
_PART_CHARS = 300  # a status, a part's name, a context item: room left for the rest
_LONG_FACT_CHARS = 1500
_MAX_LONG_FACTS = 6


def headline(event: Event) -> str:
    """`:red_circle: Training job Failed: churn-xgb`, `:red_circle: CloudWatch alarm firing:
    db-connections` (unescaped; callers escape); the part follows when the event is about
    one (`CodeBuild Succeeded: tests · phase BUILD`)."""
    said = status_phrase(event.kind, event.status, event.previous_status)
    line = " ".join(part for part in (EMOJI[event.outcome], event.title, said) if part)
    line += f": {event.name}"
    return f"{line} · {event.subject}" if event.subject else line


def shown_mention(decision: Decision) -> str | None:
    """The route's mention as markup, where it belongs: on an alert that opens (or joins)
    an incident, or on every alert of a route that asks for that (`mention_on: all`).
    Reminders carry it too (bot.incidents.service)."""
    if decision.mention and (decision.incident or decision.mention_always):
        return mention_markup(decision.mention)
    return None


def when(event: Event, style: Style) -> str:
    """An event's time in each reader's own zone (mrkdwn: put it in after escaping),
    saying whose time it is when it is not the event's own: `sent` (an SNS text's
    envelope), `received` (the event's was unreadable)."""
    shown = local_time(event.time, style)
    return shown if event.time_source == "event" else f"{event.time_source} {shown}"


def render_alert(
    event: Event,
    decision: Decision,
    incident: Incident | None = None,
    snooze_choices: Sequence[timedelta] = (),
) -> Payload:
    """The root message for a resource, showing `event` as its current state, and the
    incident it carries, if any: with its buttons, or, when another resource's failure
    opened it, which incident it is part of."""
    facts = _short_facts(event, decision.account_alias)
    blocks: list[Payload] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": clip(headline(event), limits.HEADER_TEXT),
                "emoji": True,
            },
        },
        _status_section(event, decision, facts),
    ]
    if incident is not None:
        blocks += incident_blocks(incident, snooze_choices, event.key)
    if event.approval is not None:
        blocks += approval_blocks(event.approval)
    blocks += _extra_fact_sections(facts)
    if event.reason:
        label = escape(event.reason_label)
        blocks.append(_section(f"*{label}*\n{code_block(event.reason, _REASON_CHARS)}"))
    blocks += [
        _section(f"*{escape(fact.label)}*\n{code_block(fact.value, _LONG_FACT_CHARS)}")
        for fact in event.facts
        if fact.long
    ][:_MAX_LONG_FACTS]
    buttons = link_buttons(naming_account(event.links, decision.account_alias))
    buttons += question_buttons(event, decision)
    if buttons:
        blocks.append({"type": "actions", "elements": buttons[: limits.ACTIONS_ELEMENTS]})
    blocks.append(_context(event))
    return {
        "channel": decision.channel,
        "text": _fallback_text(event, decision),
        "attachments": [{"color": COLOR[event.outcome], "blocks": blocks}],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def render_reply(event: Event, late: bool = False, told_above: bool = False) -> Payload:
    """A thread reply telling one later event about a resource. `late`: it arrived after a
    newer one; `told_above`: even so, it added where the resource failed to the root."""
    line = f"{EMOJI[event.outcome]} *{clip(display_status(event.status), _PART_CHARS)}*"
    if event.previous_status:
        line += f" (was {clip(display_status(event.previous_status), _PART_CHARS)})"
    if event.subject:
        line += f" · {clip(event.subject, _PART_CHARS)}"
    line += f" · {when(event, Style.TIME_SECS)}"
    if late and told_above:
        line += (
            "\n_Arrived after a newer update; the message above now also shows where it failed._"
        )
    elif late:
        line += "\n_Arrived after a newer update; the message above keeps the newer state._"
    if event.reason:
        line += "\n" + code_block(event.reason, _REPLY_REASON_CHARS)
    blocks = [_section(line)]
    if event.approval is not None:
        blocks += approval_blocks(event.approval)
    return {
        "text": clip(f"{display_status(event.status)}: {event.subject or event.name}", 300),
        "blocks": blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }


def render_notice(text: str, broadcast: bool = False) -> Payload:
    """A thread line that is not an event (an incident transition, a reminder); `text` is
    mrkdwn built by mlpulse with every outside string already escaped."""
    shown = clip_mrkdwn(text)
    payload: Payload = {"text": shown, "blocks": [_section(shown)]}
    if broadcast:
        payload["reply_broadcast"] = True
    return payload


def render_plain(event: Event) -> Payload:
    """The alert as plain text only: what is sent when Slack refuses the blocks."""
    text = clip(headline(event), 500)
    if event.reason:
        text += "\n" + clip(event.reason, 2000)
    return {"text": text, "unfurl_links": False, "unfurl_media": False}


def _status_section(event: Event, decision: Decision, facts: list[Fact]) -> Payload:
    status = f"*Status:* {clip(display_status(event.status), _PART_CHARS)}"
    if event.previous_status:
        status += f" (was {clip(display_status(event.previous_status), _PART_CHARS)})"
    if event.subject:
        status += f"\n*Part:* {clip(event.subject, _PART_CHARS)}"
    if decision.severity != Severity.INFO:
        status += f"\n*Severity:* {decision.severity.value}"
    if mention := shown_mention(decision):
        status += f"\n{mention}"
    fields = [_field(fact.label, fact.value) for fact in facts][: limits.MAX_FIELDS]
    block = _section(clip_mrkdwn(status))
    if fields:
        block["fields"] = fields
    return block


def _short_facts(event: Event, alias: str | None) -> list[Fact]:
    facts = []
    if (seconds := event.duration_seconds) is not None:
        facts.append(Fact(label="Duration", value=format_duration(seconds)))
    facts += [fact for fact in event.facts if not fact.long]
    if event.account:
        shown = f"{alias} ({event.account})" if alias else event.account
        facts.append(Fact(label="Account", value=shown))
    if event.region:
        facts.append(Fact(label="Region", value=event.region))
    return facts


def _extra_fact_sections(facts: list[Fact]) -> list[Payload]:
    """Short facts beyond the first section's ten fields, ten to a section."""
    rest = facts[limits.MAX_FIELDS :]
    return [
        {
            "type": "section",
            "fields": [_field(f.label, f.value) for f in rest[i : i + limits.MAX_FIELDS]],
        }
        for i in range(0, min(len(rest), 3 * limits.MAX_FIELDS), limits.MAX_FIELDS)
    ]


def _field(label: str, value: str) -> Payload:
    label_text = f"*{clip(label, 100)}*\n"
    return {"type": "mrkdwn", "text": label_text + clip(value, limits.FIELD_TEXT - len(label_text))}


def _section(text: str) -> Payload:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def clip_mrkdwn(text: str) -> str:
    """Already-escaped mrkdwn cut to a section's limit."""
    return truncate(text, limits.SECTION_TEXT)


def mention_markup(configured: str) -> str:
    """Mentions come from the operator's config, never from AWS text."""
    return _MENTIONS.get(configured.strip(), configured.strip())


def link_buttons(links: Sequence[Link]) -> list[Payload]:
    """Buttons opening the first links (console, logs), each URL made safe; one too long
    for Slack is left out rather than breaking the message."""
    urls = [(link.label, safe_url(link.url)) for link in links[:_MAX_LINKS]]
    return [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": clip(label, limits.BUTTON_TEXT)},
            "url": url,
            "action_id": f"link-{index}",
        }
        for index, (label, url) in enumerate(urls)
        if len(url) <= limits.BUTTON_URL
    ]


def _context(event: Event) -> Payload:
    where = " · ".join(
        [clip(part, _PART_CHARS) for part in (event.source, event.detail_type) if part]
        + [when(event, Style.DATETIME_SECS)]
    )
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip_mrkdwn(where)}]}


def _fallback_text(event: Event, decision: Decision) -> str:
    text = clip(headline(event), 500)
    if mention := shown_mention(decision):
        text = f"{mention} {text}"
    if event.reason and event.outcome in (Outcome.FAILED, Outcome.DEGRADED):
        text += " — " + clip(event.reason, 300)
    return text
