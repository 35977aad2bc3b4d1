"""The Slack app: `/mlpulse` commands and incident buttons, over HTTP or Socket Mode."""
