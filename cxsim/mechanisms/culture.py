"""Culture: customer orientation drifts slowly toward the leadership signal.

Each department's culture moves a share `drift_per_week` of the way to its
target every week (Harrison & Carroll 1991: culture lags structure). The
target is the strongest signal the department receives: its own native
orientation, the regime's org-wide signal, or an owner's signal weighted by
the owner's authority over it.

A reorg also breaks working routines: every department's `fit` falls by
`reorg_disruption` and is rebuilt by `fit_recovery_per_week`; low fit raises
handoff failure (`cxsim.mechanisms.handoff`). Together they make the J-curve.
"""

from __future__ import annotations


def target(model, dept) -> float:
    signals = [dept.native_culture, model.regime.culture_signal]
    signals += [o.culture_signal * o.authority[dept.index] for o in model.governance.owners]
    return max(signals)


def weekly(model) -> None:
    c = model.mech.culture
    for dept in model.departments:
        dept.culture += c.drift_per_week * (target(model, dept) - dept.culture)
        dept.fit += c.fit_recovery_per_week * (1.0 - dept.fit)


def disrupt(model) -> None:
    for dept in model.departments:
        dept.fit *= 1.0 - model.mech.culture.reorg_disruption
