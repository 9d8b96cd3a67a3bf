"""Governance: owners, escalated exceptions, and the weekly boundary review.

The regime's owners are `Owner` agents. Two processes use their attention
(decisions per day):

* Exceptions (Galbraith 1974; Jin & Levitt 1996): a handoff that needs a
  decision neither department owns goes to the owner whose scope covers it.
  The owner decides a few a day; the rest wait, and after `timeout_days` are
  decided locally. An owner's decision is right with probability `judgement`
  (the person, not the title: seed 000) and is carried out when the receiving
  department complies (`cxsim.mechanisms.responsibility.compliance`); a local decision is
  right when someone in the responsible pool acts (diffusion of
  responsibility), else by chance (`local_default_right`).
* Boundary review (every `review_every_days`): friction at every boundary
  drifts up (neglect). Each owner spends the attention left from exceptions
  on fixing the boundaries where it saw the most failures; a fix takes hold
  when both departments comply, and a resisted directive costs the resisting
  department capacity ("noise"). Departments also fix boundaries they see
  failing, subject to diffusion of responsibility.
"""

from __future__ import annotations

from collections import deque

import mesa
import numpy as np

from cxsim.config.schema import PHASES
from cxsim.mechanisms import handoff, responsibility


class Owner(mesa.Agent):
    """An executive (or journey lead) who owns CX over part of the organisation."""

    def __init__(self, model, name: str, role: str, attention: float, authority: np.ndarray,
                 scope_phases: set[int], scope_journeys: set[int] | None,
                 culture_signal: float, cost_per_day: float, judgement: float = 1.0):
        super().__init__(model)
        self.name = name
        self.role = role
        self.attention = attention  # CX decisions per day
        self.authority = authority  # per department, 0..1, backing included
        self.scope_phases = scope_phases
        self.scope_journeys = scope_journeys  # None: every journey
        self.culture_signal = culture_signal
        self.cost_per_day = cost_per_day
        self.judgement = judgement  # P(an escalated decision is right): decision quality, not volume
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


class Governance:
    def __init__(self, model):
        self.model = model
        self.owners: list[Owner] = []
        self.site_owners: dict[tuple[int, int], list[Owner]] = {}
        self.failures_this_week: dict[tuple[int, int], int] = {}

    # ------------------------------------------------------------ set-up
    def install(self, regime) -> None:
        """Appoint the regime's owners (replacing any previous ones)."""
        model = self.model
        for owner in self.owners:
            for _, customer, a, b in owner.exceptions:  # a reorg: pending cases go back to the silos
                handoff.cross(model, customer, a, b, decided_right=self.decide_locally(a, b))
            owner.remove()
        self.owners = []
        journeys = {j.name: j.index for j in model.structure.journeys}
        for name, o in regime.owners.items():
            scope = None if "*" in o.scope_journeys else {journeys[j] for j in o.scope_journeys}
            self.owners.append(Owner(
                model, name, o.role, float(o.attention),
                self.authority_vector(o.authority, o.backing),
                {PHASES.index(p) for p in o.scope_phases}, scope,
                float(o.culture_signal), float(o.cost_per_day), float(o.judgement)))
        jl = regime.journey_leads
        if jl.enabled:
            for j in model.structure.journeys:
                auth = np.zeros(len(model.departments))
                for s in j.stages:
                    auth[s.dept] = jl.authority_team
                auth[j.lead] = jl.authority_own
                self.owners.append(Owner(
                    model, f"{j.name}_lead", f"journey lead ({model.departments[j.lead].name})",
                    float(jl.attention), auth, set(range(len(PHASES))), {j.index},
                    float(jl.culture_signal), float(jl.cost_per_day), float(jl.judgement)))
        self.site_owners = {
            (j.index, ph): [o for o in self.owners if o.covers(j.index, ph)]
            for j in model.structure.journeys for ph in range(len(PHASES))
        }

    def authority_vector(self, authority, backing: float) -> np.ndarray:
        """Authority per department: by name, else by function, else '*'."""
        default = authority.get("*", 0.0)
        return np.array([
            backing * authority.get(d.origin, authority.get(d.function, default))
            for d in self.model.departments
        ])

    @property
    def cost_per_day(self) -> float:
        return sum(o.cost_per_day for o in self.owners) + self.model.regime.overhead_per_day

    # ---------------------------------------------------------- exceptions
    def escalate(self, customer, a: int, b: int) -> bool:
        """Queue the exception with the covering owner with most authority over b."""
        stage = customer.journey.stages[customer.stage + 1]
        owners = self.site_owners[(customer.journey.index, stage.phase)]
        if not owners:
            return False
        owner = max(owners, key=lambda o: o.authority[b])
        owner.exceptions.append((self.model.day, customer, a, b))
        self.model.recorder.escalated()
        return True

    def decide_locally(self, a: int, b: int) -> bool:
        model = self.model
        if model.random.random() < model.p_local[a][b]:
            return True
        return model.random.random() < model.mech.escalation.local_default_right

    def attend(self, owner: Owner) -> None:
        model = self.model
        today, queue = model.day, owner.exceptions
        timeout = model.mech.escalation.timeout_days
        while queue and today - queue[0][0] >= timeout:
            _, customer, a, b = queue.popleft()
            model.recorder.timed_out()
            handoff.cross(model, customer, a, b, decided_right=self.decide_locally(a, b))
        budget = owner.attention + owner.carry
        while queue and budget >= 1.0:
            budget -= 1.0
            day, customer, a, b = queue.popleft()
            model.recorder.decided(today - day)
            receiver = model.departments[b]
            complied = model.random.random() < responsibility.compliance(model, owner.authority[b], receiver)
            # a wrong call is carried out like a right one and fails the handoff; perfect judgement draws nothing
            right = owner.judgement >= 1.0 or model.random.random() < owner.judgement
            handoff.settle(model, customer, a, b, complied and right)  # the owner sees a right, obeyed call through
        if queue:
            owner.carry = budget
        else:
            owner.carry = 0.0
            owner.spare += budget

    def notice_failure(self, journey: int, phase: int, a: int, b: int) -> None:
        key = (a, b)
        self.failures_this_week[key] = self.failures_this_week.get(key, 0) + 1
        for owner in self.site_owners[(journey, phase)]:
            owner.seen[key] = owner.seen.get(key, 0) + 1

    # -------------------------------------------------------- weekly review
    def review(self) -> None:
        """Neglect raises friction; owners and departments fix what they saw fail."""
        model = self.model
        h, g = model.mech.handoff, model.mech.governance
        friction = model.friction
        n = len(friction)
        for a in range(n):
            row = friction[a]
            for b in range(n):
                row[b] += h.neglect_drift * (h.friction_max - row[b])
        for d in model.departments:
            d.noise = 0.0
        for owner in model.random.sample(self.owners, len(self.owners)):
            n_fixes = int(owner.spare // g.fix_cost)
            owner.spare = 0.0
            worst = sorted(owner.seen.items(), key=lambda kv: (-kv[1], kv[0]))[:n_fixes]
            owner.seen.clear()
            for (a, b), _ in worst:
                self.directive(owner, a, b)
        for (a, b) in sorted(self.failures_this_week):
            if model.random.random() < g.local_fix_rate * model.p_local[a][b]:
                self.fix(a, b)
        self.failures_this_week.clear()

    def directive(self, owner: Owner, a: int, b: int) -> None:
        """An owner orders a boundary fixed; each department complies or resists."""
        model = self.model
        resisted = False
        for d in (a, b):
            dept = model.departments[d]
            if model.random.random() >= responsibility.compliance(model, owner.authority[d], dept):
                dept.noise += model.mech.governance.directive_noise / model.mech.governance.review_every_days
                resisted = True
        model.recorder.directive(resisted)
        if not resisted:
            self.fix(a, b)

    def fix(self, a: int, b: int) -> None:
        self.model.friction[a][b] *= 1.0 - self.model.mech.governance.fix_effect
        self.model.recorder.fixed()
