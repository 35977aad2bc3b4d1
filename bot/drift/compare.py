"""Baseline against current, feature by feature: typing, then the statistics of
`bot.drift.stats` with their verdicts. `compare_columns` is the part that is timed."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bot.drift import stats
from bot.drift.datasets import MISSING, Table, is_number
from bot.drift.grid import Floats
from bot.drift.stats import Ks

NUMERIC_SHARE = 0.95


@dataclass(frozen=True)
class Numeric:
    values: Floats  # NaN: missing


@dataclass(frozen=True)
class Categorical:
    codes: NDArray[np.intp]  # -1: missing
    vocabulary: tuple[str, ...]  # shared by baseline and current


Column = Numeric | Categorical


@dataclass(frozen=True)
class Side:
    count: int
    missing: float  # fraction of rows
    mean: float | None = None
    std: float | None = None
    top: tuple[tuple[str, float], ...] = ()  # categorical: (value, share), most frequent first


@dataclass(frozen=True)
class FeatureDrift:
    name: str
    kind: str  # "numeric" or "categorical"
    psi: float
    ks: Ks | None
    js: float | None
    baseline: Side
    current: Side

    @property
    def psi_verdict(self) -> str:
        return stats.psi_verdict(self.psi)

    @property
    def ks_drifted(self) -> bool:
        return self.ks is not None and self.ks.pvalue < stats.KS_ALPHA

    @property
    def js_drifted(self) -> bool:
        return self.js is not None and self.js >= stats.JS_DRIFTED

    @property
    def verdict(self) -> str:
        other = stats.MODERATE if self.ks_drifted or self.js_drifted else stats.STABLE
        return stats.worst(self.psi_verdict, other)


@dataclass
class Comparison:
    features: list[FeatureDrift]
    baseline_rows: int
    current_rows: int
    notes: list[str] = field(default_factory=list)


def compare_tables(baseline: Table, current: Table) -> Comparison:
    names = baseline.names or [f"_c{i}" for i in range(len(baseline.columns))]
    notes = [*baseline.notes, *current.notes]
    if current.names:
        where = {name: i for i, name in enumerate(current.names)}
        pairs = [(n, i, where[n]) for i, n in enumerate(names) if n in where]
        extra = [n for n in current.names if n not in set(names)]
    else:
        pairs = [(n, i, i) for i, n in enumerate(names) if i < len(current.columns)]
        extra = [f"_c{i}" for i in range(len(names), len(current.columns))]
    missing = [n for n in names if n not in {p[0] for p in pairs}]
    if missing:
        notes.append(f"only in the baseline: {', '.join(missing)}")
    if extra:
        notes.append(f"only in the current data: {', '.join(extra)}")
    base_columns: dict[str, Column] = {}
    current_columns: dict[str, Column] = {}
    for name, i, j in pairs:
        base_columns[name], current_columns[name] = typed(baseline.columns[i], current.columns[j])
    return Comparison(
        compare_columns(base_columns, current_columns), baseline.rows, current.rows, notes
    )


def typed(base: list[str], current: list[str]) -> tuple[Column, Column]:
    present = [cell for cell in base if cell.strip().lower() not in MISSING]
    sample = present or [c for c in current if c.strip().lower() not in MISSING]
    numbers = sum(1 for cell in sample[:10_000] if is_number(cell))
    if sample and numbers >= NUMERIC_SHARE * min(len(sample), 10_000):
        return Numeric(_floats(base)), Numeric(_floats(current))
    vocabulary: dict[str, int] = {}
    codes = [_codes(cells, vocabulary) for cells in (base, current)]
    words = tuple(vocabulary)
    return Categorical(codes[0], words), Categorical(codes[1], words)


def _floats(cells: list[str]) -> Floats:
    try:
        return np.array(cells, dtype=np.float64)
    except ValueError:
        return np.array([float(c) if is_number(c) else np.nan for c in cells], dtype=np.float64)


def _codes(cells: list[str], vocabulary: dict[str, int]) -> NDArray[np.intp]:
    found = []
    for cell in cells:
        word = cell.strip()
        found.append(
            -1 if word.lower() in MISSING else vocabulary.setdefault(word, len(vocabulary))
        )
    return np.array(found, dtype=np.intp)


def compare_columns(baseline: dict[str, Column], current: dict[str, Column]) -> list[FeatureDrift]:
    """Every feature present on both sides, worst verdict first, then largest PSI."""
    found = []
    for name, base in baseline.items():
        now = current.get(name)
        if isinstance(base, Numeric) and isinstance(now, Numeric):
            drift = stats.numeric(base.values, now.values)
            sides = _numeric(drift.base), _numeric(drift.current)
            found.append(FeatureDrift(name, "numeric", drift.psi, drift.ks, None, *sides))
        elif isinstance(base, Categorical) and isinstance(now, Categorical):
            size = len(base.vocabulary)
            value, js = stats.categorical(base.codes, now.codes, size)
            found.append(
                FeatureDrift(
                    name, "categorical", value, None, js, _categorical(base), _categorical(now)
                )
            )
    return sorted(found, key=lambda f: (-stats.LEVELS.index(f.verdict), -f.psi, f.name))


def _numeric(moments: stats.Moments) -> Side:
    rows = max(moments.present + moments.missing, 1)
    return Side(moments.present, moments.missing / rows, moments.mean, moments.std)


def _categorical(column: Categorical, shown: int = 3) -> Side:
    counts = np.bincount(column.codes + 1, minlength=len(column.vocabulary) + 1)
    rows = max(column.codes.size, 1)
    present = int(counts[1:].sum())
    order = np.argsort(-counts[1:], kind="stable")[:shown]
    top = tuple((column.vocabulary[i], counts[i + 1] / rows) for i in order if counts[i + 1])
    return Side(present, counts[0] / rows, top=top)
