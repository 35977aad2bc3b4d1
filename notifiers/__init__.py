"""Rendering alerts as Slack Block Kit, and delivering them (Slack, or a console)."""
