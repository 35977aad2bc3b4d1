"""The `mlpulse` command line: `main` parses and dispatches; one module per command group."""

from bot.cli.main import main

__all__ = ["main"]
