"""Bookkeeping holds every day: customers are conserved, rates are rates, money adds up."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from cxsim.agents import ACTIVE, CHURNED, LOST, PROSPECT
from cxsim.model import CXModel

CASES = [
    ("ceo_led", "auto_insurer", {}),
    ("everyone_owns", "telecom", {"split_departments": 2}),
    ("journey_teams", "auto_insurer", {"service_budget": 0.6}),
    ("no_owner", "telecom", {"overrides": ["reorg.day=40", "reorg.to=cxo_facilitator"]}),
]


@pytest.mark.parametrize("regime,org,kw", CASES)
def test_every_customer_in_exactly_one_state_every_day(regime, org, kw):
    m = CXModel(regime=regime, org=org, seed=11, days=120, customers=1500, **kw)
    r = m.recorder
    while m.running:
        m.step()
        states = Counter(c.status for c in m.customers)
        assert set(states) <= {PROSPECT, ACTIVE, CHURNED, LOST}
        assert sum(states.values()) == len(m.customers)
        assert (states[PROSPECT], states[ACTIVE], states[CHURNED], states[LOST]) == \
               (r.prospects, r.active, r.churned, r.lost)
        # everyone ever created is accounted for
        assert r.prospects + r.active + r.churned + r.lost == len(m.customers)
        active = [c for c in m.customers if c.status == ACTIVE]
        assert math.isclose(r.sat_sum, sum(c.satisfaction for c in active), abs_tol=1e-6)
        assert math.isclose(r.active_value, sum(c.segment.annual_value for c in active), rel_tol=1e-9)
        assert all(0.0 <= c.satisfaction <= 1.0 for c in m.customers)
        assert all(len(d.queue) >= 0 and d.fit <= 1.0 and 0.0 <= d.culture <= 1.0 for d in m.departments)
        assert all(0.0 <= f <= 1.0 for row in m.friction for f in row)
        # a customer's case is in at most one queue
        queued = [id(c) for d in m.departments for c in d.queue]
        assert len(queued) == len(set(queued))
        assert all(c.busy for d in m.departments for c in d.queue)

    ts = r.timeseries()
    for col in ("handoff_failure_rate", "failure_demand_share", "share_dissatisfied", "share_promoters"):
        assert ts[col].between(0, 1).all(), col
    assert (ts.handoff_failures <= ts.handoffs).all()
    assert (ts.repeat_contacts <= ts.contacts + 1e-9).all()
    money = ts.revenue - ts.service_cost - ts.acquisition_spend - ts.governance_overhead
    assert (money - ts.profit).abs().max() < 1e-6
    # flows match stocks
    assert ts.active.iloc[-1] == 1500 + ts.acquired.sum() - ts.churned_today.sum()
    hand = r.handoff_table()
    assert hand.handoffs.sum() == ts.handoffs.sum() and hand.failures.sum() == ts.handoff_failures.sum()
    jt = r.journey_table()
    assert jt.handoffs.sum() == ts.handoffs.sum() and jt.completed.sum() == ts.journeys_done.sum()


def test_summary_has_every_outcome_and_sane_values():
    s = CXModel(seed=1, days=200, customers=2000).run().recorder.summary()
    for key in ("handoff_failure_rate", "failure_demand_share", "satisfaction_mean", "satisfaction_p10",
                "satisfaction_p90", "annual_churn_rate", "retention", "acquired", "revenue",
                "cost_to_serve", "governance_overhead", "profit", "time_to_resolve", "culture_end",
                "handoff_failure_rate_pre_purchase", "handoff_failure_rate_post_purchase"):
        assert key in s and s[key] == s[key], key  # present and not NaN
    for key in ("handoff_failure_rate", "failure_demand_share", "satisfaction_mean", "retention"):
        assert 0.0 <= s[key] <= 1.0, key
    assert s["satisfaction_p10"] <= s["satisfaction_p50"] <= s["satisfaction_p90"]


def test_idle_customers_are_not_stepped():
    """Customers act only when the calendar wakes them: a quiet org does little work."""
    no_prospects = ["org.prospects_per_day=0", "mechanisms.customer.word_of_mouth=0"]
    busy = CXModel(seed=3, days=60, customers=2000, overrides=no_prospects)
    quiet = CXModel(seed=3, days=60, customers=2000,
                    overrides=no_prospects + [f"org.journeys.{j}.rate=0.01" for j in
                                              ("accident_claim", "renewal", "policy_change", "billing_query")])
    busy.run(), quiet.run()
    assert quiet.recorder.timeseries().contacts.sum() < 0.05 * busy.recorder.timeseries().contacts.sum()
