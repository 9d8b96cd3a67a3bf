"""The crossover line under the comparison: the uncertainty set, the screening, the bisection."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest

from cxsim.config.composition import CONFIG_DIR, compose
from cxsim.config.errors import ConfigError
from cxsim.decide import crossover


class FakeLeads:
    """A's lead over B as a known function of each assumption's value (no simulation)."""

    def __init__(self, lead_of: dict):
        self.lead_of, self.calls = lead_of, 0

    def at_defaults(self) -> float:
        return 10.0

    def many(self, points):
        self.calls += len(points)
        return [self.lead_of[name](value) for name, value, _, _ in points]

    def unread_by(self, name, acts_on) -> str:
        return ""


def test_screening_ranks_by_swing_and_bisection_finds_the_sign_change():
    leads = FakeLeads({"x": lambda v: 10.0 - 4.0 * v,  # B leads above 2.5
                       "y": lambda v: 10.0 + 0.5 * v,  # never reverses
                       "d": lambda v: 10.0 if v < 4 else -1.0})  # whole days: B leads from 4
    assumptions = {"x": ((0.0, 5.0), {"a", "b"}), "y": ((0.0, 2.0), {"a"}), "d": ((2, 6), {"b"})}
    table = crossover.screen(leads, assumptions)
    assert list(table.assumption) == ["x", "d", "y"]  # swings 20, 11, 1
    x = table.iloc[0]
    assert crossover.bisect(leads, x, default=1.0, tolerance=0.01) == pytest.approx(2.5, abs=0.05)
    d = table.iloc[1]
    assert bool(d.whole)
    assert crossover.bisect(leads, d, default=3.0, tolerance=0.01) == pytest.approx(3.5)  # between 3 and 4


def test_the_sentence_names_the_assumption_and_the_value():
    screening = pd.DataFrame([dict(assumption="regime.owners.ceo.attention", low=2.0, high=12.0,
                                   lead_low=-5.0, lead_high=30.0, swing=35.0)])
    found = crossover.Crossover("ceo_led", "coo_owned", 12_345.0, screening, "regime.owners.ceo.attention", 6.0, 3.7)
    assert found.sentence() == ("crossover: ceo_led leads coo_owned by 12,345 at the defaults; the lead hinges on "
                                "regime.owners.ceo.attention (default 6, range 2-12): coo_owned leads below about 3.7.")
    two = pd.concat([screening, screening.assign(assumption="mechanisms.x", lead_low=1.0, lead_high=-2.0)],
                    ignore_index=True)
    found.screening = two
    assert found.reversing == ["regime.owners.ceo.attention", "mechanisms.x"]
    assert found.sentence().endswith("Within their ranges 1 other assumption also reverses it: mechanisms.x.")
    found.screening = screening
    found.assumption = None
    assert "no single assumption in cxsim/conf/uncertainty reverses that" in found.sentence()
    found.lead = -10.0
    assert found.sentence().endswith("too close to call, no crossover sought.")


def test_a_tie_names_what_could_break_it_and_the_challenger_what_could_let_it_in():
    """Leader and runner-up tied in group 1 (gap 30 on every seed, margin 50): an assumption whose end
    moves the gap by +40 on the screening seeds could open a gap above the margin (70), one moving it by
    +10 could not (40). The challenger trails by 100 on every seed: a constant that cuts that by 60 lets
    it in (40, not beyond 50), one that cuts it by 20 does not (80)."""
    seeds = pd.Index(range(10), name="seed")
    screening = pd.DataFrame([
        dict(assumption="mechanisms.big", key="mechanisms.big", low=0.0, high=1.0, lead_low=30.0 + 40, lead_high=30.0),
        dict(assumption="mechanisms.small", key="mechanisms.small", low=0.0, high=1.0,
             lead_low=30.0 + 10, lead_high=30.0 - 10)])
    found = crossover.Crossover("a", "b", 30.0, screening, margin=50.0, tied=True,
                                gaps=pd.Series(30.0, index=seeds) + pd.Series([1.0, -1.0] * 5, index=seeds))
    assert found.separating == ["mechanisms.big"]
    found.challenger, found.challenger_lead = "c", 100.0
    found.challenger_gaps = pd.Series(100.0, index=seeds) + pd.Series([1.0, -1.0] * 5, index=seeds)
    found.challenger_screening = pd.DataFrame([
        dict(assumption="regime.x", key="c:regime.x", lead_low=100.0 - 60, lead_high=100.0),
        dict(assumption="regime.y", key="c:regime.y", lead_low=100.0 - 20, lead_high=100.0 + 20)])
    assert found.joining == ["regime.x"]
    assert found.named == ["mechanisms.big", "c:regime.x"]
    assert found.sentence().startswith(
        "crossover: a leads b by 30 at the defaults on the screening seeds (30 on all 10)")
    assert ("The two share rank group 1 (a gap under the margin of 50); 1 assumption could, at an end of the "
            "range, open a gap above it: mechanisms.big. c, first outside group 1, could join it at an end of "
            "the range of regime.x.") in found.sentence()
    table = found.table()
    assert table.pair.tolist() == ["a-b", "a-b", "a-c", "a-c"] and table.joins.tolist()[2:] == [True, False]
    assert not crossover.Crossover("a", "b", 30.0, screening, margin=50.0, tied=False).separating


def test_the_default_uncertainty_set_names_real_parameters_with_defaults_inside_their_ranges():
    u = crossover.load()
    base = compose([])
    from omegaconf import OmegaConf

    assert len(u.mechanisms) >= 40
    for key, (lo, hi) in u.mechanisms.items():
        assert lo <= OmegaConf.select(base, key) <= hi, key
    regimes = {p.stem for p in (CONFIG_DIR / "regime").glob("*.yaml") if p.stem != "regime_schema"}
    assert set(u.regimes) == regimes  # every regime is listed, even with nothing uncertain
    for name, params in u.regimes.items():
        cfg = compose([f"regime={name}"])
        for key, (lo, hi) in params.items():
            assert lo <= OmegaConf.select(cfg, key) <= hi, (name, key)


@pytest.mark.parametrize("text, message", [
    ("mechanisms:\n  mechanisms.handoff.nope: [0, 1]\n", "mechanisms: mechanisms.handoff.nope: not a mechanism"),
    ("- a\n- b\n", "must be a mapping with the sections mechanisms and regimes"),
    ("regimes:\n  ceo_led: [1, 2]\n", "regimes.ceo_led: must be a mapping"),
    ("regimes:\n  ceo_led:\n    regime.owners.cmo.attention: [1, 2]\n", "not a parameter of regime ceo_led"),
    ("mechanisms:\n  mechanisms.handoff.base_friction: [0.3, 0.1]\n",
     "must be [low, high], two finite numbers with low < high"),
    ("mechanism:\n  x: 1\n", "mechanism: unknown section"),
    ("mechanisms:\n  mechanisms.governance.executive_pay.CXO: [-5000, 154000]\n",  # read only where a CXO is
     "the low end of mechanisms.governance.executive_pay.CXO's range is refused: mechanisms.governance"),
    ("regimes:\n  ceo_led:\n    regime.owners.ceo.culture_signal: [0.6, 1.4]\n",
     "the high end of regime.owners.ceo.culture_signal's range is refused"),
])
def test_a_bad_uncertainty_file_gets_one_line(tmp_path, text, message):
    path = tmp_path / "u.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        crossover.load(path)


def test_compare_prints_the_crossover_line_and_writes_the_screening(tmp_path):
    u = tmp_path / "u.yaml"
    u.write_text("mechanisms:\n  mechanisms.handoff.base_friction: [0.10, 0.30]\n"
                 "regimes:\n  ceo_led:\n    regime.owners.ceo.attention: [0.5, 12.0]\n")
    out = subprocess.run([sys.executable, "-m", "cxsim.decide.compare", "--regimes", "ceo_led,no_owner",
                          "--seeds", "2", "--screen-seeds", "1", "--jobs", "2", "--uncertainty", str(u),
                          "--out", str(tmp_path / "c"), "days=30", "org.customers=200"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("crossover:")]
    assert len(line) == 1 and "hinges" in line[0], out.stdout
    made = re.search(r"\(([\d,]+) runs made; ([\d,]+) not needed", out.stdout)
    assert made and int(made[1]) >= 2 * 2 + 2, out.stdout  # both ends: friction in both regimes, attention in one
    screening = pd.read_csv(tmp_path / "c" / "crossover.csv")
    assert set(screening.assumption) == {"mechanisms.handoff.base_friction", "regime.owners.ceo.attention"}
    bad = subprocess.run([sys.executable, "-m", "cxsim.decide.compare", "--regimes", "ceo_led,no_owner",
                          "--seeds", "2", "--screen-seeds", "3", "--out", str(tmp_path / "d"), "days=5"],
                         capture_output=True, text=True, timeout=600)
    assert bad.returncode == 2 and "--screen-seeds: must be between 1 and --seeds (2), got 3" in bad.stderr


def test_stress_moves_each_regime_constant_and_says_which_reorder_the_groups(tmp_path):
    from cxsim.decide import stress

    assert stress.moved(0.8, "regime.owners.ceo.culture_signal", 1.3) == 1.0  # a share stays a share
    assert stress.moved(6.0, "regime.owners.ceo.attention", 1.3) == pytest.approx(7.8)
    assert stress.moved(0.8, "regime.owners.coo.authority.finance", 1.3) == 1.0
    u = tmp_path / "u.yaml"
    u.write_text("regimes:\n  ceo_led:\n    regime.owners.ceo.attention: [0.5, 12.0]\n")
    out = subprocess.run([sys.executable, "-m", "cxsim.decide.compare", "--regimes", "ceo_led,no_owner",
                          "--seeds", "2", "--no-crossover", "--stress", "0.3", "--jobs", "2", "--uncertainty", str(u),
                          "--out", str(tmp_path / "c"), "days=40", "org.customers=300"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    moves = pd.read_csv(tmp_path / "c" / "stress.csv")
    assert list(moves.value) == pytest.approx([4.2, 7.8]) and set(moves.regime) == {"ceo_led"}
    assert [ln for ln in out.stdout.splitlines() if ln.startswith("stress: each regime constant at -/+30%")]
    assert {"changed", "leading_changed", "groups"} <= set(moves.columns)
    table = pd.DataFrame([
        dict(regime="ceo_led", constant="regime.owners.ceo.attention", changed=True, leading_changed=True),
        dict(regime="ceo_led", constant="regime.owners.ceo.judgement", changed=True, leading_changed=True),
        dict(regime="coo_owned", constant="regime.efficiency_pressure", changed=True, leading_changed=False),
        dict(regime="coo_owned", constant="regime.owners.coo.attention", changed=False, leading_changed=False)])
    text = stress.summary(table, 0.3, ["ceo_led:regime.owners.ceo.attention", "coo_owned:regime.owners.ceo.judgement"])
    assert ("the leading group changes when regime.owners.ceo.attention (ceo_led); regime.owners.ceo.judgement "
            "(ceo_led) moves; the crossover line did not name regime.owners.ceo.judgement (ceo_led).") in text
    assert "lower groups change for 1 of the 4 moves (1 constants; stress.csv)." in text
    assert stress.summary(table.assign(changed=False), 0.3, []).endswith("the rank groups never change.")


def test_whole_day_ranges_stay_whole_days():
    """A range of two whole numbers is whole days: it stays int, so a bisection or a joint sample sets a
    whole number of days (a float there was refused by the schema)."""
    from cxsim.decide import crossover

    u = crossover.load()
    lo, hi = u.mechanisms["mechanisms.handoff.recontact_days"]
    assert (lo, hi) == (2, 7) and isinstance(lo, int) and isinstance(hi, int)
    assert all(isinstance(b, float) for b in u.mechanisms["mechanisms.handoff.base_friction"])
    assert (crossover.override("mechanisms.handoff.recontact_days", 3.97, whole=True)
            == "mechanisms.handoff.recontact_days=4")


# A run is the same run at any value of a parameter it never reads: the screening reuses the comparison's.
SHORT = ["days=120", "org.customers=1000"]  # an identity, not a statistic: any horizon shows it (a budget round in it)


def test_a_parameter_a_run_never_reads_leaves_the_run_unchanged_at_either_end_of_its_range():
    from cxsim.config.composition import was_read
    from cxsim.runs.evaluator import Reading, evaluate, run_one

    u = crossover.load()
    regimes = ["ceo_led", "everyone_owns", "cxo_facilitator", "journey_teams"]
    noted = evaluate(Reading(run_one), [(r, "auto_insurer", 3, SHORT) for r in regimes], jobs=2)
    plain = evaluate(run_one, [(r, "auto_insurer", 3, SHORT) for r in regimes], jobs=2)
    assert [row for row, _ in noted] == plain  # noting the reads does not change the run
    todo, expected = [], []
    for r, (row, reads) in zip(regimes, noted):
        assumptions = u.of([r])
        unread = [k for k in assumptions if not was_read(reads, k.split(":", 1)[-1])]
        assert 5 <= len(unread) < len(assumptions) / 2, (r, unread)  # levers it does not hold; not most
        everyones = ("mechanisms.failure_demand.chase_prob", "mechanisms.handoff.base_friction")
        assert all(was_read(reads, k) for k in everyones)
        for name in unread:
            (lo, hi), _ = assumptions[name]
            whole = isinstance(lo, int) and isinstance(hi, int)
            todo += [(r, "auto_insurer", 3, [*SHORT, crossover.override(name, v, whole)]) for v in (lo, hi)]
            expected += [row, row]
    # the control: a parameter every run reads does change the run
    todo.append(("ceo_led", "auto_insurer", 3, [*SHORT, "mechanisms.failure_demand.chase_prob=0.54"]))
    moved = evaluate(run_one, todo, jobs=2)
    assert moved[:-1] == expected
    assert moved[-1] != noted[0][0]


def test_the_screening_reuses_only_runs_that_never_read_the_assumption_and_finds_the_same_leads():
    from cxsim.runs.evaluator import kept_pool, run_all

    source = crossover.Composed("auto_insurer", SHORT)
    seeds = [0, 1]
    base = run_all(["ceo_led", "coo_owned"], "auto_insurer", seeds, SHORT, jobs=2)  # the comparison's runs
    u = crossover.Uncertainty({"mechanisms.governance.executive_pay.CXO": (66000, 154000),  # no CXO in either
                               "mechanisms.governance.executive_pay.CEO": (90000, 210000),  # only ceo_led's
                               "mechanisms.failure_demand.chase_prob": (0.30, 0.54)}, {})  # both read it
    assumptions = u.of(["ceo_led", "coo_owned"])
    workers = kept_pool(2)
    reads = crossover.read_sets(source, ["ceo_led", "coo_owned"], seeds, base, workers)
    assert set(reads) == {(r, s) for r in ("ceo_led", "coo_owned") for s in seeds}
    reusing = crossover.Leads("ceo_led", "coo_owned", source, seeds, base, workers, reads=reads)
    making = crossover.Leads("ceo_led", "coo_owned", source, seeds, base, workers)
    reused, made = crossover.screen(reusing, assumptions), crossover.screen(making, assumptions)
    pd.testing.assert_frame_equal(reused.drop(columns="unread_by"), made.drop(columns="unread_by"))
    assert making.made == 3 * 2 * 2 * 2 and making.reused == 0
    assert (reusing.made, reusing.reused) == (2 * 2 * 2 + 2 * 2, 2 * 2 * 2 + 2 * 2)  # CXO pay both, CEO pay coo's
    again = crossover.Leads("ceo_led", "coo_owned", source, seeds, base, workers, reads=reads, known=reusing.known)
    pd.testing.assert_frame_equal(crossover.screen(again, assumptions).drop(columns="unread_by"),
                                  made.drop(columns="unread_by"))  # the challenger is often the runner-up
    assert (again.made, again.reused) == (0, 3 * 2 * 2 * 2)
    unread = dict(zip(reused.assumption, reused.unread_by))
    assert unread == {"mechanisms.governance.executive_pay.CXO": "ceo_led,coo_owned",
                      "mechanisms.governance.executive_pay.CEO": "coo_owned",
                      "mechanisms.failure_demand.chase_prob": ""}
