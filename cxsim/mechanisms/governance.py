"""Governance: owners, escalated exceptions, and the weekly boundary review.

The regime's owners are `Owner` agents; an owner may have a deputy (seed 000:
the CEO owns CX, a CX lead runs it day to day). Their attention (decisions per
day) goes to two processes, and costs money either way:

* Exceptions (Galbraith 1974; Jin & Levitt 1996): a handoff that needs a
  decision neither department owns goes to the owner whose scope covers it
  (the one with most authority over the receiving department). The owner
  triages the queue by what is at stake (the customer's value, a moment of
  truth, days waiting) and decides the most pressing; the deputy, at a share
  of the owner's authority, decides the next; the rest wait, and after
  `timeout_days` are decided locally. A decision is right with probability
  `judgement` (the person, not the title: seed 000) and is carried out when
  the receiving department complies (`responsibility.compliance`); the case
  then crosses the boundary with its usual friction. A local decision is
  right when someone in the responsible pool acts (diffusion of
  responsibility), else by chance (`local_default_right`).
* Boundary review (every `review_every_days`): friction at every boundary
  drifts up (neglect). Each owner keeps a share `review_share` of its
  attention for the review, plus whatever the queue left, and orders fixes
  at the boundaries where it saw the most failures. A fix takes hold when
  both departments comply and removes a share of the friction above the
  floor (diminishing returns); a resisted directive costs the resisting
  department capacity ("noise"). When owners with different scopes order
  the same boundary in the same week, each department follows the one with
  more authority over it; if they follow different owners the directives
  conflict: no fix, and both departments pay the noise (the tug of war of
  seeds 001 and 004). Departments also fix boundaries they see failing,
  subject to diffusion of responsibility.

Price: an owner's CX attention is a share of its working day (attention x
`hours_per_decision` / `workday_hours`), paid at its role's yearly pay: one
rule for a CEO, a COO, a CXO or a journey lead.
"""

from __future__ import annotations

import numpy as np

from cxsim.config.schema import PHASES
from cxsim.mechanisms import handoff, responsibility
from cxsim.mechanisms.contract import Mechanism
from cxsim.mesa_import import mesa  # Mesa, without its decorators' reading of the stack's source


class Owner(mesa.Agent):
    """An executive (or journey lead, or an owner's deputy) who owns CX over part of the organisation."""

    def __init__(self, model, name: str, role: str, attention: float, authority: np.ndarray,
                 backing: float, scope_phases: set[int], scope_journeys: set[int] | None,
                 culture_signal: float, pay_per_year: float, judgement: float = 1.0):
        super().__init__(model)
        self.name = name
        self.role = role
        self.attention = attention  # CX decisions per day
        self.authority = authority  # per department, 0..1, backing included
        self.backing = backing  # the CEO's backing: scales persuasion and culture influence
        self.scope_phases = scope_phases
        self.scope_journeys = scope_journeys  # None: every journey
        self.culture_signal = culture_signal
        self.influence = np.zeros(len(authority))  # pull on each department's culture (set by Governance)
        self.pay_per_year = pay_per_year
        self.judgement = judgement  # P(an escalated decision is right): decision quality, not volume
        self.exceptions: list = []  # (day, stake, customer, from_dept, to_dept)
        self.carry = 0.0  # a fraction of a decision carried to tomorrow
        self.fix_budget = 0.0  # attention saved for boundary fixes [decisions]
        self.seen: dict[tuple[int, int], int] = {}  # failures seen per boundary this week
        self.deputy: Owner | None = None
        self.principal: Owner | None = None  # set on a deputy

    def covers(self, journey: int, phase: int) -> bool:
        return phase in self.scope_phases and (
            self.scope_journeys is None or journey in self.scope_journeys)

    @property
    def time_share(self) -> float:
        """The share of its working day the owner gives CX: what it is paid for, and what people see."""
        g = self.model.mech.governance
        return min(1.0, self.attention * g.hours_per_decision / g.workday_hours)

    @property
    def cost_per_day(self) -> float:
        """The share of the working day CX takes, at the role's pay [money/day]."""
        return self.time_share * self.pay_per_year / 365.0

    def attend(self) -> None:
        """Decide today's escalated exceptions (a deputy works its owner's queue)."""
        if self.principal is None:
            self.model.governance.attend(self)


class Governance(Mechanism):
    """The regime's owners: installed with a regime, deciding escalations each day, reviewing weekly,
    watching the failures at the boundaries they own."""

    name = "governance"

    def __init__(self, model):
        super().__init__(model)
        self.owners: list[Owner] = []  # owners and their deputies
        self.site_owners: dict[tuple[int, int], list[Owner]] = {}
        self.failures_this_week: dict[tuple[int, int], int] = {}
        segments = model.segments
        self.mean_value = sum(s.share * s.annual_value for s in segments) or 1.0

    # ------------------------------------------------------------ set-up
    def install(self, regime, reorg: bool) -> None:
        """Appoint the regime's owners (replacing any previous ones) and set the KPIs they impose."""
        model = self.model
        for owner in self.owners:
            for _, _, customer, a, b in owner.exceptions:  # a reorg: pending cases go back to the silos
                handoff.cross(model, customer, a, b, decided_right=self.decide_locally(a, b))
            owner.remove()
        self.owners = []
        journeys = {j.name: j.index for j in model.structure.journeys}
        for name, o in regime.owners.items():
            scope = None if "*" in o.scope_journeys else {journeys[j] for j in o.scope_journeys}
            owner = Owner(model, name, o.role, float(o.attention),
                          float(o.backing) * self.standing(o.authority), float(o.backing),
                          {PHASES.index(p) for p in o.scope_phases}, scope,
                          float(o.culture_signal), self.pay(o.role), float(o.judgement))
            self.owners.append(owner)
            if o.deputy.role is not None:
                self.appoint_deputy(owner, o.deputy)
        if regime.journey_leads.enabled:
            self.appoint_journey_leads(regime.journey_leads)
        if regime.shared_responsibility and model.mech.governance.forum:
            self.convene_forum()
        principals = [o for o in self.owners if o.principal is None]
        self.site_owners = {
            (j.index, ph): [o for o in principals if o.covers(j.index, ph)]
            for j in model.structure.journeys for ph in range(len(PHASES))
        }
        self.set_influence()
        self.set_kpis(regime)

    def set_influence(self) -> None:
        """Each owner's pull on each department's culture (cxsim.mechanisms.culture): its authority,
        or persuasion where it has none, scaled by the CEO's backing, times the share of its time it
        visibly gives CX (Schein: culture follows what leaders pay attention to). A deputy speaks
        for its owner: it carries the owner's signal with its own authority and time."""
        persuasion = self.model.mech.governance.persuasion
        for owner in self.owners:
            reach = owner.authority + (1.0 - owner.authority) * persuasion * owner.backing
            owner.influence = reach * owner.time_share

    def appoint_deputy(self, owner: Owner, spec) -> None:
        """A deputy decides with a share of its owner's authority, over the owner's scope, and speaks
        with its owner's culture signal."""
        deputy = Owner(self.model, f"{owner.name}_deputy", spec.role, float(spec.attention),
                       owner.authority * self.model.mech.governance.deputy_authority, owner.backing,
                       owner.scope_phases, owner.scope_journeys, owner.culture_signal, self.pay(spec.role),
                       float(spec.judgement))
        deputy.principal, owner.deputy = owner, deputy
        self.owners.append(deputy)

    def appoint_journey_leads(self, jl) -> None:
        """Journey teams (seed 001): the head of each journey's lead department owns that journey."""
        model = self.model
        for j in model.structure.journeys:
            auth = np.zeros(len(model.departments))
            for s in j.stages:
                auth[s.dept] = jl.authority_team
            auth[j.lead] = jl.authority_own
            lead = Owner(model, f"{j.name}_lead", f"journey lead ({model.departments[j.lead].name})",
                         float(jl.attention), auth, 1.0, set(range(len(PHASES))), {j.index},
                         float(jl.culture_signal), self.pay("journey_lead"), float(jl.judgement))
            self.owners.append(lead)

    def convene_forum(self) -> None:
        """Where everyone owns CX, the department heads coordinate in a weekly forum (the price list's
        "coordinating"): its decisions and fixes bind a department only when all k heads agree
        (consensus^(k-1), the forum's authority, the same compliance rule as an owner's); its time is k heads'
        `forum_hours_per_week`, priced at their pay like any owner's; what it decides in a day is that time
        over `hours_per_decision`; its culture signal is the departments' own mean orientation (peers, no
        leader's signal beyond it), and its journey KPIs follow from its authority as any owner's do."""
        model, g = self.model, self.model.mech.governance
        k = len(model.departments)
        authority = np.full(k, g.consensus ** (k - 1))
        signal = float(np.mean([d.native_culture for d in model.departments]))
        forum = Owner(model, "forum", "department heads' forum", g.forum_hours_per_week / 7.0 / g.hours_per_decision,
                      authority, 1.0, set(range(len(PHASES))), None, signal, k * self.pay("department_head"))
        self.owners.append(forum)

    def standing(self, authority) -> np.ndarray:
        """Authority per department as configured: by name, else by function, else `others` (or '*')."""
        default = authority.get("others", authority.get("*", 0.0))
        return np.array([authority.get(d.origin, authority.get(d.function, default))
                         for d in self.model.departments])

    def pay(self, role: str) -> float:
        """Yearly pay of a role: the org's figure, else the mechanisms' default (validated to exist)."""
        model = self.model
        own = model.cfg.org.executive_pay
        return float(own[role] if role in own else model.mech.governance.executive_pay[role])

    def set_kpis(self, regime) -> None:
        """Each department's journey-KPI weight: a lever if set, else the most any owner (by its
        authority over the department and the share of the department's stages it owns) or the
        regime itself puts on journey outcomes."""
        model = self.model
        lever = model.cfg.levers.journey_kpi
        base = regime.journey_kpi or 0.0
        weight = model.mech.accountability.owner_kpi
        stages = [(j.index, s.dept, s.phase) for j in model.structure.journeys for s in j.stages]
        for d in model.departments:
            if lever is not None:
                d.journey_kpi = float(lever)
                continue
            own = [(j, ph) for j, dept, ph in stages if dept == d.index]
            kpi = base
            for o in self.owners:
                if o.principal is None and own:
                    covered = sum(o.covers(j, ph) for j, ph in own) / len(own)
                    kpi = max(kpi, weight * o.authority[d.index] * covered)
            d.journey_kpi = kpi

    @property
    def cost_per_day(self) -> float:
        return sum(o.cost_per_day for o in self.owners) + self.model.regime.overhead_per_day

    # ---------------------------------------------------------- exceptions
    def escalate(self, customer, a: int, b: int) -> bool:
        """Queue the exception, with what is at stake, for the covering owner with most authority over b."""
        stage = customer.journey.stages[customer.stage + 1]
        owners = self.site_owners[(customer.journey.index, stage.phase)]
        if not owners:
            return False
        owner = owners[0] if len(owners) == 1 else most_authority(owners, b)
        model = self.model
        stake = customer.segment.annual_value / self.mean_value
        if stage.moment_of_truth:
            stake *= model.moment_of_truth_weight  # `mechanisms.customer.moment_of_truth_weight`
        owner.exceptions.append((model.day, stake, customer, a, b))
        model.recorder.escalated()
        return True

    def decide_locally(self, a: int, b: int) -> bool:
        model = self.model
        if model.random.random() < model.p_local[a][b]:
            return True
        return model.random.random() < model.mech.escalation.local_default_right

    def attend(self, owner: Owner) -> None:
        """Time out what waited too long, triage the rest, let the owner then its deputy decide."""
        model = self.model
        today, timeout = model.day, model.mech.escalation.timeout_days
        waiting = []
        for case in owner.exceptions:
            if today - case[0] >= timeout:
                _, _, customer, a, b = case
                model.recorder.timed_out()
                handoff.cross(model, customer, a, b, decided_right=self.decide_locally(a, b))
            else:
                waiting.append(case)
        order_queue(waiting, today, timeout, model.mech.governance.triage)
        for office in (owner, owner.deputy):
            if office is not None:
                self.decide(office, waiting)
        owner.exceptions = waiting

    def decide(self, office: Owner, queue: list) -> None:
        """Spend one day's attention on the queue; keep `review_share` and what is left for fixes."""
        model = self.model
        share = model.mech.governance.review_share
        budget = office.attention * (1.0 - share) + office.carry
        office.fix_budget += office.attention * share
        while queue and budget >= 1.0:
            budget -= 1.0
            day, _, customer, a, b = queue.pop()
            model.recorder.decided(model.day - day)
            receiver = model.departments[b]
            complied = model.random.random() < responsibility.compliance(model, office.authority[b], receiver)
            # a wrong call is carried out like a right one and fails the handoff; perfect judgement draws nothing
            right = office.judgement >= 1.0 or model.random.random() < office.judgement
            handoff.cross(model, customer, a, b, decided_right=complied and right)
        if queue:
            office.carry = budget
        else:
            office.carry = 0.0
            office.fix_budget += budget

    def end_of_day(self) -> None:
        """The owners decide today's escalated exceptions."""
        for owner in self.owners:
            owner.attend()

    def heard_failure(self, journey: int, phase: int, a: int, b: int) -> None:
        """A failed handoff counts toward the week's review (a contact left unsettled inside a
        department is the department's own: no owner reviews it)."""
        if a == b:
            return
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
        conflicts = model.mech.governance.conflicting_directives
        for boundary, offices in self.orders().items():
            principals = {o.principal or o for o in offices}
            if conflicts and len(principals) > 1:
                self.tug_of_war(offices, *boundary)
            else:
                self.directive(offices[0], *boundary)
        for (a, b) in sorted(self.failures_this_week):
            if model.random.random() < g.local_fix_rate * model.p_local[a][b]:
                self.local_fix(a, b)
        self.failures_this_week.clear()

    def local_fix(self, a: int, b: int) -> None:
        """Someone responsible acted: one of the boundary's two departments (the more aligned, more often)
        starts a fix, and the other cooperates as it would with an owner who has no authority over it
        (`responsibility.compliance` at authority 0): a department not at the boundary can push, not fix."""
        model = self.model
        if a == b:
            self.fix(a, b)
            return
        pa, pb = (responsibility.alignment(model, model.departments[d]) for d in (a, b))
        other = b if model.random.random() * (pa + pb) < pa or pa + pb == 0 else a  # the side that did not start it
        if model.random.random() < responsibility.compliance(model, 0.0, model.departments[other]):
            self.fix(a, b)

    def orders(self) -> dict[tuple[int, int], list[Owner]]:
        """The boundaries each owner (then its deputy) orders fixed this week: as many of the
        worst it saw as its fix budget pays for; a budget not spent this week is lost."""
        fix_cost = self.model.mech.governance.fix_cost
        orders: dict[tuple[int, int], list[Owner]] = {}
        principals = [o for o in self.owners if o.principal is None]
        for owner in self.model.random.sample(principals, len(principals)):
            office = [o for o in (owner, owner.deputy) if o is not None]
            fixes = []
            for o in office:
                n = int(o.fix_budget // fix_cost)
                o.fix_budget -= n * fix_cost
                fixes += [o] * n
            worst = sorted(owner.seen.items(), key=lambda kv: (-kv[1], kv[0]))[:len(fixes)]
            owner.seen.clear()
            for ((a, b), _), o in zip(worst, fixes):
                orders.setdefault((a, b), []).append(o)
        return orders

    def tug_of_war(self, offices: list[Owner], a: int, b: int) -> None:
        """Rival owners order the same boundary: each department follows the one with more authority
        over it; if they follow different owners, neither directive holds and both pay the noise."""
        model = self.model
        follow = {d: most_authority(offices, d) for d in (a, b)}
        if follow[a] is follow[b]:
            self.directive(follow[a], a, b)
            return
        for d in {a, b}:
            self.resisted(model.departments[d])
        for _ in offices:
            model.recorder.directive(resisted=True)
        model.recorder.conflict()

    def directive(self, owner: Owner, a: int, b: int) -> None:
        """An owner orders a boundary fixed; each department complies or resists."""
        model = self.model
        resisted = False
        for d in (a, b):
            dept = model.departments[d]
            if model.random.random() >= responsibility.compliance(model, owner.authority[d], dept):
                self.resisted(dept)
                resisted = True
        model.recorder.directive(resisted)
        if not resisted:
            self.fix(a, b)

    def resisted(self, dept) -> None:
        """A department that resists a directive loses capacity over the coming week ("noise")."""
        g = self.model.mech.governance
        dept.noise += g.directive_noise / g.review_every_days

    def fix(self, a: int, b: int) -> None:
        """A fix removes a share of the friction above the floor: the cleaner a boundary, the less a fix gains.
        Whoever ordered it, it takes `fix_work` cases of work from each of the two departments over the week."""
        h, g = self.model.mech.handoff, self.model.mech.governance
        for d in {a, b}:
            self.model.departments[d].noise += g.fix_work / g.review_every_days
        f = self.model.friction[a][b]
        if f > h.friction_floor:
            self.model.friction[a][b] = h.friction_floor + (f - h.friction_floor) * (1.0 - g.fix_effect)
        self.model.recorder.fixed()


def most_authority(owners: list[Owner], d: int) -> Owner:
    """The owner with most authority over department d (the first of equals, as `max` takes)."""
    best = owners[0]
    for owner in owners[1:]:
        if owner.authority[d] > best.authority[d]:
            best = owner
    return best


def order_queue(waiting: list, today: int, timeout, triage: bool) -> None:
    """Most pressing last, so `pop()` takes it: what is at stake, growing with the wait (triage);
    else the oldest (the ablation: first come, first served). A stable sort on keys computed once."""
    keys = []
    for case in waiting:
        day, stake = case[0], case[1]
        keys.append(stake * (1.0 + (today - day) / timeout) if triage else -day)
    waiting[:] = [waiting[i] for i in sorted(range(len(keys)), key=keys.__getitem__)]
