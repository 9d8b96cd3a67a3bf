"""Rank groups: a regime shares the best's group unless paired tests tell them apart (Holm)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxsim.analysis.statistics import ci_of_mean, holm, paired_differences, paired_p, rank_groups


def wide(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.RangeIndex(len(next(iter(columns.values()))), name="seed"))


def test_a_small_noisy_gap_is_a_tie_and_a_clear_gap_is_not():
    rng = np.random.default_rng(1)
    base = rng.normal(100, 10, 10)  # what every regime shares on a seed (common random numbers)
    runs = wide(a=base + 5, b=base + 5 + rng.normal(-0.5, 3, 10), c=base - 5 + rng.normal(0, 0.5, 10))
    assert rank_groups(runs) == {"a": 1, "b": 1, "c": 2}
    assert rank_groups(-runs, higher=False) == {"a": 1, "b": 1, "c": 2}  # lower is better: same groups


def test_identical_runs_are_tied_and_a_constant_shift_is_not():
    base = np.arange(10.0)
    assert rank_groups(wide(a=base, b=base.copy())) == {"a": 1, "b": 1}
    assert rank_groups(wide(a=base + 1, b=base)) == {"a": 1, "b": 2}


def test_a_shift_constant_but_for_rounding_is_a_shift_and_scipy_is_not_asked():
    """A short run where two regimes differ only in a fixed cost: the gap is the same on every seed but
    for floating-point noise; it is told apart, as an exact shift is, without a wall of scipy warnings."""
    import warnings

    noise = np.array([1e-9, -1e-9, 0.0, 2e-9])
    runs = wide(a=1e6 + noise, b=np.zeros(4), c=1e6 + np.array([0.0, 3e5, -2e5, 1e5]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # scipy's "Precision loss ... nearly identical" would raise
        assert rank_groups(runs) == {"a": 1, "c": 1, "b": 2}
        assert paired_p(runs.b, runs.a) == 0.0
        assert ci_of_mean(runs.b - runs.a) == pytest.approx((-1e6, -1e6))
    assert paired_p(runs.c, runs.a) > 0.5  # a real spread still goes to the t-test


def test_holm_corrects_for_many_comparisons():
    """Five comparisons at p = 0.03 each: each would be 'different' alone, none is after Holm."""
    assert holm([0.03] * 5) == [False] * 5
    assert holm([0.001, 0.03, 0.5]) == [True, False, False]  # 0.001 <= 0.05/3, then 0.03 > 0.05/2 stops
    assert holm([0.001, 0.02, 0.5]) == [True, True, False]


def test_a_lower_mean_can_be_tied_with_the_best_while_a_higher_one_is_not():
    """Groups follow the paired tests, not the order of means: a noisy regime far behind may be
    tied with the best while a precise one just behind is told apart; the table lists group 1 first."""
    rng = np.random.default_rng(3)
    base = rng.normal(100, 10, 10)
    swing = np.array([20.0, -20.0] * 5)  # mean zero: noisy's mean is exactly 4 below the best's
    runs = wide(best=base + 10, precise=base + 9 + rng.normal(0, 0.1, 10), noisy=base + 6 + swing)
    groups = rank_groups(runs)
    assert groups["best"] == 1 and groups["precise"] > 1 and groups["noisy"] == 1
    summary = runs.reset_index().melt(id_vars="seed", var_name="regime", value_name="profit").assign(org="x")
    d = paired_differences(summary)
    assert d.regime.tolist()[:2] == ["best", "noisy"] and d.rank_group.is_monotonic_increasing


def test_a_gap_smaller_than_the_margin_is_a_tie_however_precise_and_a_larger_one_is_not():
    """Materiality: a regime is told apart only if its shortfall is shown to exceed the margin. A precise
    shortfall of 3 is a tie at margin 5 and told apart at margin 0; a precise one of 8 is told apart at 5;
    a noisy shortfall of 8 (sd 10 over 10 seeds) cannot be shown to exceed 5."""
    rng = np.random.default_rng(5)
    base = rng.normal(100, 10, 10)
    runs = wide(best=base, near=base - 3 + rng.normal(0, 0.1, 10), far=base - 8 + rng.normal(0, 0.1, 10))
    assert rank_groups(runs, margin=0.0) == {"best": 1, "near": 2, "far": 3}
    assert rank_groups(runs, margin=5.0) == {"best": 1, "near": 1, "far": 2}
    noisy = wide(best=base, far=base - 8 + np.array([10.0, -10.0] * 5))  # mean shortfall exactly 8
    assert rank_groups(noisy, margin=5.0) == {"best": 1, "far": 1}
    assert rank_groups(-runs, higher=False, margin=5.0) == {"best": 1, "near": 1, "far": 2}


def test_the_profit_margin_is_materiality_times_revenue():
    rng = np.random.default_rng(6)
    base = rng.normal(1000, 50, 10)
    runs = wide(best=base, near=base - 4 + rng.normal(0, 0.1, 10))
    summary = runs.reset_index().melt(id_vars="seed", var_name="regime", value_name="profit").assign(
        org="x", revenue=1000.0)
    d = paired_differences(summary, materiality=0.005).set_index("regime")  # margin 5 > shortfall 4
    assert d.margin.iloc[0] == pytest.approx(5.0) and d.rank_group.to_dict() == {"best": 1, "near": 1}
    d = paired_differences(summary, materiality=0.0).set_index("regime")
    assert d.rank_group.to_dict() == {"best": 1, "near": 2}
