"""Culture: customer orientation drifts slowly toward the leadership signal.

Each department's culture moves a share `drift_per_week` of the way to its
target every week (Harrison & Carroll 1991: culture lags structure). The
target starts from the department's native orientation and is pulled toward
each signal it receives, in proportion to the signal's influence:

    target = native + sum_i w_i (signal_i - native) / max(1, sum_i w_i)

An owner's influence on a department is its authority there plus, where it
has none, persuasion scaled by the CEO's backing, times the share of its
working day it gives CX
(``w = (authority + (1 - authority) * persuasion * backing) * time_share``):
culture follows what leaders visibly pay attention to (Schein 2010); a backed
CXO moves culture, an unbacked one does not (seed 002); a CEO who owns CX in
name only does not either; a deputy carries its owner's signal. A signal
below a department's own orientation pulls it down. The regime's org-wide
signal, when it has one, pulls with weight 1.

A reorg also breaks working routines: every department's `fit` falls by
`reorg_disruption` and is rebuilt by `fit_recovery_per_week`; low fit raises
handoff failure (`cxsim.mechanisms.handoff`). Together they make the J-curve.
"""

from __future__ import annotations

from cxsim.mechanisms.contract import Mechanism


def target(model, dept) -> float:
    native, d = dept.native_culture, dept.index
    pulls = [(o.influence[d], o.culture_signal) for o in model.governance.owners]
    if model.regime.culture_signal is not None:
        pulls.append((1.0, model.regime.culture_signal))
    weight = sum(w for w, _ in pulls)
    if weight <= 0.0:
        return native
    return native + sum(w * (s - native) for w, s in pulls) / max(1.0, weight)


def weekly(model) -> None:
    c = model.mech.culture
    for dept in model.departments:
        dept.culture += c.drift_per_week * (target(model, dept) - dept.culture)
        dept.fit += c.fit_recovery_per_week * (1.0 - dept.fit)


def disrupt(model) -> None:
    for dept in model.departments:
        dept.fit *= 1.0 - model.mech.culture.reorg_disruption


class Culture(Mechanism):
    """Culture drifts toward what the owners signal every week; a reorg breaks routines."""

    name = "culture"

    def install(self, regime, reorg: bool) -> None:
        if reorg:
            disrupt(self.model)

    def review(self) -> None:
        weekly(self.model)
