"""Money: revenue from active customers, what their product costs, the cost of serving them,
the cost of governing CX and of its initiatives: an operating P&L.

The product's own cost (claims paid, network and interconnect) accrues per
active customer like revenue (`segments.*.annual_cost`), so a customer kept is
worth its margin, not its revenue.

Staff cost follows capacity, not use: a department costs the capacity it is
staffed for (`Department.funded`, a share of its configured capacity, set at
the start from `finance.service_budget` for cost centres and moved by the CFO's
budget round, `cxsim.mechanisms.budget`) times its cost per unit of capacity.
A department whose backlog is beyond today's capacity buys up to `overtime_max`
more (overtime, temps) at `overtime_premium`: this is how failure demand made
elsewhere shows in a department's cost, and what a cost-view CFO then cuts.
"""

from __future__ import annotations


def staffed_capacity(model, dept) -> float:
    """Capacity paid for: configured, times the staffing the budget round has left it."""
    return dept.base_capacity * dept.funded


def effective_capacity(model, dept) -> float:
    """Staffed capacity, stretched by the regime's efficiency pressure (faster handling)."""
    gain = model.mech.handoff.efficiency_capacity_gain * model.regime.efficiency_pressure
    return staffed_capacity(model, dept) * (1.0 + gain)


def overtime(model, capacity: float, shortfall: float) -> float:
    """Capacity bought today to work a backlog `shortfall` beyond today's capacity (none without one)."""
    if shortfall <= 0.0:
        return 0.0
    return min(shortfall, model.mech.finance.overtime_max * capacity)


def department_cost(model, dept) -> float:
    """Today's cost of a department: staff, overtime at its premium, and the cases it worked."""
    f = model.mech.finance
    staff = staffed_capacity(model, dept) * dept.cost_per_capacity
    extra = dept.overtime * dept.cost_per_capacity * f.overtime_premium
    return staff + extra + dept.worked * f.cost_per_case


def day(model, prospects_arrived: int) -> dict:
    """Today's P&L; each department's cost is also added to its quarter (the budget round reads it)."""
    service = 0.0
    for d in model.departments:
        cost = department_cost(model, d)
        d.quarter["cost"] += cost
        d.quarter["overtime"] += d.overtime
        service += cost
    revenue = model.recorder.active_value / 365.0
    product = model.recorder.active_cost / 365.0
    acquisition = prospects_arrived * model.org_params.acquisition_cost
    governance = model.governance.cost_per_day  # owners' CX time at their pay, and the regime's overhead
    initiatives = model.portfolio.spent_today  # what the running CX initiatives spend today
    return dict(
        revenue=revenue,
        product_cost=product,
        service_cost=service,
        acquisition_spend=acquisition,
        governance_cost=governance,
        initiative_cost=initiatives,
        profit=revenue - product - service - acquisition - governance - initiatives,
    )
