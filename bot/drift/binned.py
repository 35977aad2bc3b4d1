"""Numeric drift when the data does not fit in memory: counts on a fixed grid of baseline
quantiles instead of the values. Pure: counts in, `NumericDrift` out.

The grid: `CELLS` (4,096) quantiles of a uniform sample of the baseline (a reservoir of
`RESERVOIR` values per feature, bot.drift.columns), distinct, as cell edges; values below
the first or above the last fall into two open end cells. Each side's values are counted
into the cells batch by batch, so memory does not grow with the rows.

What it costs in accuracy
    PSI: the decile bins are unions of grid cells, so a decile edge sits within one cell
        (about 1/4,096 of the baseline) of the exact decile. PSI itself is exact on them.
    KS: D is read at the cell edges, where both empirical CDFs are exact; between two edges
        the difference can exceed that by at most the larger side's mass in the cell, so the
        exact D lies in [D, D + resolution], and `Ks.resolution` says how wide that is
        (about 1/4,096 under no drift). The p-value is taken at the lower D: conservative.
    Moments: mean and standard deviation are exact (sums shifted by the first batch's mean).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from bot.drift.grid import Floats, ks_pvalue_of_sizes
from bot.drift.stats import Ks, Moments, NumericDrift, decile_counts, psi_test

CELLS = 4_096
RESERVOIR = 1 << 18


def edges_from(sample: Floats) -> Floats:
    """Distinct cell edges at CELLS quantiles of a (finite) sample of the baseline."""
    finite = np.sort(sample[np.isfinite(sample)])
    if not finite.size:
        return np.zeros(1)
    picks = np.linspace(0, finite.size - 1, min(CELLS + 1, finite.size)).round().astype(np.intp)
    edges: Floats = np.unique(finite[picks])
    return edges


def count_cells(values: Floats, edges: Floats) -> NDArray[np.int64]:
    """How many values fall in each cell: before the first edge, between edges, after the
    last (a value equal to an edge counts in the cell above it)."""
    cells = np.searchsorted(edges, values, side="right")
    return np.bincount(cells, minlength=edges.size + 1).astype(np.int64)


def numeric_binned(
    counts_b: NDArray[np.int64],
    counts_c: NDArray[np.int64],
    base: Moments,
    current: Moments,
) -> NumericDrift:
    """PSI, KS (with its resolution) and moments from cell counts on one grid."""
    cum_b = np.concatenate(([0.0], np.cumsum(counts_b, dtype=np.float64)))
    cum_c = np.concatenate(([0.0], np.cumsum(counts_c, dtype=np.float64)))
    deciles_b, deciles_c = decile_counts(cum_b, cum_c, base.missing, current.missing)
    nb, nc = cum_b[-1], cum_c[-1]
    if nb <= 0 or nc <= 0:
        return NumericDrift(psi_test(deciles_b, deciles_c), None, base, current)
    fb, fc = cum_b / nb, cum_c / nc
    statistic = float(np.max(np.abs(fb - fc)))
    bound = float(np.max(np.maximum(np.abs(fb[1:] - fc[:-1]), np.abs(fb[:-1] - fc[1:]))))
    pvalue = ks_pvalue_of_sizes(statistic, int(nb), int(nc))
    ks = Ks(statistic, pvalue, max(bound - statistic, 0.0))
    return NumericDrift(psi_test(deciles_b, deciles_c), ks, base, current)
