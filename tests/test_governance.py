"""The governance mechanisms one at a time: priced attention, triage, delegation, the friction
floor, derived journey KPIs, culture influence, rival owners, and what the levers mean.

These are checks of the mechanisms themselves (deterministic where the mechanism is); the
statistical patterns they produce are in test_patterns.py.
"""

from __future__ import annotations

import pytest

from cxsim.config.errors import ConfigError
from cxsim.mechanisms.governance import order_queue
from cxsim.model import CXModel

YEAR = 365.0


def test_every_owner_is_priced_by_one_rule():
    """governance_cost = attention x hours_per_decision / workday_hours x pay / 365 per day, for every role."""
    for regime, owners in {"ceo_led": [(6.0, 150000)], "coo_owned": [(10.0, 110000)],
                           "cxo_facilitator": [(14.0, 110000)], "ceo_with_cxo": [(2.0, 150000), (12.0, 110000)],
                           "journey_teams": [(3.0, 80000)] * 5, "no_owner": [],
                           "everyone_owns": [(2.0 / 7 / 0.5, 6 * 80000)]}.items():  # the forum: 6 heads' time
        m = CXModel(regime=regime, days=20, customers=200).run()
        per_day = sum(min(1.0, a * 0.5 / 8.0) * pay / YEAR for a, pay in owners) + m.regime.overhead_per_day
        assert m.recorder.summary()["governance_cost"] == pytest.approx(20 * per_day, rel=1e-9), regime


def test_an_org_can_name_its_own_executive_pay_and_an_unpaid_role_is_refused():
    m = CXModel(regime="ceo_led", days=10, customers=200, overrides=["+org.executive_pay.CEO=365000"]).run()
    assert m.recorder.summary()["governance_cost"] == pytest.approx(10 * 6 * 0.5 / 8 * 1000)
    with pytest.raises(ConfigError, match=r"regime.owners.ceo.role: no pay for this role.*'Chief'"):
        CXModel(regime="ceo_led", overrides=["regime.owners.ceo.role=Chief"])


def test_triage_decides_the_most_pressing_first():
    """Of a queue longer than a day's attention, the owner takes the highest stakes; the rest wait."""
    m = CXModel(regime="ceo_led", days=1, customers=50, seed=1)
    gov, owner = m.governance, m.governance.owners[0]
    idle = [c for c in m.customers if c.journey is None]  # a decided case whose customer left: nothing crosses
    stakes = (1.0, 4.0, 2.0, 8.0, 0.5, 3.0, 6.0)
    owner.exceptions = [(m.day, stake, idle[i], 0, 1) for i, stake in enumerate(stakes)]
    owner.carry, owner.attention = 0.0, 4.0  # 4 x (1 - review_share 0.25) = 3 decisions today
    gov.attend(owner)
    assert m.recorder.totals["decided"] == 3
    assert sorted(c[1] for c in owner.exceptions) == [0.5, 1.0, 2.0, 3.0]
    assert owner.fix_budget == pytest.approx(1.0)  # the review share, kept whatever the queue
    queue = [(m.day, stake, None, 0, 1) for stake in stakes]  # and the most pressing is decided first
    order_queue(queue, today=m.day, timeout=10, triage=True)
    assert [queue.pop()[1] for _ in range(3)] == [8.0, 6.0, 4.0]


def test_fixes_stop_at_the_friction_floor():
    """An owner with time for every fix drives no boundary below the floor (diminishing returns)."""
    only_fixes = ["mechanisms.initiatives.enabled=false"]  # the weekly fixes alone: no initiative touches a boundary
    m = CXModel(regime="ceo_led", ceo_attention=60, customers=1000, days=400, seed=2, overrides=only_fixes).run()
    floor = m.mech.handoff.friction_floor
    fixed = [m.friction[a][b] for a, b in m.boundaries]
    assert min(fixed) >= floor
    m0 = CXModel(regime="ceo_led", ceo_attention=60, customers=1000, days=400, seed=2,
                 overrides=[*only_fixes, "mechanisms.handoff.friction_floor=0"]).run()
    # without the floor, the same fixes drive the boundaries lower (each removes a share of all friction)
    assert min(m0.friction[a][b] for a, b in m0.boundaries) < min(fixed) - 0.01


def kpis(regime: str, **kw) -> dict[str, float]:
    m = CXModel(regime=regime, days=1, customers=50, **kw)
    return {d.name: round(d.journey_kpi, 12) for d in m.departments}


def test_journey_kpis_follow_who_sets_them():
    assert set(kpis("ceo_led").values()) == {0.3}  # owner_kpi x authority 1 x every stage
    assert set(kpis("no_owner").values()) == {0.0}  # nobody sets journey KPIs
    assert set(kpis("everyone_owns").values()) == {round(0.3 * 0.9 ** 5, 12)}  # the forum's: all 6 must agree
    coo = kpis("coo_owned")
    assert coo["claims"] == pytest.approx(0.3) and coo["marketing"] == 0.0  # marketing's stages are all pre-purchase
    assert 0 < coo["agency"] < 0.3 * 0.15 + 1e-12  # little authority over sales, over its post-purchase stages
    assert set(kpis("cxo_facilitator").values()) == {round(0.3 * 0.6 * 0.7, 12)}
    assert set(kpis("cxo_facilitator", cxo_backing=0.0).values()) == {0.0}
    assert set(kpis("coo_owned", journey_kpi=0.8).values()) == {0.8}  # the lever overrides whoever sets them


def culture_end(regime: str, **kw) -> float:
    return CXModel(regime=regime, days=730, customers=300, seed=0, **kw).run().recorder.summary()["culture_end"]


def test_a_backed_cxo_moves_culture_an_unbacked_one_does_not():
    """Culture drift is deterministic (no draws): one run each. The first model's CXO never moved it."""
    native = culture_end("no_owner")
    assert culture_end("cxo_facilitator", cxo_backing=0.0) == pytest.approx(native, abs=1e-12)
    backed = culture_end("cxo_facilitator")
    assert backed > native + 0.02
    assert culture_end("cxo_facilitator", cxo_backing=1.0) > backed
    faster = culture_end("cxo_facilitator", overrides=["mechanisms.culture.drift_per_week=0.04"])
    assert faster > backed  # the CXO regime now depends on how fast culture drifts


def test_levers_mean_what_they_say():
    m = CXModel(regime="cxo_facilitator", cxo_authority=1.0, days=1, customers=50)
    assert set(m.governance.owners[0].authority) == {1.0}
    m = CXModel(regime="cxo_facilitator", cxo_backing=0.5, days=1, customers=50)
    assert set(m.governance.owners[0].authority.round(12)) == {0.3}
    with pytest.raises(ConfigError, match="levers.cxo_backing: set cxo_authority or cxo_backing, not both"):
        CXModel(regime="cxo_facilitator", cxo_authority=1.0, cxo_backing=0.5)


def test_a_deputy_decides_what_the_owner_does_not_reach():
    """ceo_with_cxo: the CEO's own 2 decisions a day cannot cover the flow; its CXO deputy does."""
    alone = CXModel(regime="ceo_with_cxo", seed=3, days=365,
                    overrides=["regime.owners.ceo.deputy.role=null"]).run().recorder.summary()
    helped = CXModel(regime="ceo_with_cxo", seed=3, days=365).run().recorder.summary()
    assert alone["timed_out"] > 0.5 * alone["escalated"]  # 1.5 decisions a day against ~8.6 exceptions
    assert helped["timed_out"] < 0.05 * helped["escalated"]
    m = CXModel(regime="ceo_with_cxo", days=1, customers=50)
    ceo, cxo = m.governance.owners
    assert cxo.principal is ceo and ceo.deputy is cxo
    assert set(cxo.authority.round(12)) == {0.7}


def test_rival_owners_pull_their_departments_apart():
    """Where the CMO's and the COO's departments meet, both order the boundary fixed and they conflict;
    one owner alone never conflicts."""
    rival = CXModel(regime="rival_owners", seed=0, days=365).run().recorder.summary()
    assert rival["conflicts"] > 10
    for regime in ("marketing_owned", "coo_owned", "ceo_with_cxo"):  # one owner (and its deputy): no tug of war
        assert CXModel(regime=regime, seed=0, days=365).run().recorder.summary()["conflicts"] == 0


# ------------------------------------------------------------------ the price list (docs/model.md 7.3)
def test_the_forum_is_an_owner_under_the_same_rules_and_its_authority_is_consensus():
    """Everyone-owns: the k department heads' forum decides forum_hours / 7 / hours_per_decision a day, binds
    a department with consensus^(k-1), signals the departments' own mean culture, and is paid k heads' pay."""
    m = CXModel(regime="everyone_owns", days=1, customers=50)
    forum, = m.governance.owners
    k = len(m.departments)
    assert forum.attention == pytest.approx(2.0 / 7 / 0.5) and forum.pay_per_year == k * 80000
    assert list(forum.authority) == pytest.approx([0.9 ** (k - 1)] * k)
    assert forum.culture_signal == pytest.approx(sum(d.native_culture for d in m.departments) / k)
    more = CXModel(regime="everyone_owns", days=1, customers=50, split_departments=2).governance.owners[0]
    assert more.authority[0] < forum.authority[0] and more.pay_per_year == 2 * forum.pay_per_year  # grows with k
    assert CXModel(regime="no_owner", days=1, customers=50).governance.owners == []  # nobody coordinates


def test_a_fix_takes_work_from_both_departments_whoever_orders_it():
    for regime in ("ceo_led", "no_owner", "everyone_owns"):
        m = CXModel(regime=regime, days=1, customers=50)
        a, b = m.boundaries[0]
        before = [d.noise for d in m.departments]
        m.governance.fix(a, b)
        grew = [round(d.noise - x, 12) for d, x in zip(m.departments, before)]
        per_day = round(m.mech.governance.fix_work / m.mech.governance.review_every_days, 12)
        assert grew[a] == grew[b] == per_day and sum(grew) == pytest.approx(2 * per_day), regime


def local_fixes(*overrides: str) -> int:
    """Local fixes in a year without an owner, every failing boundary's departments taking one up when
    someone acts (local_fix_rate 1), on one seed: common random numbers make the settings comparable."""
    m = CXModel(regime="no_owner", days=365, customers=2000, seed=3,
                overrides=["mechanisms.governance.local_fix_rate=1", *overrides])
    return m.run().recorder.summary()["fixes"]


def test_a_local_fix_needs_the_other_sides_cooperation():
    """Without an owner every fix is local; the side that did not start it cooperates as with an owner
    without authority (persuasion x alignment): no persuasion, no fix."""
    some = local_fixes()
    assert some > 0
    assert local_fixes("mechanisms.governance.persuasion=0") == 0
    assert local_fixes("mechanisms.governance.persuasion=1") > some


def test_only_a_boundary_department_fixes_and_a_crowd_acts_less_than_a_team():
    """P(anyone acts) at a boundary: the pair alone; everyone (a crowd of k, at the group level); a journey
    team (its departments, sharing an identity: cohesion undoes the crowd's diffusion)."""
    from cxsim.mechanisms import responsibility

    pair = CXModel(regime="no_owner", days=1, customers=50)
    crowd = CXModel(regime="everyone_owns", days=1, customers=50)
    team = CXModel(regime="journey_teams", days=1, customers=50)
    a, b = next((a, b) for a, b in team.boundaries if responsibility.responsible_pool(team, a, b)[1])
    assert len(responsibility.responsible_pool(pair, a, b)[0]) == 2
    assert len(responsibility.responsible_pool(crowd, a, b)[0]) == len(crowd.departments)
    members, identity = responsibility.responsible_pool(team, a, b)
    assert identity and {a, b} <= {d.index for d in members}
    assert crowd.p_local[a][b] < pair.p_local[a][b]  # a larger crowd: less likely that anyone acts
    loose = CXModel(regime="journey_teams", days=1, customers=50, overrides=["mechanisms.diffusion.cohesion=0"])
    assert team.p_local[a][b] > loose.p_local[a][b]  # shared identity: more act
