"""The case flow: a customer's case through the departments' queues, stage by stage.

Every day the model acts on the customer calendar's events (`act`), then each department works its
queue (`work`); a worked case advances (`advance`) and, its stage done, is handed on (`stage_done`)
or its journey ends. This is the model's inner loop, run a few hundred thousand times a run, so it is
written to be compiled (Cython's pure-Python mode: the same source runs as plain Python, the
reference it is tested against).
"""

from __future__ import annotations

import math

from cxsim.mechanisms import failure_demand, finance, handoff, lifecycle
from cxsim.mechanisms.events import ARRIVE, CANCELLED, CHASE, DONE, FOLLOW_UP, LEAVE, NEED
from cxsim.mechanisms.lifecycle import ACTIVE


def act(model, due: list) -> None:
    """Today's customer events: cases arriving, stages done, checks on late cases, needs, leaving
    (not those withdrawn: `Calendar.cancel`)."""
    withdrawn = 0
    for i in range(0, len(due), 3):  # kind, customer, argument (`Calendar`)
        kind, c, arg = due[i], due[i + 1], due[i + 2]
        if kind == CANCELLED:
            withdrawn += 1
        elif kind == ARRIVE:
            if c.journey is not None:  # still on its journey (not given up)
                desk = model.departments[arg]
                desk.queue.append(c)
                failure_demand.watch(model, c, arg)
        elif kind == DONE:
            if c.journey is not None and c.visit == arg:
                stage_done(model, c)
        elif kind == CHASE:
            failure_demand.check(model, c, arg)
        elif c.status != ACTIVE:
            continue
        elif kind == NEED:
            start_journey(model, c, lifecycle.pick(model, model.need_journeys, model.need_weights))
        elif kind == FOLLOW_UP:
            failure_demand.follow_up(model, c)
        elif kind == LEAVE:
            if c.journey is not None:
                c.leaving = True
            else:
                lifecycle.churn(model, c)
    model.recorder.events += len(due) // 3 - withdrawn
    model.recorder.withdrawn += withdrawn


def start_journey(model, c, journey, induced: bool = False) -> None:
    c.journey = journey
    c.stage = 0
    c.started = model.day
    c.effort = 0.0
    c.first_time = True
    c.repeats = 0
    c.troubled = False
    c.induced = induced
    first = journey.stages[0].dept
    model.departments[first].queue.append(c)
    failure_demand.watch(model, c, first)


def work(d, model) -> None:
    """A department's day: answer today's chasers, then work queued cases while
    capacity lasts; pass each one on."""
    capacity = finance.effective_capacity(model, d)
    cap = max(capacity - d.noise - d.project, 0.0)
    case_work = d.case_work
    call = case_work * model.mech.failure_demand.chase_work  # a status call is shorter than a case
    backlog = len(d.queue) * case_work + d.chases * call
    d.load = backlog / cap if cap > 0 else (1e3 if backlog else 0.0)
    d.overload_factor = handoff.overload_factor(model, d)
    d.unresolved_p = failure_demand.unresolved_probability(model, d)
    d.overtime = finance.overtime(model, capacity, backlog - cap)
    credit = min(d.credit, 0.0) + cap + d.overtime
    # the phone is answered before the files are opened; calls not answered today are abandoned
    answered = d.chases if call <= 0 else min(d.chases, int(math.ceil(credit / call))) if credit > 0 else 0
    d.chases = 0
    credit -= answered * call
    worked = wasted = answered * call  # capacity units; of them on failure demand (repeats, redone, caused)
    contacts = repeats = answered  # contacts; of them repeats (a customer back about the same stage)
    failure = float(answered)  # contacts that are failure demand
    queue = d.queue
    while queue and credit > 0:
        c = queue.popleft()
        if c.journey is None:
            continue  # left while it waited: no work
        first = 0 if c.resumed else 1  # the stage's own contact (none when only coming back)
        rework = c.rework
        if rework and d.front_line:
            c.first_time = False  # back at the front line about the same need
        units = case_work * (first + rework)
        credit -= units
        worked += units
        contacts += first + rework
        repeats += rework
        failed = first if c.induced or c.redo else 0  # the stage's contact is itself failure demand
        failure += rework + (first if c.induced else 0)
        wasted += case_work * (rework + failed)
        c.rework = c.redo = 0
        c.resumed = False
        advance(model, c, d)
    model.recorder.worked(d.index, contacts, repeats, failure, worked, wasted)
    d.credit, d.worked = credit, worked
    quarter = d.quarter
    quarter["units"] += worked
    quarter["failure_units"] += wasted


def advance(model, c, dept) -> None:
    """A department has worked the customer's case `c`: unless the contact left it unsettled,
    the stage is done once its service time has passed (today, for a one-day stage)."""
    if failure_demand.unresolved(model, c, dept):
        return
    stage = c.journey.stages[c.stage]
    days = stage.service_days
    if days > 1:
        c.next_ticket = model.calendar.add(model.day + days - 1, DONE, c, c.visit)
    else:
        stage_done(model, c)


def stage_done(model, c) -> None:
    """The customer's (`c`) stage is done: pass the case on, or finish the journey."""
    stages = c.journey.stages
    if c.stage + 1 == len(stages):
        response = model.customer_response  # (a local: its methods are C calls when compiled)
        response.finish(c)
        return
    here, after = stages[c.stage], stages[c.stage + 1]
    if after.dept == here.dept:
        handoff.pass_on(model, c, after.dept)  # same department: no boundary crossed
    else:
        handoff.attempt(model, c, here.dept, after.dept)
