"""The `/mlpulse` subcommands: one module each, registered here in one explicit dict."""

from __future__ import annotations

from commands import (
    ack,
    approvals,
    drift,
    endpoint,
    explain,
    incidents,
    job,
    jobs,
    metrics,
    pipeline,
    resolve,
    silence,
    silences,
    snooze,
    status,
)
from commands import help as help_command
from commands.base import Command

# name -> module with `handle(ctx, args) -> Reply` (see commands.base). Order is help order.
REGISTRY: dict[str, Command] = {
    "help": help_command,
    "status": status,
    "jobs": jobs,
    "job": job,
    "metrics": metrics,
    "endpoint": endpoint,
    "drift": drift,
    "explain": explain,
    "pipeline": pipeline,
    "incidents": incidents,
    "ack": ack,
    "resolve": resolve,
    "snooze": snooze,
    "silence": silence,
    "silences": silences,
    "approvals": approvals,
}


def help_line(module: Command) -> str:
    """The first line of the module's `handle` docstring."""
    doc = (module.handle.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else ""


def example(module: Command) -> str:
    doc = (module.handle.__doc__ or "").strip().splitlines()
    found = [line.strip() for line in doc[1:] if line.strip().startswith("/mlpulse")]
    return found[0] if found else ""
