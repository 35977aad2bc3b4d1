"""Which captured predictions an answer shows: the newest `--last N`, or those matching
`--id`, `--since` and `--where`, read from capture files newest first.

Files come newest first (bot.explain.capture_files for an endpoint, a folder's names in
reverse for `mlpulse explain LOCATION`) and their records are read last line first. Without
a filter the scan stops once it has N predictions; with `--id` at the first match; with
`--since`/`--where` it reads on to count every match, up to `MAX_SCANNED` predictions, so
the answer can say "37 of the 10,000 newest match". A file that cannot be read, or has
bad lines, is one line in `problems` and never stops the scan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from bot.explain.capture import CaptureRecord, read_capture
from bot.explain.clarify import Explainer
from bot.explain.model import Prediction
from bot.explain.predictions import predictions_of
from bot.explain.where import Where

MAX_SCANNED = 10_000
MAX_PROBLEMS = 5
CaptureFiles = Iterable[tuple[str, Callable[[], bytes | None]]]  # (name, read), newest first


@dataclass(frozen=True)
class Selection:
    last: int = 3
    id: str | None = None
    since: datetime | None = None
    where: Where | None = None
    most: int = MAX_SCANNED

    @property
    def filtered(self) -> bool:
        return bool(self.id or self.since or self.where)

    def wants(self, prediction: Prediction) -> bool:
        if self.id and not prediction.matches(self.id):
            return False
        if self.since and (prediction.time is None or prediction.time < self.since):
            return False
        return self.where is None or self.where(prediction)


@dataclass
class Scan:
    shown: list[Prediction] = field(default_factory=list)  # newest first
    matched: int = 0
    scanned: int = 0  # predictions looked at
    files: int = 0
    problems: list[str] = field(default_factory=list)
    capped: bool = False  # stopped at `most` with more left to read
    oldest: datetime | None = None  # the time span scanned
    newest: datetime | None = None

    def note(self, problem: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append("(more problems left out)")


def scan(files: CaptureFiles, selection: Selection, explainer: Explainer | None = None) -> Scan:
    found = Scan()
    for name, read in files:
        if found.scanned >= selection.most:
            found.capped = True
            break
        raw = read()
        if raw is None:
            found.note(f"{name}: could not be read")
            continue
        found.files += 1
        capture = read_capture(raw, name)
        if capture.problem:
            found.note(capture.problem)
        if _read(reversed(capture.records), selection, explainer, found):
            break
    return found


def _read(
    records: Iterable[CaptureRecord],
    selection: Selection,
    explainer: Explainer | None,
    found: Scan,
) -> bool:
    """Add one file's records (newest first); True when the scan is done."""
    older = 0
    for record in records:
        if selection.id and not _may_match(record, selection.id):
            found.scanned += 1
            if found.scanned >= selection.most:
                found.capped = True
                return True
            continue
        for prediction in reversed(predictions_of(record, explainer)):
            if found.scanned >= selection.most:
                found.capped = True
                return True
            if selection.since and prediction.time and prediction.time < selection.since:
                older += 1
                continue
            found.scanned += 1
            _span(found, prediction.time)
            if not selection.wants(prediction):
                continue
            found.matched += 1
            if len(found.shown) < selection.last:
                found.shown.append(prediction)
            if selection.id or (not selection.filtered and len(found.shown) >= selection.last):
                return True
    return bool(older) and selection.since is not None  # files are in time order


def _may_match(record: CaptureRecord, wanted: str) -> bool:
    base = wanted.split("#", 1)[0]
    return base in (record.event_id, record.inference_id) or wanted in (
        record.event_id,
        record.inference_id,
    )


def _span(found: Scan, moment: datetime | None) -> None:
    if moment is None:
        return
    if found.oldest is None or moment < found.oldest:
        found.oldest = moment
    if found.newest is None or moment > found.newest:
        found.newest = moment
