"""Who acts on a defect: alignment, compliance and diffusion of responsibility.

* Alignment (Rivkin & Siggelkow 2003): a department works for the journey
  when its KPIs reward journey outcomes or its culture is customer-oriented:
  ``align = 1 - (1 - strength * journey_kpi) * (1 - culture)``, with the
  department's journey-KPI weight set by its owners (`governance.Governance.set_kpis`).
* Compliance: a department carries out an owner's decision when the owner
  has authority over it, or, without authority, when persuasion works on an
  aligned department: ``comply = authority + (1 - authority) * persuasion * align``.
* Diffusion (Darley & Latane 1968): when k departments are responsible for the
  same defect, each acts with probability ``p * align / k**beta``, so
  ``P(anyone acts) = 1 - prod(1 - p * align_d / k**beta)``. With beta = 0 each
  acts as if alone and a larger pool only helps.
"""

from __future__ import annotations


def alignment(model, dept) -> float:
    kpi = model.mech.accountability.strength * dept.journey_kpi
    return 1.0 - (1.0 - min(kpi, 1.0)) * (1.0 - dept.culture)


def compliance(model, authority: float, dept) -> float:
    persuasion = model.mech.governance.persuasion
    return authority + (1.0 - authority) * persuasion * alignment(model, dept)


def responsible_pool(model, a: int, b: int) -> list:
    """Departments that count a defect at boundary (a, b) as theirs."""
    if model.regime.shared_responsibility:
        return model.departments
    return [model.departments[a], model.departments[b]] if a != b else [model.departments[a]]


def p_anyone_acts(model, a: int, b: int) -> float:
    pool = responsible_pool(model, a, b)
    d = model.mech.diffusion
    scale = d.act_prob / len(pool) ** d.beta
    p_none = 1.0
    for dept in pool:
        p_none *= 1.0 - min(scale * alignment(model, dept), 1.0)
    return 1.0 - p_none


def p_anyone_matrix(model) -> list[list[float]]:
    """P(anyone acts) for every boundary; recomputed when culture or regime change."""
    n = len(model.departments)
    return [[p_anyone_acts(model, a, b) for b in range(n)] for a in range(n)]
