"""The agents: departments, customers and the executives who own CX.

Departments work their queues every day. Customers are idle most days: the
model's calendar wakes one only when its next touchpoint is due. Owners spend
a daily attention budget on escalated exceptions and a weekly review on
fixing boundaries (see `cxsim.mechanisms.governance`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, fields

from cxsim.mechanisms import finance
from cxsim.mechanisms.cases import Case, Desk, SegmentFields

# The customer's lifecycle and the executives who own CX are defined with the
# submodels that move them (`lifecycle`, `governance`); listed here so
# this module names every agent of the model.
from cxsim.mechanisms.governance import Owner  # noqa: F401
from cxsim.mechanisms.lifecycle import ACTIVE, CHURNED, LOST, PROSPECT  # noqa: F401
from cxsim.mesa_import import mesa  # Mesa, without its decorators' reading of the stack's source


class Department(mesa.Agent, Desk):
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
        self.front_line = spec.front_line  # customers contact the firm here
        self.native_culture = spec.culture  # orientation it drifts back to without a signal
        self.culture = spec.culture  # customer orientation, 0..1
        self.journey_kpi = 0.0  # weight of journey outcomes in its KPIs (set by the regime's owners)
        self.fit = 1.0  # share of working routines intact (drops at a reorg)
        self.noise = 0.0  # capacity per day lost to directives it resists, and to the boundary fixes it works on
        self.project = 0.0  # capacity per day given to CX initiatives it takes part in (cxsim.mechanisms.initiatives)
        self.funded = 1.0  # capacity paid for, as a share of configured capacity (the CFO's budget round moves it)
        self.overtime = 0.0  # capacity bought today beyond staffing to work a backlog (cxsim.mechanisms.finance)
        self.quarter = dict(cost=0.0, units=0.0, failure_units=0.0, overtime=0.0)  # since the last budget round
        self.queue: deque = deque()  # customers whose case waits here
        self.chases = 0  # calls today from customers chasing a late case
        self.credit = 0.0  # capacity left to spend today (may carry a small debt)
        self.load = 0.0  # backlog / capacity at the start of the day
        self.overload_factor = 1.0  # handoff failure terms (cxsim.mechanisms.handoff): backlog, set daily,
        self.culture_factor = self.info_factor = self.fit_factor = 1.0  # the others when they change
        self.unresolved_p = 0.0  # P(a contact worked today leaves its stage unsettled), set daily (failure_demand)
        self.worked = 0.0  # capacity units used today

    @property
    def capacity(self) -> float:
        """Capacity paid for (the budget round's staffing) after efficiency pressure."""
        return finance.effective_capacity(self.model, self)


# `= field()`: no default (the case flow's fields are C fields of the base class when compiled: see
# `cxsim.model.journey.Stage`).
@dataclass(frozen=True)
class Segment(SegmentFields):
    """A segment of the org's customers (`org.segments`; units in `cxsim.config.schema.SegmentCfg`)."""

    name: str
    share: float = field()  # of the customers
    annual_value: float = field()  # revenue per active customer per year
    expectation: float = field()  # expected quality, 0..1
    effort_tolerance: float = field()  # effort a customer takes in stride
    annual_cost: float = field()  # the product's own cost per active customer per year

    @classmethod
    def of(cls, name: str, section) -> Segment:
        """The segment of a config section (numbers as floats: the same whether compiled or not)."""
        return cls(name, *(float(section[f.name]) for f in fields(cls)[1:]))


class Customer(mesa.Agent, Case):
    """A prospect or customer: segment, status, satisfaction, and the journey it is on."""

    def __init__(self, model, segment, status: str, satisfaction: float):
        super().__init__(model)
        self.segment = segment
        self.status = status
        self.satisfaction = satisfaction
        self.since = model.day  # day the current status began
        # its case (none yet: `Case.__init__`, by way of Mesa's `Agent.__init__`)

    @property
    def busy(self) -> bool:
        return self.journey is not None
