"""Model Monitor's L-infinity distance from KLL and categorical buckets, simple and robust,
checked against the empirical CDFs of the samples the buckets were made from."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot.drift.distance import cdf_at, drift_distance, linf_categorical, linf_numeric, robust
from bot.drift.parse import FeatureStats


def buckets(values: np.ndarray, edges: np.ndarray) -> tuple[tuple[float, float, float], ...]:
    counts, _ = np.histogram(values, bins=edges)
    return tuple(
        (float(lo), float(hi), float(c))
        for lo, hi, c in zip(edges[:-1], edges[1:], counts, strict=True)
    )


def test_cdf_is_exact_at_edges_and_linear_inside() -> None:
    kll = ((0.0, 1.0, 10.0), (1.0, 2.0, 30.0))
    assert cdf_at(kll, 1.0) == 0.25
    assert cdf_at(kll, 1.5) == pytest.approx(0.625)
    assert (cdf_at(kll, -1.0), cdf_at(kll, 9.0)) == (0.0, 1.0)


@pytest.mark.parametrize("seed", range(5))
def test_numeric_distance_matches_the_empirical_ks_statistic_on_shared_edges(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(0, 1, 5000), rng.normal(0.3, 1.2, 5000)
    edges = np.linspace(-6, 6, 121)
    found = linf_numeric(buckets(a, edges), buckets(b, edges))
    exact = max(abs(np.mean(a <= x) - np.mean(b <= x)) for x in edges)
    assert found == pytest.approx(exact, abs=1e-12)


def test_identical_distributions_with_their_own_edges_are_close() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.uniform(0, 10, 20000), rng.uniform(0, 10, 20000)
    found = linf_numeric(buckets(a, np.linspace(0, 10, 11)), buckets(b, np.linspace(0, 10, 7)))
    assert found < 0.02


def test_categorical_distance_is_the_largest_share_difference() -> None:
    assert linf_categorical([("a", 50.0), ("b", 50.0)], [("a", 20.0), ("c", 80.0)]) == 0.8
    assert linf_categorical([("a", 1.0)], [("a", 3.0)]) == 0.0


def test_robust_subtracts_the_two_sample_allowance_and_floors_at_zero() -> None:
    assert robust(0.5, 100, 100) == pytest.approx(0.5 - 1.8 * math.sqrt(2 / 100))
    assert robust(0.1, 100, 100) == 0.0
    assert robust(0.5, 0, 100) == 0.5


def test_what_cannot_be_compared_is_none() -> None:
    numeric = FeatureStats("x", buckets=((0.0, 1.0, 5.0),))
    categorical = FeatureStats("x", categories=(("a", 5.0),))
    assert drift_distance(numeric, None) is None
    assert drift_distance(numeric, categorical) is None
    assert drift_distance(FeatureStats("x"), FeatureStats("x")) is None
    found = drift_distance(categorical, FeatureStats("x", categories=(("b", 5.0),)), "Simple")
    assert found is not None and found.categorical and found.value == 1.0
