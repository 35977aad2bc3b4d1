"""The Slack app: `/mlpulse` commands and incident buttons, over HTTP or Socket Mode, one
concept per module:

verify        POST /slack/events before Bolt: signature, body, nothing handled twice
replays       the signed bodies already taken, for as long as a signature verifies
interactions  the Bolt app: listeners that acknowledge at once and queue their work
slash         `/mlpulse`: read the line, acknowledge, run it on the queue, answer by response_url
buttons       the incident buttons and snooze menu: permission check, then the transition
approvals     the Approve / Reject buttons, the decision modal, the buttons' removal
usergroups    who is in a Slack user group (permissions.approvers), cached
work          mlpulse's bounded executor for the work behind an acknowledgement
replies       what the Slack side says on its own ("busy", "looking that up")
"""
