"""A quarterly portfolio of CX initiatives (seed 004: analyse the journeys, find the moments
of truth, list initiatives, pilot for a quick win; its comments: "quarterly", "recurring
initiatives", "noise", a tug of war over who is in charge).

At each budget round every owner (with its deputy, one office) reads what failed in
its scope over the quarter, as a manager reads a report: failed handoffs per journey
and boundary, contacts left unsettled per journey and department, each count times
lognormal noise (`observation_noise`). While it sponsors fewer than `per_owner`
initiatives it proposes, first, to scale up each of its pilots that worked (every
journey in its scope through the same target; `scale_cost` pilots' money,
`scale_success_prob`), then pilots on the worst targets it saw, each on one journey
(`pilot_cost`, `success_prob`; both costs, like the fund, scale with the firm's size).
Finance funds proposals from the quarter's fund
(`cxsim.mechanisms.budget`), scale-ups first, then by what their owners saw; a
proposal not funded is dropped (the owner may propose it again).

A funded initiative runs `lead_days`, spending its cost evenly and taking
`staff_per_day` of each involved department's capacity (both departments of a
boundary, or the one department). Each involved department cooperates with the
probability that it carries out an owner's decision (`responsibility.compliance`:
authority, the CEO's backing, persuasion of an aligned department); one that
resists pays the directive noise. A department already working on another
owner's initiative sides with the owner with more authority over it, and the
other initiative loses it (the tug of war; `governance.conflicting_directives`
switches it off for directives and initiatives alike). At its end an initiative works with
its success probability if every department cooperated; it then removes `effect`
of its target's failure probability on the journeys it covers (a boundary's
handoffs: `handoff.attempt`; a department's unsettled contacts:
`failure_demand.unresolved`). The owners' weekly quick fixes
(`cxsim.mechanisms.governance`) are the small, attention-capped part of the same work.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field

from cxsim.mechanisms import responsibility
from cxsim.mechanisms.cases import factor_index
from cxsim.mechanisms.contract import Mechanism


@dataclass
class Initiative:
    owner: object  # the sponsoring Owner (a principal)
    target: tuple[int, int]  # a boundary (a, b), or (d, d): contacts left unsettled in department d
    journeys: tuple[int, ...]  # the journeys it changes: one for a pilot, the owner's others for a scale-up
    scale: bool  # a scale-up of a pilot that worked
    cost: float
    seen: float  # the failures its owner saw at the target when proposing (noisy)
    start: int = 0
    end: int = 0
    cooperating: bool = True  # every involved department cooperated (so far)
    outcome: str = "running"  # running | succeeded | failed
    scaled: bool = False  # a pilot that worked has been scaled up (a funded scale-up started)
    pilot: Initiative | None = None  # for a scale-up: the pilot it scales
    departments: tuple[int, ...] = field(default=())


class Portfolio(Mechanism):
    """The initiatives of every owner, the quarter's fund, and what working ones changed."""

    name = "portfolio"

    def __init__(self, model):
        super().__init__(model)
        self.spent_today = 0.0  # what the running initiatives spend today [money/day]
        self.fund = 0.0  # money left for initiatives this quarter (set at the budget round)
        self.running: list[Initiative] = []
        self.done: list[Initiative] = []
        self.factor: dict[tuple[int, int, int], float] = {}  # (journey, a, b) -> multiplier on the failure probability
        # the same factors, 1 where none worked, as an array held by the model (read at every handoff)
        n = len(model.departments)
        model.initiative_factor = array("d", [1.0]) * (len(model.structure.journeys) * n * n)
        self.seen: dict[tuple[int, int, int, int], int] = {}  # (journey, phase, a, b) -> failures this quarter

    # ----------------------------------------------------------- observing
    def heard_failure(self, journey: int, phase: int, a: int, b: int) -> None:
        key = (journey, phase, a, b)
        self.seen[key] = self.seen.get(key, 0) + 1

    # -------------------------------------------------------- the quarter
    def quarter(self) -> None:
        """Owners propose, finance funds what the quarter's fund pays for, funded initiatives start."""
        model = self.model
        if model.mech.initiatives.enabled:
            principals = [o for o in model.governance.owners if o.principal is None]
            proposals = []
            for owner in model.random.sample(principals, len(principals)):
                proposals += self.proposals(owner)
            proposals.sort(key=lambda p: (not p.scale, -p.seen))
            for p in proposals:
                if p.cost <= self.fund:
                    self.fund -= p.cost
                    if p.pilot is not None:
                        p.pilot.scaled = True
                    self.start(p)
        self.seen.clear()

    def proposals(self, owner) -> list[Initiative]:
        """Scale-ups of the owner's pilots that worked, then pilots on the worst targets it saw."""
        ini = self.model.mech.initiatives
        slots = ini.per_owner - sum(i.owner is owner for i in self.running)
        out = []
        for pilot in [i for i in self.done if i.owner is owner and i.outcome == "succeeded" and not i.scale
                      and not i.scaled]:
            journeys = tuple(j for j in self.journeys_through(owner, pilot.target) if j not in pilot.journeys)
            if not journeys:
                pilot.scaled = True  # nothing to scale it to in this owner's scope
            elif len(out) < slots:
                cost = ini.pilot_cost * ini.scale_cost * self.model.size_scale
                out.append(Initiative(owner, pilot.target, journeys, True, cost, pilot.seen, pilot=pilot))
        busy = {(j, *i.target) for i in self.running for j in i.journeys} | set(self.factor)  # (journey, a, b)
        for (j, a, b), seen in self.observed(owner):
            if len(out) >= slots:
                break
            if (j, a, b) not in busy:
                out.append(Initiative(owner, (a, b), (j,), False, ini.pilot_cost * self.model.size_scale, seen))
        return out

    def observed(self, owner) -> list[tuple[tuple[int, int, int], float]]:
        """What the owner read of its scope's failures this quarter, noisy, worst first."""
        rng, sigma = self.model.rng, self.model.mech.initiatives.observation_noise
        counts: dict[tuple[int, int, int], float] = {}
        for (j, phase, a, b), n in sorted(self.seen.items()):
            if owner.covers(j, phase):
                counts[(j, a, b)] = counts.get((j, a, b), 0.0) + n
        noisy = {k: n * math.exp(sigma * rng.standard_normal()) for k, n in counts.items()}
        return sorted(noisy.items(), key=lambda kv: -kv[1])

    def journeys_through(self, owner, target: tuple[int, int]) -> list[int]:
        """The journeys in the owner's scope that cross the boundary (or visit the department)."""
        a, b = target
        out = []
        for j in self.model.structure.journeys:
            stages = j.stages
            pairs = {(s.dept, s.dept) for s in stages} if a == b else {
                (stages[i].dept, stages[i + 1].dept) for i in range(len(stages) - 1)}
            if (a, b) in pairs and any(owner.covers(j.index, s.phase) for s in stages):
                out.append(j.index)
        return out

    # ------------------------------------------------------ running
    def start(self, init: Initiative) -> None:
        """Staff the project; each department cooperates or resists; contested departments pick a side."""
        model = self.model
        ini = model.mech.initiatives
        init.start, init.end = model.day, model.day + int(ini.lead_days)
        init.departments = tuple(sorted(set(init.target)))
        contest = model.mech.governance.conflicting_directives  # the tug of war's switch
        for d in init.departments:
            dept = model.departments[d]
            for other in self.running if contest else ():
                if d in other.departments and other.owner is not init.owner:
                    loser = other if init.owner.authority[d] > other.owner.authority[d] else init
                    loser.cooperating = False
                    model.recorder.conflict()
            if model.random.random() >= responsibility.compliance(model, init.owner.authority[d], dept):
                init.cooperating = False
                model.governance.resisted(dept)
            dept.project += ini.staff_per_day
        self.running.append(init)

    def end_of_day(self) -> None:
        """End the initiatives due today; set what the running ones spend today [money/day]."""
        model = self.model
        ini = model.mech.initiatives
        for init in [i for i in self.running if i.end <= model.day]:
            self.finish(init)
        self.spent_today = sum(i.cost for i in self.running) / ini.lead_days

    def finish(self, init: Initiative) -> None:
        model, ini = self.model, self.model.mech.initiatives
        self.running.remove(init)
        self.done.append(init)
        for d in init.departments:
            model.departments[d].project -= ini.staff_per_day
        p = ini.scale_success_prob if init.scale else ini.success_prob
        if init.cooperating and model.random.random() < p:
            init.outcome = "succeeded"
            a, b = init.target
            for j in init.journeys:
                self.factor[(j, a, b)] = factor = self.factor.get((j, a, b), 1.0) * (1.0 - ini.effect)
                model.initiative_factor[factor_index(model, j, a, b)] = factor
        else:
            init.outcome = "failed"

    def table(self) -> list[dict]:
        model = self.model
        names = [d.name for d in model.departments]
        journeys = [j.name for j in model.structure.journeys]
        return [dict(owner=i.owner.name, role=i.owner.role, kind="scale-up" if i.scale else "pilot",
                     target=names[i.target[0]] if i.target[0] == i.target[1]
                     else f"{names[i.target[0]]} -> {names[i.target[1]]}",
                     journeys=", ".join(journeys[j] for j in i.journeys), start=i.start, end=i.end,
                     cost=i.cost, cooperating=i.cooperating, outcome=i.outcome, seen=i.seen)
                for i in self.done + self.running]
