"""How customers respond to a journey: satisfaction, giving up, churn.

Satisfaction follows expectation-disconfirmation (Oliver 1980). A journey's
perceived quality is

    q = base_quality * exp(-effort_sensitivity * effort)
                     * exp(-wait_sensitivity * max(0, days - expected_days))

(effort: repeat contacts and repeated information, weighted at moments of
truth; Dixon, Freeman & Toman 2010). The journey's verdict is
``0.5 + q - expectation`` (clipped to [0, 1]), where expectation is the
segment's plus the regime's promise inflation; satisfaction moves
`learning_rate` of the way to the verdict.

After a journey a customer leaves with probability

    churn_base + churn_per_effort * max(0, effort - tolerance)
               + churn_dissatisfaction * max(0, dissatisfied_below - satisfaction)

(CEB 2010: high effort breeds disloyalty; PwC 2018: one bad experience is
enough for a third). A prospect gives up buying once its effort reaches
`prospect_effort_limit`.
"""

from __future__ import annotations

import math

from cxsim.agents import PROSPECT


class CustomerResponse:
    def __init__(self, model):
        self.model = model
        self.c = model.mech.customer

    def verdict(self, customer, days: int) -> float:
        c = self.c
        expected = len(customer.journey.stages) * c.expected_days_per_stage
        q = c.base_quality * math.exp(-c.effort_sensitivity * customer.effort
                                      - c.wait_sensitivity * max(0.0, days - expected))
        expectation = customer.segment.expectation + self.model.regime.promise_inflation
        return min(max(0.5 + q - expectation, 0.0), 1.0)

    def finish(self, customer) -> None:
        """The journey is over: update satisfaction, then keep or lose the customer."""
        model = self.model
        days = model.day - customer.started
        v = self.verdict(customer, days)
        model.recorder.journey_done(customer, days)
        if customer.status == PROSPECT:
            model.activate(customer, satisfaction=v)
            return
        model.set_satisfaction(customer, customer.satisfaction + self.c.learning_rate * (v - customer.satisfaction))
        if model.random.random() < self.p_churn(customer):
            model.churn(customer)
        else:
            model.end_journey(customer)

    def p_churn(self, customer) -> float:
        c = self.c
        excess = max(0.0, customer.effort - customer.segment.effort_tolerance)
        p = (c.churn_base + c.churn_per_effort * excess
             + c.churn_dissatisfaction * max(0.0, c.dissatisfied_below - customer.satisfaction))
        return min(p, 1.0)

    def gives_up(self, customer) -> bool:
        """A prospect abandons the purchase when buying has cost it too much effort."""
        if customer.status == PROSPECT and customer.effort >= self.c.prospect_effort_limit:
            self.model.lose_prospect(customer)
            return True
        return False

