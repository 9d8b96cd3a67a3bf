"""Promises: what the firm promises to win customers, and who inflates it.

Seed 001 calls CX under marketing "a marketing ploy"; the brief: promise
inflation raises expectations that operations may not meet. Promises are not
typed per regime; they follow from an owner's targets:

* An owner measured on acquisition (`owners.X.acquisition_kpi`: a CMO's
  target, seed 003: "the CMO's measures end at the sale") chases it. Every
  week it compares the customers won over the last `window_weeks` with its
  target: replace the customers lost and grow the base by `growth_target` a
  year (the acquisition plan of a firm that means to grow).
* When it falls short it raises the promise, the more the less it answers for
  delivery: goal = `cap` x shortfall x (1 - its mean authority over the
  departments that serve customers after the sale). An owner who commands
  delivery too (a CEO) pays for broken promises in its own departments and
  does not inflate; one who does not command acquisition is not measured on
  it. The promise moves `adjust` of the way to the goal each week.
* The promise of the day lifts paid prospects (`customer.promise_pull`) and is
  added to the expectation of every customer won that day, for good
  (`cxsim.mechanisms.customer_response`): customers won before, or under
  another owner, expect nothing extra.

The loop closes through the customers: inflated promises win more prospects
(less shortfall) and disappoint more of them (more churn, more shortfall).
"""

from __future__ import annotations

from collections import deque

from cxsim.mechanisms.contract import Mechanism


class Promises(Mechanism):
    """The promise of the day (`level`: expectation added, 0..1) and the owners who set it."""

    name = "promises"

    def __init__(self, model):
        super().__init__(model)
        self.level = 0.0
        self.pressure = 0.0  # cap x (1 - delivery authority) of the owner measured on acquisition; 0: none
        self.won = self.lost = 0  # since the last weekly review
        self.weeks: deque[tuple[int, int]] = deque(maxlen=int(model.mech.promises.window_weeks))

    def install(self, regime, reorg: bool) -> None:
        """The owners measured on acquisition (the Owner agents `governance` appointed, by name)."""
        by_name = {o.name: o for o in self.model.governance.owners}
        delivery = self.delivery_departments()
        self.pressure = 0.0
        for name, cfg in regime.owners.items():
            if cfg.acquisition_kpi and delivery:
                answers = sum(by_name[name].authority[d] for d in delivery) / len(delivery)
                self.pressure = max(self.pressure, self.model.mech.promises.cap * (1.0 - answers))

    def delivery_departments(self) -> list[int]:
        """The departments customers meet after the sale, one entry per stage (busier ones weigh more)."""
        return [s.dept for j in self.model.structure.service_journeys for s in j.stages]

    def end_of_day(self) -> None:
        """Count today's customers won and lost toward the week."""
        self.won += self.model.recorder.d_acquired
        self.lost += self.model.recorder.d_churned

    def review(self) -> None:
        """Compare the quarter's customers won with the target and move the promise toward its goal."""
        p, recorder = self.model.mech.promises, self.model.recorder
        self.weeks.append((self.won, self.lost))
        self.won = self.lost = 0
        won = sum(w for w, _ in self.weeks)
        target = sum(lost for _, lost in self.weeks) + p.growth_target * recorder.active * len(self.weeks) / 52.0
        shortfall = max(0.0, 1.0 - won / target) if target > 0 else 0.0
        self.level += p.adjust * (self.pressure * shortfall - self.level)
