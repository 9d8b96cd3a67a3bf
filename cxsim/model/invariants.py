"""Bookkeeping that must hold at the end of every day: the model's debug mode (issue 7).

With `debug=true` the model calls `check(model)` after each day and stops
with an `InvariantError` naming the day and what broke:

* customers are conserved: every customer ever created is in exactly one
  state, and the recorder's counts are the agents' counts;
* the running aggregates (satisfaction sum, customer value) equal a recount;
* queues hold only customers on a journey (or gone while they waited: passed over
  at no cost when reached), each in at most one queue;
* rates are rates: satisfaction, culture, routine fit and friction in [0, 1],
  the day's failure rate and failure-demand share too, failures never exceed
  attempts, no count is negative;
* money adds up: revenue - product cost - cost to serve - acquisition - overhead - initiatives = profit,
  and every money figure is finite.

It costs a pass over all customers per day, so it is off by default: tests
and the fuzzing harness turn it on.
"""

from __future__ import annotations

import math
from collections import Counter

from cxsim.model.agents import ACTIVE, CHURNED, LOST, PROSPECT


class InvariantError(AssertionError):
    """The model's bookkeeping broke: a bug, never a user's mistake."""


def check(model) -> None:
    day = model.day - 1  # the day that just ended
    r = model.recorder

    def fail(what: str) -> None:
        raise InvariantError(f"day {day}: {what}")

    states = Counter(c.status for c in model.customers)
    if set(states) - {PROSPECT, ACTIVE, CHURNED, LOST}:
        fail(f"unknown customer states {sorted(set(states) - {PROSPECT, ACTIVE, CHURNED, LOST})}")
    counted = (states[PROSPECT], states[ACTIVE], states[CHURNED], states[LOST])
    if counted != (r.prospects, r.active, r.churned, r.lost):
        fail(f"customer counts (prospect, active, churned, lost) {counted} != recorded "
             f"{(r.prospects, r.active, r.churned, r.lost)}")
    if min(counted) < 0 or sum(counted) != len(model.customers):
        fail("customers not conserved")

    active = [c for c in model.customers if c.status == ACTIVE]
    if not math.isclose(r.sat_sum, sum(c.satisfaction for c in active), rel_tol=1e-9, abs_tol=1e-6):
        fail("satisfaction sum drifted from the customers'")
    if not math.isclose(r.active_value, sum(c.segment.annual_value for c in active), rel_tol=1e-9, abs_tol=1e-6):
        fail("customer value drifted from the customers'")
    if not math.isclose(r.active_cost, sum(c.segment.annual_cost for c in active), rel_tol=1e-9, abs_tol=1e-6):
        fail("product cost drifted from the customers'")
    if r.promoters < 0 or r.dissatisfied < 0 or r.promoters > r.active or r.dissatisfied > r.active:
        fail("promoter or dissatisfied count outside [0, active]")
    if not all(0.0 <= c.satisfaction <= 1.0 for c in model.customers):
        fail("a satisfaction outside [0, 1]")

    queued = [c for d in model.departments for c in d.queue]
    if len({id(c) for c in queued}) != len(queued):
        fail("a customer waits in two queues")
    if not all(c.journey is not None or c.status in (CHURNED, LOST) for c in queued):
        fail("a queue holds an idle customer (only those on a journey, or gone while they waited)")
    for d in model.departments:
        if not (0.0 <= d.culture <= 1.0 and 0.0 <= d.fit <= 1.0):
            fail(f"department {d.name!r}: culture {d.culture} or routine fit {d.fit} outside [0, 1]")
        if d.noise < 0 or d.worked < 0:
            fail(f"department {d.name!r}: negative capacity lost or worked")
    if not all(0.0 <= f <= 1.0 for row in model.friction for f in row):
        fail("a boundary friction outside [0, 1]")

    row = r.rows[-1]
    for key in ("handoff_failure_rate", "failure_demand_share", "share_dissatisfied", "share_promoters"):
        if not 0.0 <= row[key] <= 1.0:
            fail(f"{key} = {row[key]} outside [0, 1]")
    if row["handoff_failures"] > row["handoffs"] or row["repeat_contacts"] > row["contacts"] + 1e-9:
        fail("more failures than attempts, or more repeat contacts than contacts")
    for key in ("prospects", "active", "churned", "lost", "acquired", "churned_today", "lost_today",
                "prospects_arrived", "handoffs", "handoff_failures", "contacts", "repeat_contacts",
                "journeys_done", "backlog", "open_exceptions"):
        if row[key] < 0:
            fail(f"{key} = {row[key]} is negative")
    costs = ("product_cost", "service_cost", "acquisition_spend", "governance_cost", "initiative_cost")
    if not all(math.isfinite(row[k]) for k in ("revenue", *costs, "profit")):
        fail("a money figure is not finite")
    balance = row["revenue"] - sum(row[k] for k in costs)
    if not math.isclose(balance, row["profit"], rel_tol=1e-9, abs_tol=1e-6):
        fail(f"money does not add up: revenue - costs = {balance}, profit = {row['profit']}")
