"""The agents: departments, customers and the executives who own CX.

Departments work their queues every day. Customers are idle most days: the
model's calendar wakes one only when its next touchpoint is due. Owners spend
a daily attention budget on escalated exceptions and a weekly review on
fixing boundaries (see `cxsim.governance`).
"""

from __future__ import annotations

from collections import deque

import mesa
import numpy as np

from cxsim import handoff

PROSPECT, ACTIVE, CHURNED, LOST = "prospect", "active", "churned", "lost"


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
        self.fit = 1.0  # share of working routines intact (drops at a reorg)
        self.noise = 0.0  # capacity per day lost to directives it resists
        self.queue: deque = deque()  # customers whose case waits here
        self.credit = 0.0  # capacity left to spend today (may carry a small debt)
        self.load = 0.0  # backlog / capacity at the start of the day
        self.overload_factor = 1.0  # handoff failure terms (cxsim.handoff): backlog, set daily,
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

    @property
    def busy(self) -> bool:
        return self.journey is not None


class Owner(mesa.Agent):
    """An executive (or journey lead) who owns CX over part of the organisation."""

    def __init__(self, model, name: str, role: str, attention: float, authority: np.ndarray,
                 scope_phases: set[int], scope_journeys: set[int] | None,
                 culture_signal: float, cost_per_day: float):
        super().__init__(model)
        self.name = name
        self.role = role
        self.attention = attention  # CX decisions per day
        self.authority = authority  # per department, 0..1, backing included
        self.scope_phases = scope_phases
        self.scope_journeys = scope_journeys  # None: every journey
        self.culture_signal = culture_signal
        self.cost_per_day = cost_per_day
        self.exceptions: deque = deque()  # (day, customer, from_dept, to_dept)
        self.carry = 0.0  # a fraction of a decision carried to tomorrow
        self.spare = 0.0  # attention left over this week, for boundary fixes
        self.seen: dict[tuple[int, int], int] = {}  # failures seen per boundary this week

    def covers(self, journey: int, phase: int) -> bool:
        return phase in self.scope_phases and (
            self.scope_journeys is None or journey in self.scope_journeys)

    def attend(self) -> None:
        """Decide today's escalated exceptions; the rest wait or time out."""
        self.model.governance.attend(self)
