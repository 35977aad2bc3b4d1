"""The fine grid under our numeric drift statistics, and the exact two-sample KS on it.

Values go to `GRID` equal-width bins over the range both samples share (the outer 0.1% on
each side clipped into the end bins); the map is monotone, so bins keep the values' order
and the empirical CDFs at bin boundaries are cumulative bin counts. D = sup |F_b - F_c| is
read at the boundaries, and only bins whose bound could beat that are opened.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray
from scipy import special  # type: ignore[import-untyped]
from scipy import stats as scipy_stats

GRID = 65_536
EXACT_KS_MAX = 10_000  # scipy's own limit for its exact p-value
_SCAN_WITHOUT_CHECK = 20_000  # values worth 4 ufunc.at passes to avoid sorting
_RANGE_SAMPLE = 65_536
_TAIL = 0.001

Floats = NDArray[np.float64]


def grid_range(b: Floats, c: Floats) -> tuple[float, float]:
    """A grid range that ignores the outer 0.1% on each side (values beyond are clipped
    into the end bins, which keeps D exact: clipping preserves order)."""
    samples = [x[:: max(1, x.size // _RANGE_SAMPLE)] for x in (b, c)]
    quantiles = [
        np.quantile(s[np.isfinite(s)], [_TAIL, 1 - _TAIL]) for s in samples if np.isfinite(s).any()
    ]
    if not quantiles:
        return 0.0, 1.0
    lo = float(min(q[0] for q in quantiles))
    hi = float(max(q[1] for q in quantiles))
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


def bins(x: Floats, lo: float, hi: float) -> NDArray[np.intp]:
    """The grid bin of every value; monotone in the value, so bins keep the values' order."""
    scaled = np.subtract(x, lo)
    np.multiply(scaled, GRID / (hi - lo), out=scaled)
    np.clip(scaled, 0, GRID - 1, out=scaled)
    return scaled.astype(np.intp)


def ks_statistic(
    b: Floats,
    c: Floats,
    bins_b: NDArray[np.intp],
    bins_c: NDArray[np.intp],
    cum_b: Floats,
    cum_c: Floats,
) -> float:
    """Exact sup |F_b - F_c|. Read at the grid boundaries first; inside bin k the difference
    stays within max(|F_b(k+1) - F_c(k)|, |F_b(k) - F_c(k+1)|), so only bins whose bound
    beats the boundary maximum are opened, sorted and scanned, and of those none holding a
    single value (an atom adds nothing between the boundaries either side of it)."""
    nb, nc = cum_b[-1], cum_c[-1]
    fb, fc = cum_b / nb, cum_c / nc
    at_bounds = float(np.max(np.abs(fb - fc)))
    bound = np.maximum(np.abs(fb[1:] - fc[:-1]), np.abs(fb[:-1] - fc[1:]))
    open_bins = bound > at_bounds
    if np.diff(cum_b + cum_c)[open_bins].sum() > _SCAN_WITHOUT_CHECK:
        open_bins &= ~_single_valued(b, c, bins_b, bins_c)
    if not open_bins.any():
        return at_bounds
    pick_b, pick_c = open_bins[bins_b], open_bins[bins_c]
    vb, vc = np.sort(b[pick_b]), np.sort(c[pick_c])
    kb, kc = np.sort(bins_b[pick_b]), np.sort(bins_c[pick_c])  # pairs with vb, vc: monotone
    # Both ECDFs change only at the values themselves: evaluate once per distinct value,
    # after its last repeat (right-continuous), so an atom costs one point, not thousands.
    end_b, end_c = _run_ends(vb), _run_ends(vc)
    points = np.concatenate((kb[end_b], kc[end_c]))
    rank_b = np.concatenate((end_b + 1, np.searchsorted(vb, vc[end_c], "right")))
    rank_c = np.concatenate((np.searchsorted(vc, vb[end_b], "right"), end_c + 1))
    below_b = cum_b[points] + rank_b - np.searchsorted(kb, points, "left")
    below_c = cum_c[points] + rank_c - np.searchsorted(kc, points, "left")
    inside = float(np.max(np.abs(below_b / nb - below_c / nc))) if points.size else 0.0
    return max(at_bounds, inside)


def _run_ends(values: Floats) -> NDArray[np.intp]:
    """In sorted values, the index of the last of each run of equal values."""
    if not values.size:
        return np.empty(0, dtype=np.intp)
    return np.flatnonzero(np.append(values[1:] != values[:-1], True))


def _single_valued(
    b: Floats, c: Floats, bins_b: NDArray[np.intp], bins_c: NDArray[np.intp]
) -> NDArray[np.bool_]:
    """Grid bins whose values, both samples together, are all the same number."""
    low, high = np.full(GRID, np.inf), np.full(GRID, -np.inf)
    for values, bins in ((b, bins_b), (c, bins_c)):
        np.minimum.at(low, bins, values)
        np.maximum.at(high, bins, values)
    same: NDArray[np.bool_] = low == high
    return same


def ks_pvalue(statistic: float, b: Floats, c: Floats) -> float:
    """As `scipy.stats.ks_2samp` computes it, but for large samples from Kolmogorov's limit."""
    if max(b.size, c.size) <= EXACT_KS_MAX:
        with warnings.catch_warnings():  # "exact calculation unsuccessful": scipy falls back
            warnings.simplefilter("ignore", RuntimeWarning)
            return float(scipy_stats.ks_2samp(b, c).pvalue)
    return ks_pvalue_of_sizes(statistic, b.size, c.size)


def ks_pvalue_of_sizes(statistic: float, n: int, m: int) -> float:
    """The two-sided p-value of D for samples of n and m values: `kstwo` of the effective
    size n·m/(n+m) up to 10,000, Kolmogorov's limiting distribution beyond (within 0.002
    of it there, at a thousandth of the cost)."""
    effective = n * m / (n + m)
    if effective <= EXACT_KS_MAX:
        value = scipy_stats.kstwo.sf(statistic, max(round(effective), 1))
    else:
        value = special.kolmogorov(np.sqrt(effective) * statistic)
    return float(np.clip(value, 0.0, 1.0))
