"""The second generation's claims on the default comparison: every regime (the seeds' presets
included) on the default insurer over the default horizon, 20 seeds, and the ablation of each new
governance mechanism on the same seeds (common random numbers). All runs are made once, in
parallel (`conftest.default_comparison`, once per test session whatever the xdist workers), and
shared with the pattern tests that use them.

* The rank groups of the default table do not contradict each other across two disjoint sets of
  10 seeds (what `cxsim-compare` runs by default): the same leading group, and no two regimes in
  opposite group order.
* Delegation (seed 000's CX lead): ceo_with_cxo without its deputy times out most escalations and
  fails more handoffs.
* Rival owners (seeds 001, 004): with conflicting directives switched off, the same two owners
  fail fewer handoffs and earn more: the tug of war costs.
* Promises (seed 001's "marketing ploy"): a CMO measured on acquisition inflates the promise on
  every seed, and wins more customers than the same CMO not measured on it.
* Triage: served oldest first, the same CEO decides later, journeys take longer and the least
  satisfied customers are less satisfied.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import REGIMES, greater

from cxsim.analysis.statistics import margin_of, rank_groups


@pytest.fixture(scope="module")
def runs(default_comparison) -> pd.DataFrame:
    return default_comparison


def of(runs: pd.DataFrame, variant: str) -> pd.DataFrame:
    return runs[runs.variant == variant].set_index("seed").sort_index()


def test_the_rank_groups_do_not_contradict_each_other_across_two_disjoint_seed_sets(runs):
    """The groups `cxsim-compare` reports (materiality margin included) on two disjoint sets of 10 seeds:
    the same leading group, and no regime in an earlier group than another in one set and in a later one
    in the other, on value (model v3). Lower group numbers may shift when a borderline regime moves a
    boundary. (Group 1 was everyone_owns alone in both sets from issue 16 to model v2, ceo_led and
    everyone_owns before; under model v3 see docs/model.md, Known limits.)"""
    default = runs[runs.variant.isin(REGIMES)]
    groups = []
    for half in (range(0, 10), range(10, 20)):
        mine = default[default.seed.isin(half)]
        wide = mine.pivot(index="seed", columns="regime", values="value")  # what cxsim-compare ranks on
        groups.append(rank_groups(wide, margin=margin_of(mine)))
    reversed_pairs = [(a, b) for a in REGIMES for b in REGIMES
                      if groups[0][a] < groups[0][b] and groups[1][a] > groups[1][b]]
    assert not reversed_pairs, groups
    leading = [{r for r, g in half.items() if g == 1} for half in groups]
    assert leading[0] == leading[1], groups


def test_a_deputy_carries_what_the_ceo_cannot(runs):
    alone, helped = of(runs, "no_deputy"), of(runs, "ceo_with_cxo")
    assert (alone.timed_out > 0.5 * alone.escalated).all()
    assert greater(alone.handoff_failure_rate, helped.handoff_failure_rate)


def test_the_tug_of_war_between_rival_owners_costs(runs):
    rival, truce = of(runs, "rival_owners"), of(runs, "no_conflict")
    assert (rival.conflicts > 0).all() and (truce.conflicts == 0).all()
    assert greater(rival.handoff_failure_rate, truce.handoff_failure_rate)
    assert greater(truce.profit, rival.profit)


def test_triage_protects_the_moments_that_matter(runs):
    """Measured (20 seeds): journeys 3.05 vs 3.20 days, the least satisfied tenth at 0.593 vs 0.586;
    mean satisfaction, churn and profit not told apart (the triaged cases are few: ~4.5 a day)."""
    triaged, fifo = of(runs, "ceo_led"), of(runs, "fifo")
    assert greater(fifo.decision_wait_mean, triaged.decision_wait_mean)
    assert greater(fifo.time_to_resolve, triaged.time_to_resolve)
    assert greater(triaged.satisfaction_p10, fifo.satisfaction_p10)


def test_a_cmo_measured_on_acquisition_inflates_promises_and_its_customers_expect_more(runs):
    """Marketing measured on acquisition inflates its promises (0.016 on average over two years, measured
    under model v3), and the customers they win expect more: satisfaction is lower (0.664 against 0.668,
    paired over 20 seeds). Under model v2 it also won more customers (1,809 against 1,786, p < 0.001);
    under model v3's fit, 1,734 against 1,721 (95% CI -2 to +29): not claimed."""
    measured, not_measured = of(runs, "marketing_owned"), of(runs, "no_acquisition_kpi")
    assert (measured.promise_mean > 0).all() and (not_measured.promise_mean == 0).all()
    assert greater(not_measured.satisfaction_mean, measured.satisfaction_mean)


def test_a_journey_teams_shared_identity_makes_its_members_act(runs):
    """Cohesion (model v3; Levine & Crowther 2008): the same journey teams with their shared identity
    removed (cohesion 0: the team's pool acts as any crowd) fail more handoffs, paired over 20 seeds."""
    team, loose = of(runs, "journey_teams"), of(runs, "teams_without_identity")
    assert greater(loose.handoff_failure_rate, team.handoff_failure_rate)


def test_the_forum_decides_at_a_price_where_everyone_owns(runs):
    """Coordinating without an owner (model v3): with the department heads' forum removed, everyone-owns
    pays nothing for coordination and every exception is left to the silos (decided locally at once);
    with it, the forum decides some of them, at the heads' pay."""
    forum, none = of(runs, "everyone_owns"), of(runs, "no_forum")
    assert (none.governance_cost == 0).all() and (forum.governance_cost > 0).all()
    assert (none.decided == 0).all() and greater(forum.decided, none.decided)
