"""A realistic mixed day (issue 14, "Done when"): several HPO jobs, pipeline runs with their
builds, jobs, an endpoint update and a flapping alarm, with 20 % of the events delivered
twice, played through the real pipeline, store and delivery on the fake clock into the
fake Slack, counting the root posts (messages posted outside a thread, burst digests
included) per 1,000 events received.

The figure this day gives is 24 root posts for 791 events received (661 events, 130 of
them delivered twice): 30.3 per 1,000, three times the target of 10. Every root is one
resource's single message: no resource posts twice, no trial posts at all, no digest is
needed. The 150 trials (538 events received, two thirds of the day) are in their 3 tuning
jobs' messages; without that they would be 150 roots or burst digests. What takes the posts
is the many small resources: the 6 CodePipeline executions (100 events) and the 6 CodeBuild
builds they run (93 events), 12 roots; 4 training jobs, 2 processing jobs and 1 transform
job (23 events), 7 roots; the endpoint (2 events) and the flapping alarm (28 events), one
each. At one root per resource, a day meets 10 per 1,000 only at 100 events per resource.
Threading a pipeline's builds into its execution's message (CodeBuild names the pipeline
as its initiator) would take this day to 18 roots, 22.8 per 1,000; further than that needs
grouping across resources (a pipeline's executions of one day, say), which the one-message-
per-resource contract (SPEC §6) does not do today.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from bot.core.clock import FakeClock
from tests.scenarios.conftest import Bot
from tests.scenarios.platform_day import START, Arrival, Day

CHANNEL = "C0MLPULSE"
PASSES = 5_000  # a tuning job's items go one a pass: they are one resource's, in order


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def mixed_day() -> tuple[Day, list[Arrival]]:
    day = Day(seed=1125)
    h = lambda hours: START + timedelta(hours=hours)  # noqa: E731
    day.tuning_job("fraud-hpo-1125", h(1), trials=60, parallel=10)
    day.tuning_job("churn-hpo-1125", h(9), trials=40, parallel=5)
    day.tuning_job("ranker-hpo-1125", h(14), trials=50, parallel=10)
    for hours, pipeline, fails in [
        (2, "churn-train", False),
        (8, "churn-train", False),
        (16, "churn-train", False),
        (10.5, "fraud-deploy", False),
        (13, "fraud-deploy", True),
        (17.75, "fraud-deploy", False),
    ]:
        day.pipeline_run(pipeline, h(hours), fails=fails)
    for hours, status in [(3, "Completed"), (6, "Failed"), (11, "Completed"), (20, "Completed")]:
        day.job("training", f"churn-xgb-2026-11-25-{int(hours):02d}00", h(hours), 40, status)
    day.job("processing", "churn-features-0400", h(4), 25, "Completed")
    day.job("processing", "fraud-features-1200", h(12), 30, "Completed")
    day.job("transform", "churn-batch-0500", h(5), 20, "Completed")
    day.endpoint_update("fraud-prod", h(10.75))
    day.flapping_alarm("fraud-prod-5xx-rate", h(15), flaps=12)
    return day, day.arrivals(redelivered=0.2)


def test_a_mixed_day_posts_one_root_per_resource_and_none_per_trial(bot: Bot) -> None:
    day, arrivals = mixed_day()
    for arrival in arrivals:
        moved = (arrival.at - bot.clock.now()).total_seconds()
        if moved > 0:
            bot.clock.advance(moved)
        bot.submit(arrival.event)
        bot.deliver(PASSES)
    for _ in range(600):
        if not bot.store.pending_count():
            break
        bot.clock.advance(1)
        bot.deliver(PASSES)
    assert bot.store.pending_count() == 0

    root_posts = [
        call
        for call in bot.fake.calls("chat.postMessage")
        if call.ok and "thread_ts" not in call.args
    ]
    roots = bot.fake.roots(CHANNEL)
    assert len(root_posts) == len(roots)  # none posted twice
    # Whose each root is: the resource whose record in the store names its message.
    resources = {event.key: event.kind for event in bot.events(*(a.event for a in arrivals))}
    whose = {}
    for key, kind in resources.items():
        record = bot.store.root(key)
        assert record is not None and record.digest_id is None, key
        whose[record.ts] = kind.value
    by_kind = Counter(whose[root.ts] for root in roots)
    assert by_kind == {
        "tuning_job": 3,
        "codepipeline": 6,
        "codebuild": 6,
        "training_job": 4,
        "processing_job": 2,
        "transform_job": 1,
        "endpoint": 1,
        "alarm": 1,
    }
    assert len(resources) == len(roots)  # a trial's key is its tuning job's
    events = len(arrivals)
    trials = sum(1 for a in day.events if "TuningJobArn" in a.event["detail"])
    assert (len(day.events), events, trials) == (661, 791, 450)
    per_thousand = 1000 * len(roots) / events
    print(f"\n{len(roots)} root posts for {events} events: {per_thousand:.1f} per 1,000")
    for kind, count in by_kind.most_common():
        print(f"  {count:3d}  {kind}")
    assert round(per_thousand, 1) == 30.3  # the target is 10: see the docstring
