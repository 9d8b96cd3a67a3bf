"""The agents: departments, customers and the executives who own CX.

Departments work their queues every day. Customers are idle most days: the
model's calendar wakes one only when its next touchpoint is due. Owners spend
a daily attention budget on escalated exceptions and a weekly review on
fixing boundaries (see `cxsim.mechanisms.governance`).
"""

from __future__ import annotations

from collections import deque

import mesa

from cxsim.mechanisms import handoff

# The customer's lifecycle and the executives who own CX are defined with the
# submodels that move them (`customer_response`, `governance`); listed here so
# this module names every agent of the model.
from cxsim.mechanisms.customer_response import ACTIVE, CHURNED, LOST, PROSPECT  # noqa: F401
from cxsim.mechanisms.governance import Owner  # noqa: F401


class Department(mesa.Agent):
    """A function that works cases: capacity, queue, culture, routines."""

    def __init__(self, model, index: int, spec):
        super().__init__(model)
        self.index = index
        self.name = spec.name
        self.origin = spec.origin
        self.function = spec.function
        self.base_capacity = spec.capacity
        self.cost_per_capacity = spec.cost_per_capacity
        self.cost_centre = spec.cost_centre
        self.case_work = spec.case_work  # capacity units one contact takes here
        self.native_culture = spec.culture  # orientation it drifts back to without a signal
        self.culture = spec.culture  # customer orientation, 0..1
        self.journey_kpi = 0.0  # weight of journey outcomes in its KPIs (set by the regime's owners)
        self.fit = 1.0  # share of working routines intact (drops at a reorg)
        self.noise = 0.0  # capacity per day lost to directives it resists
        self.queue: deque = deque()  # customers whose case waits here
        self.credit = 0.0  # capacity left to spend today (may carry a small debt)
        self.load = 0.0  # backlog / capacity at the start of the day
        self.overload_factor = 1.0  # handoff failure terms (cxsim.mechanisms.handoff): backlog, set daily,
        self.culture_factor = self.info_factor = self.fit_factor = 1.0  # the others when they change
        self.worked = 0.0  # capacity units used today

    @property
    def capacity(self) -> float:
        """Capacity after the service budget and efficiency pressure."""
        return self.model.effective_capacity(self)

    def work(self) -> None:
        """Work queued cases while today's capacity lasts; pass each one on."""
        cap = max(self.capacity - self.noise, 0.0)
        backlog = len(self.queue) * self.case_work
        self.load = backlog / cap if cap > 0 else (1e3 if backlog else 0.0)
        self.overload_factor = handoff.overload_factor(self.model, self)
        credit = min(self.credit, 0.0) + cap
        worked = 0.0
        cases = repeats = redone = 0  # contacts worked today, of which repeats; stages redone
        advance, queue, case_work = self.model.advance, self.queue, self.case_work
        while queue and credit > 0:
            customer = queue.popleft()
            rework = customer.rework
            units = case_work * (1 + rework)
            credit -= units
            worked += units
            cases += 1
            repeats += rework
            redone += customer.redo
            customer.rework = 0
            customer.redo = 0
            advance(customer, self)
        self.model.recorder.worked(self.index, cases, repeats, worked, case_work * (repeats + redone))
        self.credit, self.worked = credit, worked


class Customer(mesa.Agent):
    """A prospect or customer: segment, status, satisfaction, and the journey it is on."""

    def __init__(self, model, segment, status: str, satisfaction: float):
        super().__init__(model)
        self.segment = segment
        self.status = status
        self.satisfaction = satisfaction
        self.since = model.day  # day the current status began
        self.journey = None  # the Journey the customer is on, or None when idle
        self.stage = 0
        self.started = 0  # day the journey began
        self.effort = 0.0  # effort on this journey (repeat contacts, repeated information)
        self.rework = 0  # contacts owed to the next department (failure demand)
        self.redo = 0  # 1 when the next department redoes work a failure undid
        self.leaving = False  # leaves for outside reasons once the current journey ends
        self.promised = 0.0  # expectation added by the promises that won it (promise inflation when acquired)

    @property
    def busy(self) -> bool:
        return self.journey is not None
