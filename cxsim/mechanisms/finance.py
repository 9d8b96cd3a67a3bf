"""Money: revenue from active customers, what their product costs, the cost of serving them,
the cost of governing CX: an operating P&L.

The product's own cost (claims paid, network and interconnect) accrues per
active customer like revenue (`segments.*.annual_cost`), so a customer kept is
worth its margin, not its revenue.

Staff cost follows capacity, not use: a department costs its effective
capacity times its cost per unit of capacity every day. Cost-centre
departments are staffed from the service budget (`finance.service_budget`,
a share of configured capacity) rather than from demand (Seddon), which is
how the cost-centre trap can arise: a cut saves staff cost at once, while
the failure demand and churn it causes arrive later.
"""

from __future__ import annotations


def staffed_capacity(model, dept) -> float:
    """Capacity paid for: configured, or set by the service budget for cost centres."""
    factor = model.mech.finance.service_budget if dept.cost_centre else 1.0
    return dept.base_capacity * factor


def day(model, prospects_arrived: int, units_worked: float) -> dict:
    staff = sum(staffed_capacity(model, d) * d.cost_per_capacity for d in model.departments)
    variable = units_worked * model.mech.finance.cost_per_case
    revenue = model.recorder.active_value / 365.0
    product = model.recorder.active_cost / 365.0
    acquisition = prospects_arrived * model.org_params.acquisition_cost
    governance = model.governance.cost_per_day  # owners' CX time at their pay, and the regime's overhead
    return dict(
        revenue=revenue,
        product_cost=product,
        service_cost=staff + variable,
        acquisition_spend=acquisition,
        governance_cost=governance,
        profit=revenue - product - staff - variable - acquisition - governance,
    )
