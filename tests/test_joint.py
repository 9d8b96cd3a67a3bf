"""Every assumption at once (`cxsim.decide.joint`, `cxsim-compare --joint`): the futures cover the
uncertainty set, each regime gets only the constants that act on it, and the foot says how often each
regime is best and where the verdict flips (issue 33, item 6)."""

from __future__ import annotations

import pandas as pd
import pytest

from cxsim.decide import joint
from cxsim.decide.crossover import Uncertainty

UNCERTAIN = Uncertainty(
    mechanisms={"mechanisms.handoff.base_friction": (0.1, 0.3), "mechanisms.handoff.delay_days": (2, 7)},
    regimes={"ceo_led": {"regime.owners.ceo.judgement": (0.6, 1.0)}})


def test_futures_fill_every_range_and_keep_whole_days_whole():
    points = joint.futures(UNCERTAIN, ["ceo_led", "no_owner"], 20)
    assert list(points.columns) == ["mechanisms.handoff.base_friction", "mechanisms.handoff.delay_days",
                                    "ceo_led:regime.owners.ceo.judgement"]
    friction = points["mechanisms.handoff.base_friction"]
    assert friction.between(0.1, 0.3).all() and friction.max() - friction.min() > 0.15  # space-filling
    assert points["mechanisms.handoff.delay_days"].dtype.kind == "i"
    assert set(points["mechanisms.handoff.delay_days"]) <= set(range(2, 8))


def test_a_regimes_own_constant_moves_only_where_that_regime_runs():
    points = joint.futures(UNCERTAIN, ["ceo_led", "no_owner"], 4)
    ceo = joint.settings(points, UNCERTAIN, ["ceo_led", "no_owner"], 0, "ceo_led")
    other = joint.settings(points, UNCERTAIN, ["ceo_led", "no_owner"], 0, "no_owner")
    assert any(s.startswith("regime.owners.ceo.judgement=") for s in ceo)
    assert not any(s.startswith("regime.") for s in other) and len(other) == 2
    assert [s for s in ceo if s.startswith("mechanisms.")] == other  # the same future for both


def test_the_flip_box_names_where_the_leader_loses():
    """A constructed set of futures: A wins where x < 0.5, B elsewhere; PRIM's box for "another regime"
    is x above about 0.5, and P(best) is the share of futures each wins."""
    xs = [i / 40 for i in range(40)]
    points = pd.DataFrame({"x": xs, "y": [((i * 7) % 40) / 40 for i in range(40)]})
    points.index.name = "sample"
    runs = pd.DataFrame([{"sample": i, "regime": r, "seed": 0, "value": (1.0 if (x < 0.5) == (r == "A") else 0.0)}
                         for i, x in enumerate(xs) for r in ("A", "B")])
    shares, boxes = joint.summary(runs, points, "A", "value")
    assert shares.set_index("regime").p_best.to_dict() == pytest.approx({"A": 0.5, "B": 0.5})
    flipped = boxes[boxes.regime == joint.FLIPPED]
    assert list(flipped.assumption) == ["x"] and 0.4 <= flipped.low.iloc[0] <= 0.55
    text = joint.sentence(shares, boxes, "A", 40, 1)
    assert "best in A 50%, B 50%" in text and "it is not where x ≥" in text


def test_compare_joint_runs_every_regime_in_every_future(tmp_path, capsys):
    from cxsim.decide.compare import main

    out = tmp_path / "joint"
    rc = main(["--regimes", "ceo_led,no_owner", "--seeds", "2", "--jobs", "2", "--no-crossover", "--joint", "3",
               "--joint-seeds", "1", "--out", str(out), "days=40", "org.customers=300"])
    text = capsys.readouterr().out
    assert rc == 0 and "All assumptions at once (3 futures" in text
    runs = pd.read_csv(out / "joint_runs.csv")
    assert len(runs) == 3 * 2 and set(runs.regime) == {"ceo_led", "no_owner"}
    assert set(pd.read_csv(out / "joint.csv").regime) == {"ceo_led", "no_owner"}


def test_compare_names_the_joint_flag_when_not_asked(tmp_path, capsys):
    from cxsim.decide.compare import main

    assert main(["--regimes", "ceo_led,no_owner", "--seeds", "2", "--jobs", "1", "--no-crossover",
                 "--out", str(tmp_path / "c"), "days=20", "org.customers=200"]) == 0
    assert "--joint N moves every assumption" in capsys.readouterr().out
    assert main(["--regimes", "ceo_led,no_owner", "--joint", "1", "--no-crossover"]) == 2
    assert "--joint: at least 2 futures" in capsys.readouterr().err
