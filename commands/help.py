"""`/mlpulse help`."""

from __future__ import annotations

from commands.base import Args, Context, Reply

SLOW = False


def handle(ctx: Context, args: Args) -> Reply:
    """help — every subcommand, one line each, with an example.

    /mlpulse help
    """
    from commands import REGISTRY, example, help_line

    lines = ["*mlpulse* answers questions about your ML platform:"]
    for module in REGISTRY.values():
        usage, _, does = help_line(module).partition(" — ")
        line = f"• `{usage}` — {does}"
        if (shown := example(module)) and shown != "/mlpulse help":
            line += f"  e.g. `{shown}`"
        lines.append(line)
    lines.append(
        "Questions about AWS look in every account and region mlpulse knows; "
        "`--account prod` or `--region eu-west-1` looks in one."
    )
    lines.append("Add `--public` to show an answer to the whole channel.")
    return Reply(text="\n".join(lines))
