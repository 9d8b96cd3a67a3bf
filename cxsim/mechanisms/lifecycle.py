"""The customer lifecycle: a prospect becomes a customer, its needs come one after another, it
leaves (churns) or, still a prospect, gives up buying (is lost).

Status changes go through here so that the population's counts (`Recorder`) move with them. The
case flow calls these a few tens of thousands of times a run: compiled with it (`lifecycle.pxd`).
"""

from __future__ import annotations

import math
from bisect import bisect

from cxsim.mechanisms.events import FOLLOW_UP, LEAVE, NEED

# The customer's lifecycle: the status of a `Customer`.
PROSPECT, ACTIVE, CHURNED, LOST = "prospect", "active", "churned", "lost"


def activate(model, customer, satisfaction: float) -> None:
    """A prospect becomes a customer: revenue starts, the first need is scheduled."""
    model.recorder.joined(customer, satisfaction)
    customer.status = ACTIVE
    customer.since = model.day
    customer.satisfaction = satisfaction
    journey_over(model, customer)
    leave = model.day + wait(model, model.attrition / 365.0)
    if leave < model.days:
        customer.leave_ticket = model.calendar.add(leave, LEAVE, customer)
    schedule_need(model, customer)


def end_journey(model, customer) -> None:
    """A journey is over and the customer stays: a need an earlier failure made comes next, or its
    next own need (unless it is leaving for outside reasons)."""
    journey_over(model, customer)
    customer.induced = False
    if customer.leaving:
        churn(model, customer)
    elif customer.owed:  # a need an earlier failure made comes next
        customer.owed -= 1
        day = model.day + model.recontact_days
        if day < model.days:
            customer.next_ticket = model.calendar.add(day, FOLLOW_UP, customer)
    else:
        schedule_need(model, customer)


def schedule_need(model, customer) -> None:
    day = model.day + wait(model, model.need_rate)
    if day < model.days:
        customer.next_ticket = model.calendar.add(day, NEED, customer)


def pick(model, items: list, cum_weights: list):
    """One of `items` by cumulative weight: `random.choices(items, cum_weights=...)[0]`,
    the same draw and result, without building a list each time."""
    return items[bisect(cum_weights, model.draw() * cum_weights[-1], 0, len(cum_weights) - 1)]


def wait(model, rate_per_day: float) -> int:
    """Whole days until an event of the given daily rate (at least 1)."""
    if rate_per_day <= 0:
        return model.days + 1
    # random.expovariate's own formula (the same draw and value), without its call; a rate near 0 can
    # draw more days than a float holds
    draw = -math.log(1.0 - model.draw()) / rate_per_day
    return model.days + 1 if draw > model.days else max(1, int(math.ceil(draw)))


def set_satisfaction(model, customer, value: float) -> None:
    value = 0.0 if value < 0.0 else 1.0 if value > 1.0 else value  # clipped to [0, 1]
    model.recorder.satisfaction_changed(customer.satisfaction, value)
    customer.satisfaction = value


def journey_over(model, customer) -> None:
    """No journey now: a check on the case it was on is withdrawn."""
    customer.journey = None
    model.calendar.cancel(customer.chase_ticket)


def churn(model, customer) -> None:
    model.recorder.left(customer)
    customer.status = CHURNED
    customer.since = model.day
    gone(model, customer)


def lose_prospect(model, customer) -> None:
    model.recorder.prospect_lost()
    customer.status = LOST
    customer.since = model.day
    gone(model, customer)


def gone(model, customer) -> None:
    """The customer has left (or, a prospect, given up buying): its events on the calendar go with it."""
    journey_over(model, customer)
    calendar = model.calendar
    calendar.cancel(customer.next_ticket)
    calendar.cancel(customer.leave_ticket)

