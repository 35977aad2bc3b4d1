"""Incidents: alerts someone must act on, with Acknowledge / Resolve / Snooze, re-notify,
silences, auto-resolve on recovery, and an audit of every transition."""
