"""Delivery: accepted alerts and notices from the store's outbox to Slack.

worker      the Deliverer: passes over due items (lease, pace, hand over), run, drain
steps       one item: post the root, update it, reply in its thread, notices
posting     one post or edit: within limits, plain when refused, never posted twice
            (at most once where the lookup for an earlier attempt is refused)
root_state  what a root message keeps from the state a newer event replaces
channels    where an item goes, and the channel ids Slack answered with
pacing      about one post a second per channel, each channel's allowance learned from 429s
bursts      many new resources at once become one digest message
trials      a tuning job's trials in its one message (trial_tally: what its root says of them)
logtails    a failed job's or build's log tail in its alert's thread (logsources: where it is)
failures    the failure policy, one row per kind of failure
"""
