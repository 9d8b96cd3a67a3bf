"""The reorg comparison (issue 5): robust ranking, what it hinges on, resumable sweeps.

Both company files below are constructed so the answer is known from the
patterns tested in test_patterns.py (CEO bandwidth: an ample CEO beats every
regime on handoff failure; a scarce one loses to the COO). They rank on handoff
failure: since executive time is priced, whether an ample CEO's service gain
pays for the CEO's time on profit depends on the horizon (docs/model.md 1).
"""

from __future__ import annotations

import pandas as pd
import yaml

from cxsim.analysis.robust import latin_hypercube
from cxsim.decide.company import load
from cxsim.decide.reorg import analyse

OUTCOME = "handoff_failure_rate"


def company(tmp_path, **fields):
    f = tmp_path / "company.yaml"
    f.write_text(yaml.safe_dump({"name": "constructed", "org": "auto_insurer", "days": 180, **fields}))
    return load(f)


def test_latin_hypercube_covers_each_range_once_per_stratum():
    s = latin_hypercube({"a": (0.0, 1.0), "b": (10.0, 20.0)}, n=8, seed=1)
    assert len(s) == 8 and s.a.between(0, 1).all() and s.b.between(10, 20).all()
    assert sorted((s.a * 8).astype(int)) == list(range(8))  # one point per stratum


def test_an_ample_ceo_with_powerless_rivals_is_best_with_p_near_one(tmp_path):
    c = company(tmp_path, today="no_owner", candidates=["ceo_led", "cxo_facilitator", "everyone_owns"],
                uncertain={"levers.ceo_attention": [25, 40], "levers.cxo_authority": [0.0, 0.05],
                           "mechanisms.handoff.base_friction": [0.15, 0.25]},
                targets={"annual_churn_rate": {"max": 0.2}}, seeds=2, samples=5, trajectories=2, switch_day=60)
    r = analyse(c, tmp_path / "out", jobs=2, outcome=OUTCOME)
    assert len(r["runs"]) == 5 * 2 * 4 and r["runs"].replicate.nunique() == 2
    table = r["robustness"]
    top = table.iloc[0]
    assert top.regime == "ceo_led" and top.p_best >= 0.95 and top.expected_regret == 0
    assert abs(table.p_best.sum() - 1) < 1e-9 and (table.worst_regret >= table.expected_regret).all()
    assert table.satisficing_share.between(0, 1).all()
    assert r["scenarios"].note.iloc[0] == "wins in every sample" and r["scenarios"].regime.iloc[0] == "ceo_led"
    assert r["transition_target"] == "ceo_led" and len(r["transition_per_seed"]) == 2


def test_when_ceo_attention_straddles_the_crossover_sensitivity_names_it(tmp_path):
    """CEO attention from scarce (0.3/day: the COO wins) to ample (8/day: the CEO wins); CXO authority
    is inert for these two regimes and the friction range is narrow, so the lead must hinge on attention.
    (Since failures make later needs and chasing, issue 16, a point of friction weighs more: the range was
    0.19-0.21, where friction's mu* came to 0.0256 against attention's 0.0763, just under the factor 3.)"""
    c = company(tmp_path, today="coo_owned", candidates=["ceo_led"],
                uncertain={"levers.ceo_attention": [0.3, 8], "levers.cxo_authority": [0.0, 1.0],
                           "mechanisms.handoff.base_friction": [0.195, 0.205]},
                seeds=2, samples=8, trajectories=3, switch_day=60)
    folder = tmp_path / "out"
    r = analyse(c, folder, jobs=2, outcome=OUTCOME)
    s = r["sensitivity"].set_index("parameter")
    assert s.index[0] == "levers.ceo_attention", s
    # a factor 3 over the next assumption is the stated tolerance
    assert s.mu_star["levers.ceo_attention"] > 3 * s.mu_star.drop("levers.ceo_attention").max(), s
    assert s.mu_star["levers.cxo_authority"] == 0  # no CXO in either regime: exactly inert on common seeds
    # both win somewhere, and scenario discovery puts the CEO's wins at high attention, the COO's at low
    assert set(r["winners"]) == {"ceo_led", "coo_owned"}
    boxes = r["scenarios"].set_index(["regime", "assumption"])
    assert pd.notna(boxes.loc[("ceo_led", "levers.ceo_attention"), "low"])
    assert pd.notna(boxes.loc[("coo_owned", "levers.ceo_attention"), "high"])

    # a rerun resumes from the store: no new run, the same tables
    runs_before = {p.name for p in (folder / "comparison" / "runs").iterdir()}
    again = analyse(c, folder, jobs=2, outcome=OUTCOME)
    assert {p.name for p in (folder / "comparison" / "runs").iterdir()} == runs_before
    pd.testing.assert_frame_equal(again["robustness"], r["robustness"])
    pd.testing.assert_frame_equal(again["sensitivity"], r["sensitivity"])


def test_with_nothing_uncertain_one_future_and_intervals_over_seeds(tmp_path):
    from cxsim.decide.decision_report import build

    c = company(tmp_path, today="no_owner", candidates=["coo_owned"], days=30, seeds=3, samples=4, switch_day=10)
    r = analyse(c, tmp_path / "out", jobs=2)
    assert len(r["runs"]) == 2 * 3 and r["runs"]["sample"].nunique() == 1  # four "samples" would be one config
    assert "sensitivity" not in r and "scenarios" not in r
    t = r["robustness"]
    assert (t.samples == 1).all() and (t.value_lo < t.value_hi).all()  # the CI is over seeds (ranked on value)
    page = build(c, r, tmp_path / "out" / "report").read_text()
    assert "With every assumption fixed" in page and "Latin hypercube samples" not in page


def test_runs_that_did_not_finish_are_reported_not_silently_dropped(tmp_path, monkeypatch):
    """If the comparison store lacks a run (it failed: see test_sweep), the CLI warns and the report says so."""
    import cxsim.decide.reorg as reorg
    from cxsim.decide.decision_report import build

    c = company(tmp_path, today="no_owner", candidates=["coo_owned"], days=20, seeds=2, samples=2, switch_day=5,
                uncertain={"levers.ceo_attention": [1, 5]})
    original = reorg.swept_runs
    monkeypatch.setattr(reorg, "swept_runs", lambda folder, points=None: (
        original(folder, points).iloc[1:] if folder.name == "comparison" else original(folder, points)))
    r = analyse(c, tmp_path / "out", jobs=2)
    assert r["missing_runs"] == (1, 2 * 2 * 2)
    page = build(c, r, tmp_path / "out" / "report").read_text()
    assert "1 of 8 comparison runs did not finish" in page


def test_with_targets_the_recommendation_is_made_among_the_options_that_meet_them():
    """Satisficing first (issue 33): A has the better value in every future but churns 25% a year; B meets
    the churn target in 3 futures of 4; the table puts B first, and says when no option meets them."""
    import pandas as pd

    from cxsim.analysis.robust import robustness

    rows = []
    for sample in range(4):
        for seed in range(2):
            rows.append({"regime": "A", "sample": sample, "replicate": seed, "value": 100.0 + sample,
                         "annual_churn_rate": 0.25})
            rows.append({"regime": "B", "sample": sample, "replicate": seed, "value": 50.0 + sample,
                         "annual_churn_rate": 0.10 if sample < 3 else 0.30})
    runs = pd.DataFrame(rows)
    plain = robustness(runs, "value")
    assert plain.regime.iloc[0] == "A" and plain.meets_targets.all()
    table = robustness(runs, "value", {"annual_churn_rate": {"max": 0.15}})
    assert table.regime.tolist() == ["B", "A"] and table.satisficing_share.tolist() == [0.75, 0.0]
    assert table.meets_targets.tolist() == [True, False]
    none = robustness(runs, "value", {"annual_churn_rate": {"max": 0.05}})
    assert none.regime.iloc[0] == "A" and not none.meets_targets.any()  # on regret alone, and said so


def test_the_report_says_plainly_when_no_option_meets_the_targets():
    from types import SimpleNamespace

    import pandas as pd

    from cxsim.decide.decision_report import targets_verdict

    company = SimpleNamespace(targets={"annual_churn_rate": {"max": 0.15}})
    table = pd.DataFrame({"regime": ["A", "B"], "satisficing_share": [0.0, 0.25], "meets_targets": [False, False]})
    text = targets_verdict(company, table, "A")
    assert "No option meets your targets" in text and "25% (B)" in text and "regret alone" in text
    table = pd.DataFrame({"regime": ["B", "A"], "satisficing_share": [0.75, 0.0], "meets_targets": [True, False]})
    assert "made among them: B meets all of them in 75%" in targets_verdict(company, table, "B")
