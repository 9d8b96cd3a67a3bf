"""Failure demand besides failed handoffs: contacts caused by a failure to do something,
or to do it right, for the customer (Seddon 2003).

A failed handoff (`cxsim.mechanisms.handoff`) is one source. Three more:

* **unresolved contacts**: a department works a stage and does not settle it, with probability

      p = unresolved_base * the receiver's backlog, culture, efficiency and routine terms (§7.2)

  so the same load, culture and pressure that make handoffs fail make work fail inside a
  department; the customer comes back after `recontact_days` (one repeat contact, effort +1);
* **progress chasing**: a customer whose stage runs past what it expected (the stage's
  service time plus `expected_wait_days`) checks every `chase_every_days` and chases with
  `chase_prob`: one call to the journey's front-line department (`Journey.contact`), answered
  before queued cases, taking `chase_work` of a case's capacity (a status call is short) and
  abandoned if not answered that day (effort +1 either way). Waiting in a queue is waiting: a
  backlog makes chasers, chasers take the capacity the backlog needed. A chasing customer may
  leave before its case is done (`CustomerResponse.chased`);
* **consequences**: each failure makes, with `consequence_prob`, a later need, the org's
  `failure_journey` (a wrong bill -> a billing query); every contact of it is failure demand.

What a contact-centre manager reads (`cxsim.model.outcomes`): the share of front-line contacts
that are failure demand, and first-contact resolution (the share of journeys begun at the
front line that end with no repeat contact at the front line: the contact centre's measure,
which does not see a back office asking the customer again).
"""

from __future__ import annotations

import math

from cxsim.mechanisms.cases import initiatives_factor
from cxsim.mechanisms.events import ARRIVE, CHASE


def unresolved_probability(model, dept) -> float:
    """P(a contact worked here today leaves its stage unsettled); set when the department starts its day."""
    terms = dept.overload_factor * dept.culture_factor * model.efficiency_factor * dept.fit_factor
    return model.mech.failure_demand.unresolved_base * terms


def unresolved(model, customer, dept) -> bool:
    """Did the contact just worked leave its stage unsettled? If so the customer will come back.
    (An initiative that worked on this department and journey lowers the chance: `initiatives`.)"""
    journey, d = customer.journey.index, dept.index
    if model.draw() >= dept.unresolved_p * initiatives_factor(model, journey, d, d):
        return False
    model.recorder.unresolved(d)
    stage = customer.journey.stages[customer.stage]
    model.failed(journey, stage.phase, d, d)
    burden(model, customer, model.moment_of_truth_weight if stage.moment_of_truth else 1.0)
    consequence(model, customer)
    response = model.customer_response  # (a local: its methods are C calls when compiled)
    if response.gives_up(customer):
        return True
    customer.resumed = True  # the stage was worked once: the return is the repeat contact alone
    unwatch(model, customer)  # its coming back is its chase
    customer.next_ticket = model.calendar.add(model.day + model.recontact_days, ARRIVE, customer,
                                              dept.index)
    return True


def burden(model, customer, weight: float) -> None:
    """One repeat contact the customer owes the next department it meets, and its effort."""
    customer.effort += weight
    customer.rework += 1
    customer.repeats += 1
    customer.troubled = True


def consequence(model, customer) -> None:
    """A failure may make a later need (a wrong bill -> a query), served after this journey."""
    if model.failure_journey is not None and model.draw() < model.consequence_prob:
        customer.owed += 1


def chase_delays(model) -> list[list[int]]:
    """Per journey and stage: whole days from joining the stage's queue to the first check on the case,
    the stage's service time plus the wait the customer expects (at least a day)."""
    expected = model.mech.customer.expected_wait_days
    return [[max(1, math.ceil(stage.service_days + expected)) for stage in journey.stages]
            for journey in model.structure.journeys]


def watch(model, customer, dept_index: int) -> None:
    """The customer joined a queue: it will check on its case once the stage should be done
    (`chase_delays`, kept by the model as `chase_after`), and no longer on the stage it left."""
    unwatch(model, customer)
    due = model.day + model.chase_after[customer.journey.index][customer.stage]
    customer.chase_ticket = model.calendar.add(due, CHASE, customer, customer.visit)


def unwatch(model, customer) -> None:
    """The case moved on (or goes back to the customer): a check on this visit is withdrawn, and
    a new visit begins."""
    model.calendar.cancel(customer.chase_ticket)
    customer.visit += 1


def check(model, customer, visit: int) -> None:
    """A waiting customer's check: still at the same stage, it may chase, and may give up. (A check
    on a case it has moved on from, or of a customer gone, was withdrawn: the guard never acts,
    `tests/test_calendar.py`.)"""
    if customer.journey is None or customer.visit != visit:
        return
    if model.draw() < model.chase_prob:
        contact = model.departments[customer.journey.contact]
        contact.chases += 1
        customer.effort += 1.0
        customer.repeats += 1
        customer.first_time = customer.first_time and not contact.front_line
        response = model.customer_response
        if response.chased(customer):
            return
    customer.chase_ticket = model.calendar.add(model.day + model.chase_every_days, CHASE, customer, visit)


def follow_up(model, customer) -> None:
    """The need an earlier failure made comes due (to an active customer: `CXModel.act` passes no other):
    its journey is failure demand throughout."""
    if customer.busy:
        customer.owed += 1  # on another journey: it comes after that one
        return
    model.start_journey(customer, model.failure_journey, induced=True)
