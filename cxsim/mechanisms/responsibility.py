"""Who acts on a defect: alignment, compliance and diffusion of responsibility.

* Alignment (Rivkin & Siggelkow 2003): a department works for the journey
  when its KPIs reward journey outcomes or its culture is customer-oriented:
  ``align = 1 - (1 - strength * journey_kpi) * (1 - culture)``, with the
  department's journey-KPI weight set by its owners (`governance.Governance.set_kpis`).
* Compliance: a department carries out an owner's decision when the owner
  has authority over it, or, without authority, when persuasion works on an
  aligned department: ``comply = authority + (1 - authority) * persuasion * align``.
* Diffusion of responsibility: when k departments are responsible for the same
  defect, the chance that *anyone* acts falls with k. Fitted at the level the
  model uses it, on real groups (Latane & Darley 1968: 75% of people alone
  reported the smoke, 38% of three-person groups):
  ``P(anyone acts) = mean(p * align_d) / k**gamma`` (level `group`). The
  alternative fits each member's own rate to recorded bystanders (Darley &
  Latane 1968) and treats the members as independent:
  ``1 - prod(1 - p * align_d / k**beta)`` (level `individual`), which rises with
  k for beta < 1. Level `none` (the ablation): a pool acts as one department,
  ``mean(p * align_d)``.
* Cohesion (Levine & Crowther 2008; Rutkowski et al. 1983): a pool that shares a
  team's identity (the departments of a journey team, `team_pool`) acts like
  independent individuals who each feel responsible, ``1 - prod(1 - p * align_d)``,
  to the extent `cohesion`; so in a team more members help, in a crowd they hurt.
"""

from __future__ import annotations


def alignment(model, dept) -> float:
    kpi = model.mech.accountability.strength * dept.journey_kpi
    return 1.0 - (1.0 - min(kpi, 1.0)) * (1.0 - dept.culture)


def compliance(model, authority: float, dept) -> float:
    persuasion = model.mech.governance.persuasion
    return authority + (1.0 - authority) * persuasion * alignment(model, dept)


def responsible_pool(model, a: int, b: int) -> tuple[list, bool]:
    """Departments that count a defect at boundary (a, b) as theirs, and whether they share a team's identity:
    the boundary's two departments; every department under shared responsibility; under journey teams, the
    departments of every team whose journey crosses the boundary (a team, with its identity)."""
    depts = model.departments
    if model.regime.shared_responsibility:
        return depts, False
    if model.regime.journey_leads.enabled:
        team = {s.dept for j in model.structure.journeys if {a, b} <= {s.dept for s in j.stages} for s in j.stages}
        if team:
            return [depts[d] for d in sorted(team)], True
    return ([depts[a], depts[b]] if a != b else [depts[a]]), False


def readiness(model) -> list[float]:
    """Each department's chance to act on a defect it alone counts as its own: `act_prob` x its
    alignment (at most 1), by department index."""
    act_prob = model.mech.diffusion.act_prob
    return [min(act_prob * alignment(model, dept), 1.0) for dept in model.departments]


def pools(model) -> list[list[tuple[list, bool]]]:
    """Every boundary's `responsible_pool`, by (a, b): the regime and the org fix them, so they are
    found when a regime is installed, not every week (`handoff.BoundaryTerms`)."""
    n = len(model.departments)
    return [[responsible_pool(model, a, b) for b in range(n)] for a in range(n)]


def p_anyone_acts(model, pool: list, team: bool, by_dept: list[float]) -> float:
    """P(anyone acts) on a defect a `pool` of departments counts as its own (sharing a team's
    identity, or not); `by_dept`, every department's `readiness` (`p_anyone_matrix` computes it
    once for all the boundaries)."""
    d = model.mech.diffusion
    ready = [by_dept[dept.index] for dept in pool]
    k = len(pool)
    if d.level == "individual":
        crowd = independent(r / k ** d.beta for r in ready)
    elif d.level == "group":
        crowd = sum(ready) / k / k ** d.gamma
    else:  # "none": the ablation, a pool acts as one department
        crowd = sum(ready) / k
    if not team or d.level == "none":
        return crowd
    return d.cohesion * independent(ready) + (1.0 - d.cohesion) * crowd


def independent(rates) -> float:
    """P(at least one acts) when each acts on its own with its rate."""
    p_none = 1.0
    for r in rates:
        p_none *= 1.0 - min(r, 1.0)
    return 1.0 - p_none


def p_anyone_matrix(model, by_boundary: list[list[tuple[list, bool]]]) -> list[list[float]]:
    """P(anyone acts) for every boundary, given each one's pool (`pools`); recomputed when culture
    or regime change."""
    ready = readiness(model)  # alignment changes only between reviews: once for all the boundaries
    return [[p_anyone_acts(model, pool, team, ready) for pool, team in row] for row in by_boundary]
