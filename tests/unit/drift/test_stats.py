"""Our own drift statistics: exact against scipy, a shift flagged, a stable feature not,
and the thresholds where the module docstring says they are. Seeds are fixed."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats
from scipy.spatial.distance import jensenshannon

from bot.drift import stats
from bot.drift.compare import Categorical, Numeric, compare_columns
from bot.drift.grid import EXACT_KS_MAX

RNG_SEED = 20261125


def samples(kind: str, n: int, m: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if kind == "normal":
        return rng.normal(size=n), rng.normal(0.1, 1.0, size=m)
    if kind == "integers":  # heavy ties: every value an atom
        return rng.integers(0, 5, n).astype(float), rng.integers(0, 6, m).astype(float)
    if kind == "cauchy":  # outliers far outside the grid's range
        return rng.standard_cauchy(n), 2 * rng.standard_cauchy(m)
    if kind == "zero-inflated":  # an atom inside a continuous distribution, and infinities
        a = np.where(rng.random(n) < 0.3, 0.0, rng.normal(size=n))
        b = np.where(rng.random(m) < 0.35, 0.0, rng.normal(size=m))
        a[:3], b[:2] = np.inf, -np.inf
        return a, b
    return np.round(rng.exponential(size=n), 1), np.round(rng.exponential(1.2, size=m), 1)


@pytest.mark.parametrize("kind", ["normal", "integers", "cauchy", "zero-inflated", "rounded"])
@pytest.mark.parametrize("sizes", [(1, 1), (7, 300), (2_000, 1_500), (40_000, 25_000)])
def test_ks_is_exactly_scipys(kind: str, sizes: tuple[int, int]) -> None:
    rng = np.random.default_rng(RNG_SEED)
    a, b = samples(kind, *sizes, rng)
    ks = stats.numeric(a, b).ks
    expected = scipy_stats.ks_2samp(a, b)
    assert ks is not None
    assert ks.statistic == pytest.approx(expected.statistic, abs=1e-12)
    if max(sizes) <= EXACT_KS_MAX:
        assert ks.pvalue == pytest.approx(expected.pvalue, abs=1e-12)
    else:  # Kolmogorov's limit replaces scipy's finite-n distribution
        assert ks.pvalue == pytest.approx(expected.pvalue, abs=2e-3)


def test_a_shifted_numeric_feature_is_flagged_and_a_stable_one_is_not() -> None:
    rng = np.random.default_rng(RNG_SEED)
    base = {
        "shifted": Numeric(rng.normal(50, 10, 20_000)),
        "stable": Numeric(rng.normal(0, 1, 20_000)),
    }
    now = {
        "shifted": Numeric(rng.normal(56, 10, 20_000)),
        "stable": Numeric(rng.normal(0, 1, 20_000)),
    }
    found = {f.name: f for f in compare_columns(base, now)}
    shifted, stable = found["shifted"], found["stable"]
    assert shifted.psi >= stats.PSI_MAJOR and shifted.verdict == stats.MAJOR
    assert shifted.ks_drifted and shifted.ks is not None and shifted.ks.pvalue < 1e-10
    assert stable.psi < stats.PSI_MODERATE and not stable.ks_drifted
    assert stable.verdict == stats.STABLE
    assert [f.name for f in compare_columns(base, now)] == ["shifted", "stable"]  # worst first


def test_a_shifted_categorical_feature_is_flagged_and_a_stable_one_is_not() -> None:
    rng = np.random.default_rng(RNG_SEED)
    words = ("paris", "lyon", "nice")
    draw = lambda p: Categorical(rng.choice(3, size=10_000, p=p).astype(np.intp), words)  # noqa: E731
    base = {"city": draw([0.5, 0.3, 0.2]), "plan": draw([0.6, 0.3, 0.1])}
    now = {"city": draw([0.2, 0.3, 0.5]), "plan": draw([0.6, 0.3, 0.1])}
    found = {f.name: f for f in compare_columns(base, now)}
    assert found["city"].js_drifted and found["city"].verdict == stats.MAJOR
    assert not found["plan"].js_drifted and found["plan"].verdict == stats.STABLE
    assert found["plan"].js is not None and found["plan"].js < 0.05


def test_verdict_thresholds_are_the_documented_ones() -> None:
    assert [stats.psi_verdict(v) for v in (0.0, 0.0999, 0.1, 0.2499, 0.25, 9.0)] == [
        "stable", "stable", "moderate", "moderate", "major", "major",
    ]  # fmt: skip
    assert (stats.KS_ALPHA, stats.JS_DRIFTED) == (0.01, 0.1)
    for words in ("0.1", "0.25", "p < 0.01", "0.1 drifted", "1e-4"):
        assert words in (stats.__doc__ or "")


def test_psi_by_hand_and_its_epsilon_floor() -> None:
    base, now = np.array([50.0, 50.0]), np.array([25.0, 75.0])
    by_hand = (0.25 - 0.5) * np.log(0.25 / 0.5) + (0.75 - 0.5) * np.log(0.75 / 0.5)
    assert stats.psi(base, now) == pytest.approx(by_hand)
    assert stats.psi(base, base) == 0.0
    empty_bin = stats.psi(np.array([100.0, 0.0]), np.array([50.0, 50.0]))
    assert np.isfinite(empty_bin) and empty_bin == pytest.approx(
        (0.5 - 1.0) * np.log(0.5) + (0.5 - 1e-4) * np.log(0.5 / 1e-4)
    )


def test_js_distance_is_scipys_in_base_two() -> None:
    p, q = np.array([5.0, 3.0, 2.0]), np.array([2.0, 3.0, 5.0])
    assert stats.js_distance(p, q) == pytest.approx(jensenshannon(p, q, base=2))
    assert stats.js_distance(p, p) == 0.0
    assert stats.js_distance(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(1.0)


def test_missing_values_count_as_drift_and_an_all_missing_side_has_no_ks() -> None:
    rng = np.random.default_rng(RNG_SEED)
    values = rng.normal(size=5_000)
    holes = values.copy()
    holes[::2] = np.nan  # half the current rows lost their value
    drift = stats.numeric(values, holes)
    assert drift.psi >= stats.PSI_MAJOR and drift.ks is not None
    assert drift.ks.pvalue > stats.KS_ALPHA  # the values left are as before
    assert (drift.current.present, drift.current.missing) == (2_500, 2_500)
    drift = stats.numeric(values, np.full(100, np.nan))
    assert drift.ks is None and drift.psi >= stats.PSI_MAJOR
    assert drift.current == stats.Moments(0, 100, None, None)


def test_constant_and_tiny_samples() -> None:
    drift = stats.numeric(np.full(1_000, 3.0), np.full(500, 3.0))
    assert drift.psi == 0.0 and drift.ks is not None and drift.ks.statistic == 0.0
    assert drift.base == stats.Moments(1_000, 0, 3.0, 0.0)
    drift = stats.numeric(np.array([1.0]), np.array([2.0]))
    assert drift.ks is not None and drift.ks.statistic == 1.0


def test_rare_categories_are_pooled_and_missing_has_its_own_bin() -> None:
    rng = np.random.default_rng(RNG_SEED)
    size = 200  # far more categories than are kept apart
    base = rng.integers(0, size, 20_000).astype(np.intp)
    now = rng.integers(0, size, 20_000).astype(np.intp)
    psi, js = stats.categorical(base, now, size)
    assert psi < stats.PSI_MODERATE and js < stats.JS_DRIFTED
    now_missing = now.copy()
    now_missing[:10_000] = -1
    psi, js = stats.categorical(base, now_missing, size)
    assert psi >= stats.PSI_MAJOR and js >= stats.JS_DRIFTED
