"""One feature on one side of a comparison, accumulated batch by batch as pyarrow reads it
(bot.drift.datasets): numeric values kept, sampled or counted on a grid; categories counted.

Kept      every value, while the side fits in memory (`EXACT_VALUES`): exact statistics.
Sampled   a uniform sample of `binned.RESERVOIR` values (each value gets a random key, the
          smallest keys stay), to place the grid of a baseline too large to keep.
Counted   counts on that grid, and exact running moments: memory independent of the rows.
Categories  the count of every distinct value (whitespace trimmed); missing spellings
          (bot.drift.sniff.MISSING) and nulls counted apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from bot.drift.binned import RESERVOIR, count_cells
from bot.drift.grid import Floats
from bot.drift.sniff import MISSING
from bot.drift.stats import Moments

EXACT_VALUES = 1 << 25  # numeric values kept per side (256 MB) before counting on a grid
_SEED = 20261125


def floats(array: pa.Array) -> Floats:
    """A column as float64, null (and any cell that is no number) as NaN."""
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    try:
        as_float = pc.cast(array, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return np.array([_number(cell) for cell in array.to_pylist()], dtype=np.float64)
    values: Floats = as_float.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    return values


def _number(cell: object) -> float:
    try:
        return float(str(cell)) if cell is not None else math.nan
    except ValueError:
        return math.nan


@dataclass
class Running:
    """Count, mean and standard deviation over batches (sums shifted by the first batch's
    mean, so they do not cancel)."""

    count: int = 0
    missing: int = 0
    shift: float | None = None
    s1: float = 0.0
    s2: float = 0.0
    infinite: bool = False

    def add(self, present: Floats, missing: int) -> None:
        self.missing += missing
        if not present.size:
            return
        finite = np.isfinite(present)
        self.infinite |= not bool(finite.all())
        if self.shift is None:
            self.shift = float(present[finite].mean()) if finite.any() else 0.0
        centred = present[finite] - self.shift
        self.count += present.size
        self.s1 += float(centred.sum())
        self.s2 += float(np.dot(centred, centred))

    def moments(self) -> Moments:
        if not self.count or self.infinite:
            return Moments(self.count, self.missing, None, None)
        mean = self.s1 / self.count
        variance = max(self.s2 / self.count - mean * mean, 0.0)
        return Moments(self.count, self.missing, (self.shift or 0.0) + mean, math.sqrt(variance))


@dataclass
class Kept:
    chunks: list[Floats] = field(default_factory=list)
    size: int = 0

    def add(self, values: Floats) -> None:
        self.chunks.append(values)
        self.size += values.size

    def values(self) -> Floats:
        if len(self.chunks) != 1:
            self.chunks = [np.concatenate(self.chunks) if self.chunks else np.empty(0)]
        return self.chunks[0]


@dataclass
class Sampled:
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(_SEED))
    keys: Floats = field(default_factory=lambda: np.empty(0))
    sample: Floats = field(default_factory=lambda: np.empty(0))

    def add(self, values: Floats) -> None:
        values = values[~np.isnan(values)]
        keys = self.rng.random(values.size)
        if self.keys.size >= RESERVOIR:  # only keys below the current largest kept one enter
            entering = keys < self.keys.max()
            keys, values = keys[entering], values[entering]
        if not keys.size:
            return
        keys, sample = np.concatenate((self.keys, keys)), np.concatenate((self.sample, values))
        if keys.size > RESERVOIR:
            keep = np.argpartition(keys, RESERVOIR - 1)[:RESERVOIR]
            keys, sample = keys[keep], sample[keep]
        self.keys, self.sample = keys, sample


@dataclass
class Counted:
    edges: Floats
    counts: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    running: Running = field(default_factory=Running)

    def add(self, values: Floats) -> None:
        missing = np.isnan(values)
        present = values[~missing]
        self.running.add(present, int(missing.sum()))
        found = count_cells(present, self.edges)
        self.counts = found if not self.counts.size else self.counts + found


Numbers = Kept | Sampled | Counted


@dataclass
class Categories:
    counts: dict[str, int] = field(default_factory=dict)
    missing: int = 0

    def add(self, array: pa.Array) -> None:
        if not (pa.types.is_string(array.type) or pa.types.is_dictionary(array.type)):
            array = pc.cast(array, pa.string())
        found = pc.value_counts(array)
        values = found.field("values")
        if pa.types.is_dictionary(values.type):
            values = values.dictionary_decode()
        for value, count in zip(values.to_pylist(), found.field("counts").to_pylist(), strict=True):
            word = str(value).strip() if value is not None else ""
            if word.lower() in MISSING:
                self.missing += count
            else:
                self.counts[word] = self.counts.get(word, 0) + count

    @property
    def present(self) -> int:
        return sum(self.counts.values())
