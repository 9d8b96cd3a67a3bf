"""Handoffs: a case crossing a department boundary, and what happens when it fails.

A handoff from department A to B fails with probability

    p = friction[A, B]                                   boundary's state (today's, fixes, neglect)
        * (1 + overload_effect * max(0, load_B - 1))      B's backlog beyond a day's capacity
        * (1 - culture_effect * culture_B)                B's customer orientation
        * (1 - info_effect * align_A)                     A passes the customer's information on
        * (1 + efficiency_effect * efficiency_pressure)   rushed handling loses information
        * (1 + disruption_effect * (1 - fit_B))           routines lost in a reorg
        * (1 - effect) per initiative that worked here    on this journey (`initiatives`)

clipped to [0, 1]. Before that, with probability `exception_rate`, the case
needs a decision neither department owns: it is escalated (see
`cxsim.mechanisms.governance`). A failure is one of three kinds:

* dropped: nobody picks the case up; the customer calls A again after
  `recontact_days` (one repeat contact, and A redoes the stage; effort +1);
* information lost: B must ask again; the customer repeats themselves
  (one repeat contact, effort +1);
* delayed: the case waits `delay_days`, so the stage runs late and the
  customer may chase it (`cxsim.mechanisms.failure_demand`).

Repeat contacts are failure demand (Seddon): they take capacity like any case.
Any failure may also make a later need (`failure_demand.consequence`).
"""

from __future__ import annotations

from cxsim.mechanisms import failure_demand, responsibility
from cxsim.mechanisms.cases import initiatives_factor
from cxsim.mechanisms.contract import Mechanism
from cxsim.mechanisms.events import ARRIVE


class BoundaryTerms(Mechanism):
    """Who acts on a defect at each boundary (`responsibility`) and the handoff failure terms that
    change only with culture, routines or the regime: recomputed when a regime is installed and after
    every weekly review (so after culture has drifted)."""

    name = "boundary_terms"

    def install(self, regime, reorg: bool) -> None:
        self.pools = responsibility.pools(self.model)  # who counts a defect as its own: the regime's
        self.refresh()

    def review(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.model.p_local = responsibility.p_anyone_matrix(self.model, self.pools)
        refresh_factors(self.model)


def initial_friction(model) -> list[list[float]]:
    """Friction today per boundary (from, to): `org.friction` where the company named it (between any
    silos of the two departments), else `base_friction`. Reviews, fixes and neglect move it from there."""
    base = model.mech.handoff.base_friction
    named = {a: dict(row) for a, row in model.cfg.org.friction.items()}  # plain dicts: read n^2 times
    depts = model.structure.departments
    return [[float(named[a.origin][b.origin]) if a.origin in named and b.origin in named[a.origin] else base
             for b in depts] for a in depts]


def overload_factor(model, dept) -> float:
    """The receiver's backlog term; set when the department starts its day (`caseflow.work`)."""
    return 1.0 + model.mech.handoff.overload_effect * max(0.0, dept.load - 1.0)


def refresh_factors(model) -> None:
    """The terms that change only when culture, routines or the regime change (weekly, at a
    reorg), kept per department so a handoff multiplies instead of recomputing them."""
    h = model.mech.handoff
    info, disruption = model.mech.accountability.info_effect, model.mech.culture.disruption_effect
    for d in model.departments:
        d.culture_factor = 1.0 - h.culture_effect * d.culture
        d.info_factor = 1.0 - info * responsibility.alignment(model, d)
        d.fit_factor = 1.0 + disruption * (1.0 - d.fit)
    model.efficiency_factor = 1.0 + h.efficiency_effect * model.regime.efficiency_pressure


def failure_probability(model, a: int, b: int) -> float:
    """The formula above, from the per-department terms (`overload_factor`, `refresh_factors`)."""
    sender, receiver = model.departments[a], model.departments[b]
    p = model.friction[a][b]
    p *= receiver.overload_factor
    p *= receiver.culture_factor
    p *= sender.info_factor
    p *= model.efficiency_factor
    p *= receiver.fit_factor
    return 0.0 if p < 0.0 else 1.0 if p > 1.0 else p


def attempt(model, customer, a: int, b: int) -> None:
    """Hand the customer's case from department a to department b (its stage at a is done).

    A handoff is counted on the day it is settled: at once, or, for an
    exception escalated to an owner, on the day the owner (or the timeout)
    decides it; so a day's failures never outnumber its handoffs.
    """
    if model.draw() < model.exception_rate:  # `mechanisms.escalation.exception_rate`
        if model.governance.escalate(customer, a, b):
            return  # waits for an owner's decision
        cross(model, customer, a, b, decided_right=model.governance.decide_locally(a, b))
        return
    model.recorder.handoff(customer, a, b)
    p = failure_probability(model, a, b) * initiatives_factor(model, customer.journey.index, a, b)
    if model.draw() >= p:  # `cross` with a right decision, inlined
        pass_on(model, customer, b)
    else:
        fail(model, customer, a, b)


def cross(model, customer, a: int, b: int, decided_right: bool = True) -> None:
    """The case crosses the boundary, unless a wrong decision or friction makes it fail."""
    if customer.journey is None:
        return  # the customer left while the decision waited
    model.recorder.handoff(customer, a, b)
    p = failure_probability(model, a, b) * initiatives_factor(model, customer.journey.index, a, b)
    if decided_right and model.draw() >= p:
        pass_on(model, customer, b)
    else:
        fail(model, customer, a, b)


def pass_on(model, customer, b: int, after: int = 1) -> None:
    customer.stage += 1
    customer.next_ticket = model.calendar.add(model.day + after, ARRIVE, customer, b)


def fail(model, customer, a: int, b: int) -> None:
    """A failed handoff: record it, tell the owners who watch it, burden the customer."""
    stage = customer.journey.stages[customer.stage + 1]
    weight = model.moment_of_truth_weight if stage.moment_of_truth else 1.0
    model.recorder.failure(customer, a, b)
    customer.troubled = True
    model.failed(customer.journey.index, stage.phase, a, b)
    r = model.draw()
    kind = "drop" if r < model.drop_share else "info" if r < model.drop_share + model.info_loss_share else "delay"
    if kind != "delay":
        failure_demand.burden(model, customer, weight)
    failure_demand.consequence(model, customer)
    response = model.customer_response  # (a local: its methods are C calls when compiled)
    if response.gives_up(customer):
        return
    if kind == "drop":
        customer.redo = 1
        failure_demand.unwatch(model, customer)  # its call back is its chase
        customer.next_ticket = model.calendar.add(model.day + model.recontact_days, ARRIVE, customer, a)
    else:
        pass_on(model, customer, b, after=1 if kind == "info" else 1 + model.delay_days)
