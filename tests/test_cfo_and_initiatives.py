"""Issue 17: the CFO's budget round and the quarterly portfolio of CX initiatives.

The cost-centre spiral (seed 003) must emerge from the budget round under `cfo_view=cost` and
vanish under `value`, with no round, and when the loop's link (overtime: cost following the
backlog) is cut. Initiatives must lower failure demand (ablation: the portfolio off) and work
more often with more backing and authority, less often in a tug of war. Every claim is paired over
20 seeds (common random numbers) with a one-sided t-test at alpha 0.01 (`greater`) or a 95% CI.
The runs are shared: `cfo_runs` (no owner, service on a 75% budget, four variants) and the default
comparison (which carries the initiative ablations) are made once per session (tests/conftest.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import CFO_SEEDS, greater, paired


def by_seed(frame: pd.DataFrame, variant: str, column: str) -> pd.Series:
    rows = frame[frame.variant == variant]
    key = "run_seed" if "run_seed" in rows else "seed"
    return rows.set_index(key)[column].sort_index()


def quarters(books: pd.DataFrame, variant: str) -> pd.DataFrame:
    """The service desk's books per seed (rows) and budget round (columns)."""
    rows = books[books.variant == variant]
    return rows.pivot_table(index="run_seed", columns="quarter", values=["staffing", "failure_demand_share"])


def rise(books: pd.DataFrame, variant: str) -> pd.Series:
    """Per seed: failure-demand share at the desk in the second year's quarters minus the second quarter's,
    the last before any cut (the first round only sets budgets). Measured from the first half-year, as this
    test first did, it also caught the model settling from its empty start (+0.05 under every view)."""
    fd = quarters(books, variant)["failure_demand_share"]
    return fd[[4, 5, 6, 7]].mean(axis=1) - fd[1]


# ----------------------------------------------------------- the spiral
def test_the_cost_view_cuts_the_desk_quarter_by_quarter_and_failure_demand_rises(cfo_runs):
    """Under `cost`: every round leaves the desk's staffing where it was or lower, it ends more than
    ten points below its start on average, and the desk's failure-demand share rises from the first
    half-year to the second year."""
    _, books, _ = cfo_runs
    staffing = quarters(books, "cost")["staffing"]
    assert (staffing.diff(axis=1).iloc[:, 1:] <= 1e-12).all().all()
    fall = staffing[0] - staffing[staffing.columns.max()]
    assert fall.mean() > 0.10, fall.describe()
    up = rise(books, "cost")
    assert greater(up, 0 * up), up.describe()


def test_the_spiral_vanishes_under_the_value_view_and_without_a_budget_round(cfo_runs):
    """Under `value` (staff for demand, charge failure demand to its causes) and with no round, the
    desk's failure demand does not climb like it does under `cost` (paired). Under `value` the desk's
    staffing rises round after round instead of falling (from 75% to 96%, measured), and its failure
    demand rises less than with no round at all (where the desk stays at 75%).

    Before model v3 the rise under `value` was within 3 points (a margin fixed in advance) of none; since local
    fixes are priced and need the other side's cooperation, the boundaries nobody owns decay faster and
    failure demand rises under every view (measured over the second year: value +6.6 points, none +16,
    cost +33): the equivalence no longer holds and is not claimed."""
    summary, books, _ = cfo_runs
    cost = rise(books, "cost")
    for variant in ("value", "none"):
        assert greater(cost, rise(books, variant)), variant
    assert greater(rise(books, "none"), rise(books, "value"))
    staffing = quarters(books, "value")["staffing"]
    assert (staffing[7] > staffing[1]).all(), staffing[[1, 7]]


def test_the_spiral_needs_the_cut_to_follow_the_cost(cfo_runs):
    """The loop's feedback removed (`cut_overspend: false`: the cost view trims the desk by its
    efficiency target and does not read the quarter's cost): the cuts stop compounding. The desk
    keeps more staff and its failure demand rises less than with the feedback (paired)."""
    summary, books, _ = cfo_runs
    assert greater(by_seed(summary, "cost_no_feedback", "service_staffing_end"),
                   by_seed(summary, "cost", "service_staffing_end"))
    assert greater(rise(books, "cost"), rise(books, "cost_no_feedback"))


def test_the_spiral_costs_customers_and_money(cfo_runs):
    """Over two years the cost view's savings on the desk cost more than they save: churn is higher
    and profit lower than under `value` or with no round (paired)."""
    summary, _, _ = cfo_runs
    for other in ("value", "none"):
        assert greater(by_seed(summary, "cost", "annual_churn_rate"), by_seed(summary, other, "annual_churn_rate"))
        assert greater(by_seed(summary, other, "profit"), by_seed(summary, "cost", "profit"))


def test_the_value_view_charges_failure_demand_to_its_causes(cfo_runs):
    """The charge is shared among the departments that failed: the desk's failure-demand cost is
    spread over the departments, and the value view's staffing follows the desk's demand (no round
    cuts or adds more than max_cut)."""
    _, books, _ = cfo_runs
    rows = books[(books.variant == "value") & (books.quarter > 0)]
    assert (rows.failure_cost_charged > 0).all()
    staffing = quarters(books, "value")["staffing"]
    assert (staffing.pct_change(axis=1).iloc[:, 1:].abs() <= 0.10 + 1e-9).all().all()


# -------------------------------------------------------- initiatives
def outcome(frame: pd.DataFrame, variant: str, column: str) -> pd.Series:
    return frame[frame.variant == variant].set_index("seed")[column].sort_index()


def success_rate(frame: pd.DataFrame, variant: str) -> pd.Series:
    return outcome(frame, variant, "initiatives_succeeded") / outcome(frame, variant, "initiatives_started")


def test_every_regime_reports_its_initiatives(default_comparison):
    """Owners start initiatives, the department heads' forum among them (the price list's row "an
    initiative": any owner may start one); without an owner or a forum, nobody does."""
    started = default_comparison.groupby("variant").initiatives_started.mean()
    assert started["no_owner"] == 0 and started["no_forum"] == 0
    owned = ["ceo_led", "ceo_with_cxo", "coo_owned", "cxo_facilitator", "everyone_owns", "journey_teams",
             "marketing_owned", "rival_owners"]
    assert (started[owned] > 0).all(), started
    cost = default_comparison.groupby("variant").initiative_cost.mean()
    assert (cost[owned] > 0).all() and cost["no_owner"] == 0 and cost["no_forum"] == 0


def test_initiatives_lower_failure_demand(default_comparison):
    """Ablation: the CEO's portfolio off, the front line carries more failure demand and more
    handoffs fail (paired over 20 seeds)."""
    on, off = (outcome(default_comparison, v, "front_line_failure_demand_share") for v in ("ceo_led", "no_initiatives"))
    assert greater(off, on), paired(off, on)
    assert (outcome(default_comparison, "no_initiatives", "initiatives_started") == 0).all()


def test_initiatives_work_more_often_with_backing_and_authority(default_comparison, backing_runs):
    """A CXO's initiatives work more often as the CEO's backing rises (0.3 -> the preset's 0.7: paired over
    60 seeds, conftest `backing_runs`; measured 12% and 21% of about 8 a run) and with full authority
    (paired over 20 seeds; 61%): "why CX programmes stall"."""
    both = pd.concat([default_comparison, backing_runs], ignore_index=True)
    unbacked, preset = success_rate(both, "cxo_unbacked"), success_rate(both, "cxo_facilitator")
    assert len(unbacked) == len(preset) == 60
    assert greater(preset, unbacked), (unbacked.mean(), preset.mean())
    full = success_rate(default_comparison, "cxo_full_authority")
    preset = success_rate(default_comparison, "cxo_facilitator")
    assert greater(full, preset), (preset.mean(), full.mean())


def test_rival_owners_initiatives_stall_in_the_tug_of_war(default_comparison):
    """Marketing and operations sponsor initiatives on the same departments: each contested
    department sides with one, the other's initiative fails. With conflicts switched off they work
    more often (paired over 20 seeds)."""
    assert greater(success_rate(default_comparison, "no_conflict"), success_rate(default_comparison, "rival_owners"))


def test_the_shared_seeds_are_the_evidence_standard():
    assert len(CFO_SEEDS) >= 20
    assert np.all(np.diff(list(CFO_SEEDS)) == 1)
