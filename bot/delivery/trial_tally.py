"""What a tuning job's root message says of its trials: how many completed, failed and were
stopped, and the best objective value so far. Pure.

The tally lives in the facts of the event the root shows (`Trials seen`, and `Best so far`
or, before the objective's direction is known, `Objective so far`), written and read back
here only: it is stored with the root, survives restarts, and needs nothing new in the
store. The direction (Maximize or Minimize) comes from the tuning job's own event, whose
`Objective` fact names it (bot.kinds.job_facts); a trial knows only its metric's name.

The counts are of trials seen reaching an end, each once: a redelivered event never gets
this far (the store drops it), and a trial's in-progress events change nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.core.events import Event, Fact, Kind, Outcome
from bot.kinds.trials import objective_of

TRIALS = "Trials seen"
BEST = "Best so far"
RANGE = "Objective so far"
_OWN = (TRIALS, BEST, RANGE)
_COUNTS = re.compile(r"^(\d+) completed · (\d+) failed · (\d+) stopped$")
_BEST = re.compile(r"^(?P<metric>.+) = (?P<value>\S+) \((?P<trial>[^()]*)\)$")
_RANGE = re.compile(
    r"^(?P<metric>.+) from (?P<low>\S+) \((?P<low_trial>[^()]*)\)"
    r" to (?P<high>\S+) \((?P<high_trial>[^()]*)\)$"
)


@dataclass(frozen=True)
class Score:
    value: float
    trial: str


@dataclass(frozen=True)
class Tally:
    completed: int = 0
    failed: int = 0
    stopped: int = 0
    metric: str | None = None
    low: Score | None = None  # the lowest objective value seen, and whose
    high: Score | None = None

    def counted(self, trial: Event) -> Tally:
        """With `trial`'s end counted (nothing changes for a trial still running)."""
        if trial.outcome is Outcome.FAILED:
            return replace(self, failed=self.failed + 1)
        if trial.outcome is Outcome.STOPPED:
            return replace(self, stopped=self.stopped + 1)
        if trial.outcome is not Outcome.SUCCEEDED:
            return self
        done = replace(self, completed=self.completed + 1)
        found = objective_of(trial)
        if found is None or (self.metric is not None and found[0] != self.metric):
            return done
        score = Score(found[1], trial.name)
        return replace(
            done,
            metric=found[0],
            low=score if self.low is None or score.value < self.low.value else self.low,
            high=score if self.high is None or score.value > self.high.value else self.high,
        )

    def facts(self, maximize: bool | None) -> list[Fact]:
        counts = f"{self.completed} completed · {self.failed} failed · {self.stopped} stopped"
        found = [Fact(label=TRIALS, value=counts)]
        if self.metric is None or self.low is None or self.high is None:
            return found
        if maximize is None:
            span = f"from {_score(self.low)} to {_score(self.high)}"
            return [*found, Fact(label=RANGE, value=f"{self.metric} {span}")]
        best = self.high if maximize else self.low
        return [*found, Fact(label=BEST, value=f"{self.metric} = {_score(best)}")]


def _score(score: Score) -> str:
    return f"{score.value:.6g} ({score.trial})"


def direction(shown: Event) -> bool | None:
    """True to maximize, False to minimize, None when the shown event does not say."""
    if shown.kind is not Kind.TUNING_JOB:
        return None
    goal = (shown.fact("Objective") or "").split()
    word = goal[0].lower() if goal else ""
    return {"maximize": True, "minimize": False}.get(word)


def tally_of(shown: Event) -> Tally | None:
    """The tally the shown event carries, None if it has none (no trial seen yet)."""
    facts = {fact.label: fact.value for fact in shown.facts if fact.label in _OWN}
    counts = _COUNTS.match(facts.get(TRIALS, ""))
    if counts is None:
        return None
    completed, failed, stopped = (int(group) for group in counts.groups())
    tally = Tally(completed, failed, stopped)
    try:
        if best := _BEST.match(facts.get(BEST, "")):
            # Shown as best, it stands for both ends: the direction, once known, stays known.
            score = Score(float(best["value"]), best["trial"])
            return replace(tally, metric=best["metric"], low=score, high=score)
        if span := _RANGE.match(facts.get(RANGE, "")):
            low = Score(float(span["low"]), span["low_trial"])
            high = Score(float(span["high"]), span["high_trial"])
            return replace(tally, metric=span["metric"], low=low, high=high)
    except ValueError:  # not a number we wrote: the counts still stand
        pass
    return tally


def showing(shown: Event, tally: Tally) -> Event:
    """`shown` with `tally` in place of any tally it had."""
    kept = tuple(fact for fact in shown.facts if fact.label not in _OWN)
    return shown.model_copy(update={"facts": (*kept, *tally.facts(direction(shown)))})


def with_trial(shown: Event, trial: Event) -> Event:
    """The tuning job's root state once `trial` is counted; its id becomes the trial's, so
    a retry after a crash sees that this trial is already in (trials of one tuning job are
    delivered one at a time)."""
    tally = (tally_of(shown) or Tally()).counted(trial)
    return showing(shown, tally).model_copy(update={"id": trial.id})


def carry_tally(before: Event, after: Event) -> Event:
    """The state a tuning job's root shows when its own newer event `after` replaces
    `before`: the trials seen so far stay on it."""
    tally = tally_of(before)
    if tally is None or after.kind is not Kind.TUNING_JOB:
        return after
    return showing(after, tally)
