"""Baseline against current, feature by feature: the statistics of bot.drift.stats (or
bot.drift.binned for data counted on a grid), with n, verdicts, and the categories that
appeared or vanished. `compare_columns` is the part the statistics benchmark times."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from bot.drift import stats
from bot.drift.binned import numeric_binned
from bot.drift.grid import Floats
from bot.drift.sniff import MISSING

if TYPE_CHECKING:  # pyarrow is imported only when data is read, not to render a report
    from bot.drift.columns import Numbers
    from bot.drift.datasets import Feature
    from bot.drift.datasets import Side as DataSide
    from bot.drift.sources import Input
from bot.drift.stats import Ks, Psi

SHOWN = 3


@dataclass(frozen=True)
class Numeric:
    values: Floats  # NaN: missing


@dataclass(frozen=True)
class Categorical:
    counts: dict[str, int]
    missing: int = 0

    @classmethod
    def of(cls, cells: Iterable[str | None]) -> Categorical:
        counts: dict[str, int] = {}
        missing = 0
        for cell in cells:
            word = (cell or "").strip()
            if word.lower() in MISSING:
                missing += 1
            else:
                counts[word] = counts.get(word, 0) + 1
        return cls(counts, missing)


Column = Numeric | Categorical


@dataclass(frozen=True)
class Side:
    count: int  # values present
    missing: float  # fraction of rows
    rows: int = 0
    mean: float | None = None
    std: float | None = None
    top: tuple[tuple[str, float], ...] = ()  # categorical: (value, share), most frequent first


@dataclass(frozen=True)
class FeatureDrift:
    name: str
    kind: str  # "numeric" or "categorical"
    psi: Psi
    ks: Ks | None
    js: float | None
    baseline: Side
    current: Side
    appeared: tuple[tuple[str, float], ...] = ()  # categories only in the current data, share
    vanished: tuple[tuple[str, float], ...] = ()  # categories only in the baseline, share
    appeared_count: int = 0
    vanished_count: int = 0

    @property
    def rows(self) -> tuple[int, int]:
        return self.baseline.rows, self.current.rows

    @property
    def verdict(self) -> str:
        return stats.verdict(self.rows, self.psi, self.ks, self.js)

    @property
    def ks_drifted(self) -> bool:
        return self.ks is not None and self.ks.pvalue < stats.KS_ALPHA

    @property
    def js_drifted(self) -> bool:
        return self.js is not None and self.js >= stats.JS_DRIFTED


@dataclass
class Comparison:
    features: list[FeatureDrift]
    baseline_rows: int
    current_rows: int
    notes: list[str] = field(default_factory=list)

    def at_least(self, level: str) -> list[FeatureDrift]:
        """The features whose verdict is `level` or worse ("insufficient data" never is)."""
        floor = stats.LEVELS.index(level)
        return [f for f in self.features if stats.LEVELS.index(f.verdict) >= floor]


def compare_data(base_data: Input, current_data: Input) -> Comparison:
    """Two opened datasets (bot.drift.sources) read and compared."""
    from bot.drift.datasets import load

    features, base, current, notes = load(base_data, current_data)
    found = compare_sides(features, base, current)
    return Comparison(found, base.rows, current.rows, [*base.notes, *current.notes, *notes])


def compare_sides(features: list[Feature], base: DataSide, current: DataSide) -> list[FeatureDrift]:
    """Every feature, on two threads: numpy sorts and counts without the GIL."""
    with ThreadPoolExecutor(2) as pool:
        return ordered(list(pool.map(lambda f: _feature(f, base, current), features)))


def _feature(feature: Feature, base: DataSide, current: DataSide) -> FeatureDrift:
    if feature.numeric:
        return _numeric(feature.name, base.numbers[feature.name], current.numbers[feature.name])
    b, c = base.categories[feature.name], current.categories[feature.name]
    return categorical(
        feature.name, Categorical(b.counts, b.missing), Categorical(c.counts, c.missing)
    )


def compare_columns(baseline: dict[str, Column], current: dict[str, Column]) -> list[FeatureDrift]:
    """Every feature present on both sides, worst verdict first, then largest PSI."""
    found = []
    for name, base in baseline.items():
        now = current.get(name)
        if isinstance(base, Numeric) and isinstance(now, Numeric):
            found.append(_from_numeric(name, stats.numeric(base.values, now.values)))
        elif isinstance(base, Categorical) and isinstance(now, Categorical):
            found.append(categorical(name, base, now))
    return ordered(found)


def ordered(found: list[FeatureDrift]) -> list[FeatureDrift]:
    return sorted(found, key=lambda f: (-stats.LEVELS.index(f.verdict), -f.psi.value, f.name))


def _numeric(name: str, base: Numbers, current: Numbers) -> FeatureDrift:
    from bot.drift.columns import Counted, Kept

    if isinstance(base, Kept) and isinstance(current, Kept):
        return _from_numeric(name, stats.numeric(base.values(), current.values()))
    assert isinstance(base, Counted) and isinstance(current, Counted)
    drift = numeric_binned(
        base.counts, current.counts, base.running.moments(), current.running.moments()
    )
    return _from_numeric(name, drift)


def _from_numeric(name: str, drift: stats.NumericDrift) -> FeatureDrift:
    sides = _numeric_side(drift.base), _numeric_side(drift.current)
    return FeatureDrift(name, "numeric", drift.psi, drift.ks, None, *sides)


def _numeric_side(moments: stats.Moments) -> Side:
    rows = moments.present + moments.missing
    return Side(moments.present, moments.missing / max(rows, 1), rows, moments.mean, moments.std)


def categorical(name: str, base: Categorical, current: Categorical) -> FeatureDrift:
    words = sorted(set(base.counts) | set(current.counts))
    counts_b = np.array([base.counts.get(w, 0) for w in words], dtype=np.float64)
    counts_c = np.array([current.counts.get(w, 0) for w in words], dtype=np.float64)
    drift = stats.categorical(counts_b, counts_c, (base.missing, current.missing))
    rows_b, rows_c = int(counts_b.sum()) + base.missing, int(counts_c.sum()) + current.missing
    appeared = _largest(words, counts_c, (counts_b == 0) & (counts_c > 0), rows_c)
    vanished = _largest(words, counts_b, (counts_c == 0) & (counts_b > 0), rows_b)
    return FeatureDrift(
        name,
        "categorical",
        drift.psi,
        None,
        drift.js,
        _categorical_side(words, counts_b, base.missing),
        _categorical_side(words, counts_c, current.missing),
        appeared,
        vanished,
        int(((counts_b == 0) & (counts_c > 0)).sum()),
        int(((counts_c == 0) & (counts_b > 0)).sum()),
    )


def _largest(
    words: list[str], counts: Floats, chosen: np.ndarray, rows: int
) -> tuple[tuple[str, float], ...]:
    picked = np.flatnonzero(chosen)
    order = picked[np.argsort(-counts[picked], kind="stable")][:SHOWN]
    return tuple((words[i], float(counts[i] / max(rows, 1))) for i in order)


def _categorical_side(words: list[str], counts: Floats, missing: int) -> Side:
    present = int(counts.sum())
    rows = present + missing
    top = _largest(words, counts, counts > 0, rows)
    return Side(present, missing / max(rows, 1), rows, top=top)
