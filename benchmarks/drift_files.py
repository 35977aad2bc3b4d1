"""`mlpulse drift --baseline A.csv --current B.csv` on two 1,000,000 × 20 CSV files on disk,
the whole command as a separate process: what a user waits for, and the memory it takes.

The files (16 numeric columns, normal and half of them shifted by 0.3 sd, 6 significant
digits; 4 categorical of 30 categories; about 190 MB each) are written once into a cache
folder in the temp dir and reused. The figure is the best of `REPEATS` runs of
`python -m bot.cli drift` (wall time, interpreter start and imports included); the memory is
the child's peak resident set size (getrusage RUSAGE_CHILDREN, in MB).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROWS = 1_000_000
NUMERIC, CATEGORICAL = 16, 4
REPEATS = 3
CACHE = Path(tempfile.gettempdir()) / "mlpulse-bench-drift"
_RESULT: dict[str, float] = {}


def write_csv(path: Path, seed: int, shift: float, rows: int = ROWS) -> Path:
    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    words = np.array([f"category-{i}" for i in range(30)])
    columns = [np.char.mod("%.6g", rng.normal(shift * (i % 2), 1.0, rows)) for i in range(NUMERIC)]
    columns += [words[rng.integers(0, 30, rows)] for _ in range(CATEGORICAL)]
    names = [f"n{i}" for i in range(NUMERIC)] + [f"c{i}" for i in range(CATEGORICAL)]
    partial = path.with_suffix(".part")
    with partial.open("w") as out:
        out.write(",".join(names) + "\n")
        for start in range(0, rows, 100_000):
            block = np.stack([c[start : start + 100_000] for c in columns], axis=1)
            out.write("\n".join(",".join(row) for row in block.tolist()) + "\n")
    partial.rename(path)
    return path


def files() -> tuple[Path, Path]:
    CACHE.mkdir(exist_ok=True)
    return write_csv(CACHE / "baseline-1m.csv", 1, 0.0), write_csv(CACHE / "current-1m.csv", 2, 0.3)


def measure() -> dict[str, float]:
    if _RESULT:
        return _RESULT
    baseline, current = files()
    root = Path(__file__).resolve().parents[1]
    command = [sys.executable, "-m", "bot.cli", "drift"]
    command += ["--baseline", str(baseline), "--current", str(current)]
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
        timings.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise RuntimeError(f"mlpulse drift failed: {done.stderr.strip()}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child
    _RESULT.update(drift_1m_file_s=min(timings), drift_1m_file_rss_mb=peak_kb / 1024)
    return _RESULT


def drift_1m_file_s() -> float:
    return measure()["drift_1m_file_s"]


def drift_1m_file_rss_mb() -> float:
    return measure()["drift_1m_file_rss_mb"]


if __name__ == "__main__":
    figures = measure()
    print(f"drift_1m_file_s {figures['drift_1m_file_s']:.2f}")
    print(f"drift_1m_file_rss_mb {figures['drift_1m_file_rss_mb']:.0f}")
