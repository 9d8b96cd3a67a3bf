"""Journeys and the organisation's structure, read from an org config.

A journey is an ordered list of stages, each owned by a department. Crossing
from one department to another is a handoff at a boundary (an ordered pair of
departments). `split_departments = k` cuts every department into k silos and
every stage into k consecutive sub-stages, each doing 1/k of the work with
1/k of the capacity, so the same work crosses more boundaries: the knob for
"as departments multiply". A stage's service time (days it takes once
worked: an assessor's visit, a repair) is spent once, in its last silo.

A firm of `customers` staffed as its file states for `design_customers`
has every capacity multiplied by customers / design_customers x `staffing`:
size changes the firm, not how well it is staffed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from omegaconf import DictConfig

from cxsim.config.schema import PHASES
from cxsim.mechanisms.cases import JourneyFields, StageFields


# `= field()`: no default. Compiled, the case flow's fields are C fields of the base class
# (`cxsim.mechanisms.cases`), whose descriptors a dataclass would otherwise take for defaults.
@dataclass(frozen=True)
class Stage(StageFields):
    dept: int = field()  # index of the department that owns the stage
    phase: int = field()  # index into PHASES
    moment_of_truth: bool = field()
    service_days: int = field()  # calendar days from the department working the stage to the next stage


@dataclass(frozen=True)
class Journey(JourneyFields):
    index: int = field()
    name: str
    stages: tuple[Stage, ...] = field()
    rate: float  # per active customer per year
    acquisition: bool
    lead: int  # index of the lead department (journey teams)
    contact: int = field()  # the department a waiting customer calls: the first front-line one, else the lead
    service_days: int = field()  # the stages' service times, summed: the shortest the journey can take [days]


@dataclass(frozen=True)
class DepartmentSpec:
    name: str
    origin: str  # the org file's department this one was split from (itself if unsplit)
    function: str
    capacity: float
    cost_per_capacity: float
    culture: float
    cost_centre: bool
    case_work: float  # capacity units one contact takes here (1/k after a split)
    front_line: bool  # customers contact the firm here (its contacts are Seddon's measure)


@dataclass(frozen=True)
class Structure:
    departments: tuple[DepartmentSpec, ...]
    journeys: tuple[Journey, ...]

    @property
    def n_departments(self) -> int:
        return len(self.departments)

    @cached_property  # (read every day: the structure does not change)
    def acquisition(self) -> Journey | None:
        return next((j for j in self.journeys if j.acquisition), None)

    @cached_property
    def service_journeys(self) -> tuple[Journey, ...]:
        return tuple(j for j in self.journeys if not j.acquisition and j.rate > 0)


def size_scale(org: DictConfig) -> float:
    """The firm's size relative to the one its file describes (paid inflows scale with it)."""
    design = org.design_customers if org.design_customers is not None else org.customers
    return float(org.customers) / float(design)


def capacity_scale(org: DictConfig) -> float:
    """Capacities relative to the file's: size over design size, times staffing."""
    return size_scale(org) * float(org.staffing)


def build_structure(org: DictConfig) -> Structure:
    k = int(org.split_departments)
    scale = capacity_scale(org)
    names = list(org.departments.keys())
    depts: list[DepartmentSpec] = []
    silos: dict[str, list[int]] = {}
    for name in names:
        d = org.departments[name]
        silos[name] = []
        for i in range(k):
            silos[name].append(len(depts))
            depts.append(DepartmentSpec(
                name=name if k == 1 else f"{name}_{i + 1}",
                origin=name,
                function=d.function,
                capacity=float(d.capacity) * scale / k,
                cost_per_capacity=float(d.cost_per_capacity),
                culture=float(d.culture),
                cost_centre=bool(d.cost_centre),
                case_work=1.0 / k,
                front_line=d.function == "service" if d.front_line is None else bool(d.front_line),
            ))
    journeys = []
    for idx, (jname, j) in enumerate(org.journeys.items()):
        stages = []
        for s in j.stages:
            service = int(org.departments[s.department].service_days)
            for i, dept in enumerate(silos[s.department]):
                # the moment of truth is where the customer meets the stage: its first silo
                stages.append(Stage(dept, PHASES.index(s.phase), bool(s.moment_of_truth) and i == 0,
                                    service if i == k - 1 else 1))
        lead_name = j.lead or max(dict.fromkeys(s.department for s in j.stages),
                                  key=lambda n: sum(s.department == n for s in j.stages))
        lead = silos[lead_name][0]
        contact = next((st.dept for st in stages if depts[st.dept].front_line), lead)
        journeys.append(Journey(idx, jname, tuple(stages), float(j.rate), bool(j.acquisition), lead, contact,
                                sum(st.service_days for st in stages)))
    return Structure(tuple(depts), tuple(journeys))
