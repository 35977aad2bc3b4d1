"""Drift statistics on 1,000,000 rows × 20 features in under a second, on data already in
memory (the whole command, files read from disk: benchmarks/drift_files.py).

20 features, 1,000,000 rows on each side (baseline and current): 16 numeric (normal,
lognormal, integer-valued, zero-inflated with 1% missing; half of them shifted) and 4
categorical (30 categories, some missing; as counts, as the reader accumulates them). The
data is made before the clock starts; the
figure is the best of three timings of `compare_columns` alone: PSI and Kolmogorov–Smirnov
per numeric feature, PSI and Jensen–Shannon per categorical one, verdicts and summaries.
Run it last: the arrays (about 330 MB) raise the process's peak RSS.
"""

from __future__ import annotations

import time

import numpy as np

from bot.drift.compare import Categorical, Column, Numeric, compare_columns

ROWS = 1_000_000
NUMERIC, CATEGORICAL = 16, 4
SEED = 7


def _numeric(rng: np.random.Generator, kind: int, shift: float) -> np.ndarray:
    if kind == 0:
        return rng.normal(shift, 1.0, ROWS)
    if kind == 1:
        return rng.lognormal(shift, 0.5, ROWS)
    if kind == 2:
        return rng.integers(0, 50, ROWS).astype(np.float64) + round(10 * shift)
    values = np.where(rng.random(ROWS) < 0.3, 0.0, rng.normal(shift, 1.0, ROWS))
    values[rng.random(ROWS) < 0.01] = np.nan
    return values


def data() -> tuple[dict[str, Column], dict[str, Column]]:
    rng = np.random.default_rng(SEED)
    baseline: dict[str, Column] = {}
    current: dict[str, Column] = {}
    for i in range(NUMERIC):
        shift = 0.1 * (i % 2)
        baseline[f"n{i}"] = Numeric(_numeric(rng, i % 4, 0.0))
        current[f"n{i}"] = Numeric(_numeric(rng, i % 4, shift))
    for i in range(CATEGORICAL):
        baseline[f"c{i}"] = _categories(rng.integers(-1, 30, ROWS))
        current[f"c{i}"] = _categories(rng.integers(-1, 30 - i, ROWS))
    return baseline, current


def _categories(codes: np.ndarray) -> Categorical:
    """Category counts as bot.drift.columns accumulates them (code -1: missing)."""
    counts = np.bincount(codes + 1, minlength=31)
    return Categorical(
        {f"category-{i}": int(n) for i, n in enumerate(counts[1:]) if n}, int(counts[0])
    )


def drift_1m_s(repeats: int = 3) -> float:
    """The best of `repeats` timings (as timeit reports), so a busy neighbour on a shared
    machine does not decide the figure."""
    baseline, current = data()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        features = compare_columns(baseline, current)
        timings.append(time.perf_counter() - started)
        assert len(features) == NUMERIC + CATEGORICAL
    return min(timings)


if __name__ == "__main__":
    print(f"drift_1m_s {drift_1m_s():.3f}")
