"""Read-only AWS queries behind the `/mlpulse` commands and drift reports."""
