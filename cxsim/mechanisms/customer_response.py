"""How customers respond to a journey: satisfaction, giving up, churn.

Satisfaction follows expectation-disconfirmation (Oliver 1980). A journey's
perceived quality is

    q = base_quality * exp(-effort_sensitivity * effort)
                     * exp(-wait_sensitivity * max(0, days - expected_days))

where expected_days is the journey's service times (a claim's assessment
takes weeks and the customer knows it) plus `expected_wait_days` per stage.

(effort: repeat contacts and repeated information, weighted at moments of
truth; Dixon, Freeman & Toman 2010). The journey's verdict is
``0.5 + q - expectation`` (clipped to [0, 1]), where expectation is the
segment's plus the promise inflation of the regime under which the customer
was acquired (none for the customers of day 0); satisfaction moves
`learning_rate` of the way to the verdict.

After a journey a customer leaves with probability

    churn_base + churn_per_effort * max(0, effort - tolerance)
               + churn_dissatisfaction * max(0, dissatisfied_below - satisfaction)

(CEB 2010: high effort breeds disloyalty; PwC 2018: one bad experience is
enough for a third). A customer need not wait for the end: each time it
chases a late case (`cxsim.mechanisms.failure_demand`) it judges the journey
so far the same way and leaves with the same probability less `churn_base`
(`leave_while_waiting`; false: only at the end), so a customer stuck in a
backlog is not kept paying by being stuck. A prospect gives up buying once
its effort reaches `prospect_effort_limit`.

Complaints are an observation, not a lever: a journey whose verdict falls
below `dissatisfied_below` ends in a complaint with probability
`complaint_propensity` (TARP 1986: about one dissatisfied customer in 26
complains). The model counts the expected number, `complaint_propensity` times
the dissatisfying journeys, so counting them draws no random number and
changes nothing else; a calibration fits the propensity with the rest.
"""

from __future__ import annotations

import math

from cxsim.mechanisms import lifecycle
from cxsim.mechanisms.contract import Mechanism
from cxsim.mechanisms.lifecycle import ACTIVE, CHURNED, LOST, PROSPECT  # noqa: F401  (the statuses it moves)


class CustomerResponse(Mechanism):
    """Customers' verdicts on journeys, and their choices: stay, leave, give up, chase. No hook: the
    case flow asks it at each moment a customer decides."""

    name = "customer_response"

    def __init__(self, model):
        super().__init__(model)
        self.c = c = model.mech.customer
        # what every journey's verdict and every churn decision read, held as numbers (C fields
        # when compiled: `customer_response.pxd`)
        self.expected_wait_days, self.base_quality = c.expected_wait_days, c.base_quality
        self.effort_sensitivity, self.wait_sensitivity = c.effort_sensitivity, c.wait_sensitivity
        self.learning_rate, self.dissatisfied_below = c.learning_rate, c.dissatisfied_below
        self.churn_base, self.churn_per_effort = c.churn_base, c.churn_per_effort
        self.churn_dissatisfaction = c.churn_dissatisfaction

    def verdict(self, customer, days: int) -> float:
        journey = customer.journey
        expected = journey.service_days + len(journey.stages) * self.expected_wait_days
        late = days - expected if days > expected else 0.0  # max(0, days - expected), without the call
        q = self.base_quality * math.exp(-self.effort_sensitivity * customer.effort - self.wait_sensitivity * late)
        expectation = customer.segment.expectation + customer.promised
        v = 0.5 + q - expectation
        return 0.0 if v < 0.0 else 1.0 if v > 1.0 else v

    def finish(self, customer) -> None:
        """The journey is over: update satisfaction, then keep or lose the customer."""
        model = self.model
        days = model.day - customer.started
        v = self.verdict(customer, days)
        if customer.status == PROSPECT:
            model.recorder.journey_done(customer, days, v, v)
            lifecycle.activate(model, customer, v)
            return
        after = customer.satisfaction + self.learning_rate * (v - customer.satisfaction)
        model.recorder.journey_done(customer, days, v, after)
        lifecycle.set_satisfaction(model, customer, after)
        leaves = model.draw() < self.p_churn(customer)
        model.recorder.ending(customer, leaves)
        if leaves:
            lifecycle.churn(model, customer)
        else:
            lifecycle.end_journey(model, customer)

    def complaints(self, dissatisfying_journeys):
        """Expected complaints from a number (or array) of dissatisfying journeys."""
        return self.c.complaint_propensity * dissatisfying_journeys

    def p_churn(self, customer, satisfaction: float | None = None, base: bool = True) -> float:
        excess = customer.effort - customer.segment.effort_tolerance
        shortfall = self.dissatisfied_below - (customer.satisfaction if satisfaction is None else satisfaction)
        p = ((self.churn_base if base else 0.0) + self.churn_per_effort * (excess if excess > 0.0 else 0.0)
             + self.churn_dissatisfaction * (shortfall if shortfall > 0.0 else 0.0))
        return 1.0 if p > 1.0 else p

    def chased(self, customer) -> bool:
        """The customer just chased a late case: does it give up on the firm now (True: it left)?"""
        if customer.status == PROSPECT:
            return self.gives_up(customer)
        if not self.c.leave_while_waiting:
            return False
        model = self.model
        so_far = self.verdict(customer, model.day - customer.started)
        judged = customer.satisfaction + self.learning_rate * (so_far - customer.satisfaction)
        if model.draw() < self.p_churn(customer, judged, base=False):
            model.recorder.left_waiting()
            model.recorder.abandoned(customer, model.day - customer.started)
            lifecycle.churn(model, customer)
            return True
        return False

    def gives_up(self, customer) -> bool:
        """A prospect abandons the purchase when buying has cost it too much effort."""
        if customer.status == PROSPECT and customer.effort >= self.c.prospect_effort_limit:
            model = self.model
            model.recorder.abandoned(customer, model.day - customer.started)
            lifecycle.lose_prospect(model, customer)
            return True
        return False

