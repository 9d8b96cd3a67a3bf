"""Journeys and the organisation's structure, read from an org config.

A journey is an ordered list of stages, each owned by a department. Crossing
from one department to another is a handoff at a boundary (an ordered pair of
departments). `split_departments = k` cuts every department into k silos and
every stage into k consecutive sub-stages, each doing 1/k of the work with
1/k of the capacity, so the same work crosses more boundaries: the knob for
"as departments multiply".
"""

from __future__ import annotations

from dataclasses import dataclass

from omegaconf import DictConfig

from cxsim.config.schema import PHASES


@dataclass(frozen=True)
class Stage:
    dept: int  # index of the department that owns the stage
    phase: int  # index into PHASES
    moment_of_truth: bool


@dataclass(frozen=True)
class Journey:
    index: int
    name: str
    stages: tuple[Stage, ...]
    rate: float  # per active customer per year
    acquisition: bool
    lead: int  # index of the lead department (journey teams)


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


@dataclass(frozen=True)
class Structure:
    departments: tuple[DepartmentSpec, ...]
    journeys: tuple[Journey, ...]

    @property
    def n_departments(self) -> int:
        return len(self.departments)

    @property
    def acquisition(self) -> Journey | None:
        return next((j for j in self.journeys if j.acquisition), None)

    @property
    def service_journeys(self) -> tuple[Journey, ...]:
        return tuple(j for j in self.journeys if not j.acquisition and j.rate > 0)


def build_structure(org: DictConfig) -> Structure:
    k = int(org.split_departments)
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
                capacity=float(d.capacity) / k,
                cost_per_capacity=float(d.cost_per_capacity),
                culture=float(d.culture),
                cost_centre=bool(d.cost_centre),
                case_work=1.0 / k,
            ))
    journeys = []
    for idx, (jname, j) in enumerate(org.journeys.items()):
        stages = []
        for s in j.stages:
            for i, dept in enumerate(silos[s.department]):
                # the moment of truth is where the customer meets the stage: its first silo
                stages.append(Stage(dept, PHASES.index(s.phase), bool(s.moment_of_truth) and i == 0))
        lead_name = j.lead or max(dict.fromkeys(s.department for s in j.stages),
                                  key=lambda n: sum(s.department == n for s in j.stages))
        journeys.append(Journey(idx, jname, tuple(stages), float(j.rate), bool(j.acquisition),
                                silos[lead_name][0]))
    return Structure(tuple(depts), tuple(journeys))
