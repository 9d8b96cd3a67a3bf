"""The CFO's budget round (seed 003: "Does the CFO treat customer service as a cost center?").

Every `budget_round_days` (a quarter) finance reads each department's books for
the quarter: its cost (staff, overtime at its premium, the cases worked:
`cxsim.mechanisms.finance`), its workload in capacity units and the part of it
that was failure demand. It sets each department's budget for the next quarter
and, for the departments the org marks `cost_centre`, their staffing (capacity
paid for, as a share of the configured capacity). `cfo_view` says how it reads
a cost centre:

* `cost`: the cost centre's budget is last round's less `efficiency_target`
  (the yearly saving a cost centre is asked for); a cost centre that spent more
  than its budget is cut by its overspend (staffing x budget / cost, at most
  `max_cut` in one round); one that spent less keeps its staff and the saving.
  The workload is read one way only: staff a cost centre no longer needs (its
  workload at `target_utilisation` wants fewer) are cut, within `max_cut` a
  round, so failure demand removed becomes money; staff it needs are never
  added: it is staffed from the budget, not from demand (Seddon 2003: the
  cost-centre rule forbids following demand upward). (`cut_overspend: false`
  trims staff by the efficiency target alone, the quarter's cost unread: the
  loop's feedback removed.) Failure demand made elsewhere lands on the front line, shows
  as overtime and overspends the budget; the cut makes waiting, chasing and
  unsettled contacts, more failure demand, more overtime, another cut: the
  cost-centre spiral, which nothing here writes in.
* `value`: the CFO funds the cost centre's workload at `target_utilisation`
  (staffing moves at most `max_cut` a round) and charges the failure-demand part
  of its cost to the departments that caused it (each failed handoff to both
  sides of the boundary, each unsettled contact to the department that left it;
  the charge is recorded under every view, acted on only under this one);
  `value_reinvest` of that charge goes to the initiative fund: the fixes.
* `none`: the CFO does not act: the books are closed and the fund set, but
  staffing stays where it started.

The first round only sets the budgets (the baseline quarter). Every round sets
the quarter's initiative fund (`initiative_fund`, scaled with the firm's size,
plus the value view's reinvested charge; `cxsim.mechanisms.initiatives`), and
writes one row per department to the budget table.
"""

from __future__ import annotations

from cxsim.mechanisms import finance
from cxsim.mechanisms.contract import Mechanism


class Budget(Mechanism):
    """Finance's books per department, one quarter at a time."""

    name = "budget"

    def __init__(self, model):
        super().__init__(model)
        self.budgets: list[float | None] = [None] * len(model.departments)  # per quarter [money]
        self.backlog = [0.0] * len(model.departments)  # queued work at the last round [capacity units]
        self.caused = [0.0] * len(model.departments)  # failures this quarter each department had a part in
        self.rows: list[dict] = []
        self.round = 0

    def heard_failure(self, journey: int, phase: int, a: int, b: int) -> None:
        """A failure to charge: a failed handoff to both sides of the boundary, an unsettled contact to its
        department."""
        if a == b:
            self.caused[a] += 1.0
        else:
            self.caused[a] += 0.5
            self.caused[b] += 0.5

    def quarter(self) -> None:
        """The budget round: read each department's quarter, set budgets, staffing and the initiative fund."""
        model = self.model
        f = model.mech.finance
        days = f.budget_round_days
        charges = self.failure_charges()
        reinvest = f.value_reinvest * sum(charges) if f.cfo_view == "value" else 0.0
        for d in model.departments:
            budget = self.budgets[d.index]
            self.record(d, budget, charges[d.index], days)
            if f.cfo_view == "none" or not d.cost_centre or budget is None:
                self.budgets[d.index] = d.quarter["cost"]  # a profit centre's budget follows what it spends,
                # and the first round only sets the baseline (the quarter the model started empty in)
            elif f.cfo_view == "cost":
                self.budgets[d.index] = self.cut(d, budget, days)
            else:
                self.budgets[d.index] = self.fund_workload(d, days)
            self.backlog[d.index] = len(d.queue) * d.case_work
            d.quarter = dict.fromkeys(d.quarter, 0.0)
        model.portfolio.fund = f.initiative_fund * model.size_scale + reinvest
        self.caused = [0.0] * len(model.departments)
        self.round += 1

    def cut(self, dept, budget: float, days: int) -> float:
        """The cost view: next quarter's budget is this one less the efficiency target; an
        overspend comes off the headcount."""
        f = self.model.mech.finance
        cost = dept.quarter["cost"]
        trim = f.efficiency_target * days / 365.0
        target = budget * (1.0 - trim)
        before = dept.funded
        if not f.cut_overspend:  # the ablation: staff follow the budget's trim, the quarter's cost is not read
            dept.funded *= 1.0 - trim
        elif cost > target > 0.0:
            dept.funded *= max(1.0 - f.max_cut, target / cost)
        needed = self.needed_funding(dept, days)
        if needed is not None and needed < dept.funded:  # idle staff go (within max_cut); none are added
            dept.funded = max(needed, before * (1.0 - f.max_cut))
        return target

    def needed_funding(self, dept, days: int) -> float | None:
        """The funded share the quarter's demand (work done plus backlog grown) needs at the target utilisation;
        None for a department with no staff to scale."""
        model, f = self.model, self.model.mech.finance
        if dept.funded <= 0:
            return None
        per_unit = finance.effective_capacity(model, dept) / dept.funded  # capacity per unit of staffing
        if per_unit <= 0:
            return None
        demand = dept.quarter["units"] + len(dept.queue) * dept.case_work - self.backlog[dept.index]
        return demand / days / f.target_utilisation / per_unit

    def fund_workload(self, dept, days: int) -> float:
        """The value view: staff for the quarter's demand (work done plus backlog grown) at the target
        utilisation, within `max_cut` of today's staffing either way; the budget is what that costs."""
        f = self.model.mech.finance
        before = dept.funded
        wanted = self.needed_funding(dept, days)
        if wanted is not None:
            dept.funded = min(max(wanted, before * (1.0 - f.max_cut)), before * (1.0 + f.max_cut))
        return dept.quarter["cost"] * (dept.funded / before if before > 0 else 1.0)

    def failure_charges(self) -> list[float]:
        """The failure-demand cost of the cost centres, shared among the departments whose failures caused it."""
        depts = self.model.departments
        total = sum(d.quarter["cost"] * d.quarter["failure_units"] / d.quarter["units"]
                    for d in depts if d.cost_centre and d.quarter["units"] > 0)
        caused = sum(self.caused)
        return [total * c / caused if caused else 0.0 for c in self.caused]

    def record(self, dept, budget: float | None, charged: float, days: int) -> None:
        q = dept.quarter
        self.rows.append(dict(
            day=self.model.day, quarter=self.round, department=dept.name, cost_centre=dept.cost_centre,
            staffing=dept.funded, capacity=finance.effective_capacity(self.model, dept),
            cost=q["cost"], budget=budget, overtime_per_day=q["overtime"] / days,
            workload_per_day=q["units"] / days,
            failure_demand_share=q["failure_units"] / q["units"] if q["units"] else 0.0,
            failure_cost_charged=charged, cfo_view=self.model.mech.finance.cfo_view,
        ))
