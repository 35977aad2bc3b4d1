"""`/mlpulse endpoint NAME`: an endpoint's health over the last hour, per variant."""

from __future__ import annotations

import re
from datetime import datetime

from bot.aws.calls import region_of
from bot.aws.endpoint_health import UTILIZATION, Health, VariantHealth, endpoint_health
from bot.aws.endpoints import (
    Alarm,
    Endpoint,
    Variant,
    endpoint_alarms,
)
from bot.aws.errors import AwsError
from bot.core.errors import InputError
from bot.core.text import clip, code_block
from bot.kinds.links import endpoint_links, naming_account
from commands import charts
from commands.base import Args, Chart, Context, Reply
from commands.display import (
    Block,
    badge,
    buttons,
    context,
    fields,
    header,
    name,
    number,
    percent,
    reply,
    section,
    when,
)
from commands.locate import locate_endpoint
from notifiers.times import Style, local_time

SLOW = True
MAX_ALARMS = 10
_UTILIZATION_NAMES = {
    "cpu": "CPU",
    "memory": "Memory",
    "disk": "Disk",
    "gpu": "GPU",
    "gpu_memory": "GPU memory",
}


def handle(ctx: Context, args: Args) -> Reply:
    """endpoint NAME — last hour: invocations, errors, latency, utilization, alarms, chart.

    /mlpulse endpoint churn-prod
    """
    if len(args.words) != 1:
        raise InputError("usage: `/mlpulse endpoint NAME`, e.g. `/mlpulse endpoint churn-prod`")
    wanted = args.words[0]
    located = locate_endpoint(ctx, args, wanted)
    if isinstance(located, Reply):
        return located
    aws, endpoint = located.aws, located.found
    now = ctx.clock.now()
    blocks: list[Block] = [header(f"Endpoint {endpoint.name}"), *located.where]
    blocks += fields(
        [
            ("Status", badge(endpoint.status)),
            ("Config", name(endpoint.config) if endpoint.config else None),
            ("Created", when(endpoint.created, now)),
            ("Last change", when(endpoint.modified, now)),
        ]
    )
    if endpoint.failure:
        blocks.append(section(f"*Failure reason*\n{code_block(endpoint.failure, 1500)}"))
    health = None
    if not endpoint.variants:
        blocks.append(section("_No production variants yet._"))
    else:
        names = [variant.name for variant in endpoint.variants]
        try:
            health = endpoint_health(aws.cloudwatch, endpoint.name, names, now)
        except AwsError as error:  # the status and alarms are still worth showing
            blocks.append(context(f"Metrics: {clip(str(error), 300)}"))
        for index, variant in enumerate(endpoint.variants):
            figures = health.variants[index] if health else None
            blocks.append(section(_variant_text(variant, figures)))
    blocks += _alarms(aws.cloudwatch, endpoint.name, now)
    links = endpoint_links(endpoint.name, region_of(aws))
    blocks += buttons(naming_account(links, located.account))
    found = [chart] if health and (chart := _chart(endpoint, health)) else []
    if health:
        blocks.append(
            context(
                f"Last hour: {local_time(health.start, Style.TIME)}–"
                f"{local_time(health.end, Style.TIME)}. "
                "Latencies in ms (CloudWatch reports µs)."
            )
        )
    return reply(
        f"Endpoint {endpoint.name}: {endpoint.status}", blocks, charts=found, public=args.public
    )


def _variant_text(variant: Variant, health: VariantHealth | None) -> str:
    title = f"*Variant {name(variant.name)}* — {clip(variant.instances, 120)}"
    if variant.weight is not None:
        title += f", weight {variant.weight:.3g}"
    lines = [title, *(f"_{clip(note, 300)}_" for note in variant.notes[:3])]
    if health is None:
        return "\n".join(lines)
    invocations = health.total("invocations")
    if invocations is None:
        lines.append("No invocations in the last hour.")
    else:
        rate = health.error_rate()
        lines.append(
            f"Invocations {number(invocations)} · 4XX {number(health.total('4xx') or 0.0)} · "
            f"5XX {number(health.total('5xx') or 0.0)} · "
            f"error rate {percent(rate)}"
        )
    latency = []
    for key, label in (("model", "ModelLatency"), ("overhead", "OverheadLatency")):
        p50, p99 = health.hour(f"{key}_p50_hour"), health.hour(f"{key}_p99_hour")
        if p50 is not None or p99 is not None:
            latency.append(f"{label} p50 {number(p50, ' ms')} · p99 {number(p99, ' ms')}")
    lines += [" · ".join(latency)] if latency else []
    usage = [
        f"{_UTILIZATION_NAMES[key]} {percent(found[0])} avg, {percent(found[1])} peak"
        for key in UTILIZATION
        if (found := health.mean_and_peak(key))
    ]
    lines.append(" · ".join(usage) if usage else "No utilization data in the last hour.")
    return "\n".join(lines)


def _alarms(cloudwatch: object, endpoint: str, now: datetime) -> list[Block]:
    try:
        alarms = endpoint_alarms(cloudwatch, endpoint)
    except AwsError as error:
        return [context(f"Alarms: {clip(str(error), 300)}")]
    if not alarms:
        return [context("No CloudWatch alarms on this endpoint.")]
    lines = [_alarm_line(alarm, now) for alarm in alarms[:MAX_ALARMS]]
    if len(alarms) > MAX_ALARMS:
        lines.append(f"… and {len(alarms) - MAX_ALARMS} more")
    firing = sum(alarm.state == "ALARM" for alarm in alarms)
    return [section(f"*Alarms* ({firing} of {len(alarms)} in ALARM)\n" + "\n".join(lines))]


def _alarm_line(alarm: Alarm, now: datetime) -> str:
    line = f"{badge(alarm.state)} {name(alarm.name, 150)} — {clip(alarm.metric, 150)}"
    if alarm.state == "ALARM" and alarm.reason:
        line += f"\n    _{clip(alarm.reason, 250)}_"
    return line


def _chart(endpoint: Endpoint, health: Health) -> Chart | None:
    several = len(health.variants) > 1

    def lines(keys: dict[str, str]) -> list[charts.Line]:
        return [
            charts.Line(f"{label} ({v.variant})" if several else label, v.times(key), v.values(key))
            for v in health.variants
            for key, label in keys.items()
            if v.values(key)
        ]

    panels = [
        charts.Panel(
            "Invocations and errors per minute",
            lines({"invocations": "Invocations"}),
            unit="invocations",
            # errors on their own axis: 35 of them are a flat line beside 1,100 invocations
            secondary=lines({"4xx": "4XX", "5xx": "5XX"}),
            secondary_unit="errors (4XX, 5XX)",
        ),
        charts.Panel(
            "ModelLatency (ms)", lines({"model_p50": "p50", "model_p99": "p99"}), unit="ms"
        ),
        charts.Panel("Utilization (%)", lines(_UTILIZATION_NAMES), unit="%"),
    ]
    if not any(panel.lines or panel.secondary for panel in panels):
        return None
    png = charts.render(f"Endpoint {endpoint.name} — last hour", panels)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", endpoint.name)[:80] or "endpoint"
    return Chart(filename=f"{safe}-health.png", title=f"{endpoint.name} last hour", png=png)
