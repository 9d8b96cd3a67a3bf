"""The defaults against what the field has measured, and size against staffing (issue 16).

Pattern-oriented modelling (Grimm et al. 2005): the default orgs under their typical regime (no owner)
must reproduce every stylized fact of `cxsim/conf/facts/stylized.yaml` at once, over 20 seeds at the default
horizon. A firm three times the size, staffed in proportion, must look the same per customer; one 30%
understaffed must be slower, lose more customers and earn less per customer.
"""

from __future__ import annotations

import pytest
from conftest import greater

from cxsim.calibration import facts as stylized

FACTS = stylized.load()
ORGS = ("auto_insurer", "telecom")


@pytest.mark.parametrize("fact", FACTS.facts, ids=lambda f: f"{f.org}-{f.measure}")
def test_the_defaults_reproduce_every_stylized_fact(facts_runs, fact):
    """The mean over 20 seeds lies in the field's range (the ranges are the literature's, fixed before
    the fit; docs/model.md section 1)."""
    runs = facts_runs[(facts_runs.org == fact.org) & (facts_runs.variant == "design")]
    assert len(runs) == 20
    value = runs[fact.measure].astype(float).mean()
    assert fact.low <= value <= fact.high, (fact.measure, value, (fact.low, fact.high))


def per_customer(runs):
    """Per customer-year: what scales with a firm's size if nothing else changes."""
    years = runs.days / 365.0
    base = runs.active_mean * years
    return runs.assign(revenue_pcy=runs.revenue / base, profit_pcy=runs.profit / base,
                       cost_pcy=runs.cost_to_serve / base).set_index("seed")


SIZE_FREE = ("annual_churn_rate", "failure_demand_share", "front_line_failure_demand_share",
             "first_contact_resolution", "time_to_resolve", "satisfaction_mean", "cost_pcy", "revenue_pcy")


@pytest.mark.parametrize("org", ORGS)
def test_a_firm_three_times_the_size_staffed_in_proportion_looks_the_same_per_customer(facts_runs, org):
    """customers = 3 x design, capacities and paid prospects scaled with it: every per-customer outcome's
    mean over the same 10 seeds lies within 10% of the design size's, and profit per customer-year within
    10% of revenue per customer-year (the insurer's profit sits near zero, where a relative gap is noise).
    Executives' attention does not scale, but no owner spends none."""
    runs = facts_runs[facts_runs.org == org]
    design = per_customer(runs[runs.variant == "design"]).loc[list(range(10))]
    triple = per_customer(runs[runs.variant == "triple"])
    assert len(triple) == 10
    for measure in SIZE_FREE:
        a, b = design[measure].mean(), triple[measure].mean()
        assert abs(b - a) <= 0.10 * abs(a), (measure, a, b)
    gap = abs(triple.profit_pcy.mean() - design.profit_pcy.mean())
    assert gap <= 0.10 * design.revenue_pcy.mean(), (design.profit_pcy.mean(), triple.profit_pcy.mean())


@pytest.mark.parametrize("org", ORGS)
def test_understaffing_slows_cases_loses_customers_and_earns_less_per_customer(facts_runs, org):
    """staffing = 0.7 against 1.0 on the same 20 seeds (paired one-sided t-tests, alpha 0.01): days to
    resolve and annual churn rise, and profit over the horizon falls, although the staff it pays for is 30%
    less. (Per customer-year until issue 17; since then the cost-view CFO's spiral empties the short
    telecom's base (churn +28 points a year) and cuts its desk to match, so the few customers left are
    served cheaply: per customer it earned more on 6 seeds, in total 273k less. Both firms start with the
    same customers, so the total is the fair measure here; per customer-year is for comparing sizes.)"""
    runs = facts_runs[facts_runs.org == org]
    design = per_customer(runs[runs.variant == "design"])
    short = per_customer(runs[runs.variant == "understaffed"])
    assert len(short) == 20
    assert greater(short.time_to_resolve, design.time_to_resolve)
    assert greater(short.annual_churn_rate, design.annual_churn_rate)
    assert greater(design.profit, short.profit)
