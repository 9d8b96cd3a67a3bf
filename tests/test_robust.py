"""Robust comparison: a regime that must win is ranked first with P(best) near 1."""

from __future__ import annotations

import yaml

from cxsim.company import load
from cxsim.robust import latin_hypercube, robustness, run_all


def test_latin_hypercube_covers_each_range_once_per_stratum():
    s = latin_hypercube({"a": (0.0, 1.0), "b": (10.0, 20.0)}, n=8, seed=1)
    assert len(s) == 8 and s.a.between(0, 1).all() and s.b.between(10, 20).all()
    assert sorted((s.a * 8).astype(int)) == list(range(8))  # one point per stratum


def test_an_ample_ceo_with_powerless_rivals_is_best_with_p_near_one(tmp_path):
    company = {
        "name": "constructed", "org": "auto_insurer", "today": "no_owner",
        "candidates": ["ceo_led", "cxo_facilitator", "everyone_owns"],
        "uncertain": {"levers.ceo_attention": [25, 40], "levers.cxo_authority": [0.0, 0.05],
                      "mechanisms.handoff.base_friction": [0.15, 0.25]},
        "targets": {"annual_churn_rate": {"max": 0.2}},
        "days": 365, "seeds": 2, "samples": 5,
    }
    f = tmp_path / "constructed.yaml"
    f.write_text(yaml.safe_dump(company))
    c = load(f)
    runs = run_all(c, latin_hypercube(c.uncertain, c.samples, seed=3), jobs=2)
    assert len(runs) == 5 * 2 * 4
    table = robustness(runs, "profit", c.targets)
    top = table.iloc[0]
    assert top.regime == "ceo_led" and top.p_best >= 0.95 and top.expected_regret == 0
    assert abs(table.p_best.sum() - 1) < 1e-9 and (table.worst_regret >= table.expected_regret).all()
    assert table.satisficing_share.between(0, 1).all()
