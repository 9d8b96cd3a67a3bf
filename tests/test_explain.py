"""Why A beats B (`cxsim.decide.explain`): the P&L bridge adds up to the gap, the Shapley split is exact
on a game whose values are known, and `cxsim-compare --explain` prints both splits (issue 33, item 5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxsim.decide import explain


def test_shapley_is_exact_on_a_known_game():
    """v(S) = 3 [x in S] + 2 [y in S] + 4 [x and y in S]: x gets 3 + 2, y 2 + 2, z nothing (a dummy); per seed."""
    groups = ["x", "y", "z"]
    gaps = {c: np.array([3.0 * ("x" in c) + 2.0 * ("y" in c) + 4.0 * ("x" in c and "y" in c)] * 2)
            for c in explain.coalitions(groups)}
    phi = explain.shapley(gaps, groups)
    assert phi["x"] == pytest.approx([5.0, 5.0]) and phi["y"] == pytest.approx([4.0, 4.0])
    assert phi["z"] == pytest.approx([0.0, 0.0])
    total = sum(phi.values())
    assert total == pytest.approx(gaps[frozenset(groups)] - gaps[frozenset()])  # efficiency


@pytest.fixture(scope="module")
def small_comparison(tmp_path_factory):
    from cxsim.decide.compare import main

    out = tmp_path_factory.mktemp("explain")
    return out, main


def test_compare_explain_prints_a_bridge_that_adds_up_and_the_shapley_split(small_comparison, capsys):
    out, main = small_comparison
    rc = main(["--regimes", "ceo_led,no_owner", "--seeds", "3", "--jobs", "2", "--no-crossover", "--explain",
               "--explain-seeds", "2", "--out", str(out), "days=60", "org.customers=600"])
    text = capsys.readouterr().out
    assert rc == 0 and "the value gap line by line" in text and "exact Shapley over every subset" in text
    lines = pd.read_csv(out / "explain_bridge.csv")
    runs = pd.read_csv(out / "runs.csv")
    total = lines.gap.iloc[:-1].sum()  # every line but the total
    assert total == pytest.approx(lines.gap.iloc[-1], rel=1e-9, abs=1e-6)
    top = pd.read_csv(out / "comparison.csv").regime.tolist()[:2]
    wide = runs.pivot_table(index="seed", columns="regime", values="value")
    assert lines.gap.iloc[-1] == pytest.approx((wide[top[0]] - wide[top[1]]).mean())
    shares = pd.read_csv(out / "explain_shapley.csv")
    assert len(shares) == len(explain.SWITCHES) + 2
    parts = shares.share.iloc[:len(explain.SWITCHES)].sum() + shares.share.iloc[-2]  # shares + structure alone
    assert parts == pytest.approx(shares.share.iloc[-1], rel=1e-9, abs=1e-6)


def test_explain_names_two_compared_regimes_or_says_so(capsys):
    from cxsim.decide.compare import main

    assert main(["--regimes", "ceo_led,no_owner", "--explain", "ceo_led,coo_owned", "--no-crossover"]) == 2
    assert "--explain: name two of the compared regimes" in capsys.readouterr().err
