"""The state every case touches: a customer's case, a department's desk, and the counts they move.

`Customer` and `Department` (`cxsim.model.agents`) are Mesa agents built on `Case` and `Desk`; the
model's `Recorder` (`cxsim.model.outcomes`) is built on `Tally`. The case flow reads and writes these
fields a few hundred thousand times a run, so when the model is compiled (`cases.pxd`) they are C
fields and the tally's methods C functions; uncompiled, they are ordinary attributes, the same code.
"""

from cxsim.mechanisms.events import NO_TICKET

# How a customer's problem on a journey ended (TARP): the index of its counts in the `Tally`
NO_PROBLEM, FIXED_AT_ONCE, REPEAT_CONTACT, NEVER = range(4)
ENDINGS = ("no_problem", "fixed_at_once", "repeat_contact", "never")


class StageFields:
    """What the case flow reads of a journey's stage (`cxsim.model.journey.Stage` is one)."""


class JourneyFields:
    """What the case flow reads of a journey (`cxsim.model.journey.Journey` is one)."""


class SegmentFields:
    """What the case flow reads of a customer's segment (`cxsim.model.agents.Segment` is one)."""


class Desk:
    """A department's state in the case flow: its queue, today's capacity and the failure terms."""


class Case:
    """A customer's case: the journey it is on, the stage, and what went wrong on it so far."""

    def __init__(self) -> None:
        """No case yet (set in C when compiled: a few thousand customers arrive a run)."""
        self.journey = None  # the Journey the customer is on, or None when idle
        self.stage = 0
        self.started = 0  # day the journey began
        self.effort = 0.0  # effort on this journey (repeat contacts, repeated information)
        self.rework = 0  # contacts owed to the next department (failure demand)
        self.redo = 0  # 1 when the next department redoes work a failure undid
        self.resumed = False  # back at a stage it was worked at: only the repeat contact is new work
        self.first_time = True  # no repeat contact on this journey yet (first-contact resolution)
        self.repeats = 0  # repeat contacts on this journey (a contact again about the same stage, a chase)
        self.troubled = False  # a handoff failed or a contact left its stage unsettled on this journey
        self.induced = False  # this journey is a need an earlier failure made (all of it failure demand)
        self.owed = 0  # needs earlier failures made, to be served after this journey
        self.visit = 0  # counts the queues it joined (a stage's DONE names the visit it ends)
        # its events on the calendar (`Calendar.add`'s tickets), withdrawn when their reason goes:
        self.chase_ticket = NO_TICKET  # the next check on its case (`failure_demand.check`)
        self.next_ticket = NO_TICKET  # the next step of its case (ARRIVE, DONE) or its next need (NEED, FOLLOW_UP)
        self.leave_ticket = NO_TICKET  # its leaving for outside reasons
        self.leaving = False  # leaves for outside reasons once the current journey ends
        self.promised = 0.0  # expectation added by the promises that won it (promise inflation when acquired)


class Tally:
    """What the case flow counts as it happens: handoffs and their failures, the work done, journeys
    ended and how, the customer base and its satisfaction. Its counts are set, read and made into
    tables by the `Recorder` built on it (`cxsim.model.outcomes`): each kind of count is an array (one
    per department, journey, phase, boundary as `a * departments + b`, or way a problem ended), C
    arrays when compiled."""

    def handoff(self, customer, a: int, b: int) -> None:
        self.d_attempts += 1
        self._pair_attempts[a * len(self.model.departments) + b] += 1
        journey = customer.journey
        self._journey_attempts[journey.index] += 1
        stage = journey.stages[customer.stage + 1]
        self._phase_attempts[stage.phase] += 1

    def failure(self, customer, a: int, b: int) -> None:
        self.d_failures += 1
        self._pair_failures[a * len(self.model.departments) + b] += 1
        self.d_pairs[(a, b)] = self.d_pairs.get((a, b), 0) + 1
        journey = customer.journey
        self._journey_failures[journey.index] += 1
        stage = journey.stages[customer.stage + 1]
        self._phase_failures[stage.phase] += 1

    def worked(self, dept: int, contacts: int, repeats: int, failure: float, units: float, rework: float) -> None:
        """A department's day of work: `contacts`, of which `repeats` repeat contacts and `failure`
        failure demand; `units` of capacity, of which `rework` on failure demand."""
        self.events += contacts
        self._dept_contacts[dept] += contacts
        self._dept_repeats[dept] += repeats
        self._dept_failure[dept] += failure
        self._dept_units[dept] += units
        self._dept_rework[dept] += rework
        self.d_units += units
        self.d_rework += rework

    def abandoned(self, customer, days: int) -> None:
        """A journey ended unresolved: the customer gave up on it after `days`."""
        j = customer.journey.index
        self._journey_abandoned[j] += 1
        self._journey_abandoned_days[j] += days

    def unresolved(self, dept: int) -> None:
        self._dept_unresolved[dept] += 1

    def left_waiting(self) -> None:
        self.left_waiting_count += 1
        self._ending_count[NEVER] += 1
        self._ending_churned[NEVER] += 1

    def ending(self, customer, churned: bool) -> None:
        """A customer's journey ended (not a prospect's): count it by how its problem ended, and whether
        the customer then left (TARP's loyalty by how a problem ends)."""
        kind = REPEAT_CONTACT if customer.repeats else FIXED_AT_ONCE if customer.troubled else NO_PROBLEM
        self._ending_count[kind] += 1
        self._ending_churned[kind] += churned

    def journey_done(self, customer, days: int, verdict: float, satisfaction: float) -> None:
        """A journey ended with this verdict, leaving the customer at `satisfaction` (what a
        post-journey survey would read: the verdict as CSAT, the satisfaction as NPS)."""
        j = customer.journey.index
        self._journey_done_count[j] += 1
        self._journey_days[j] += days
        self._journey_verdicts[j] += verdict
        self._journey_promoters[j] += satisfaction > self.promoter_above
        self._journey_detractors[j] += satisfaction < self.dissatisfied_below
        self._journey_bad[j] += verdict < self.dissatisfied_below
        self.d_done += 1
        self.d_done_days += days
        if customer.repeats < 2:
            self._journeys_by_repeats[customer.repeats] += 1
            self._verdicts_by_repeats[customer.repeats] += verdict
        first = self.model.departments[customer.journey.stages[0].dept]  # where the journey began
        if first.front_line:
            self._fcr[0] += 1
            self._fcr[1] += customer.first_time

    def new_prospect(self) -> None:
        self.prospects += 1

    def joined(self, customer, satisfaction: float) -> None:
        """A prospect became a customer (on day 0: one the firm started with, not acquired)."""
        self.prospects -= 1
        self.active += 1
        self.active_value += customer.segment.annual_value
        self.active_cost += customer.segment.annual_cost
        if self.model.day > 0:
            self.d_acquired += 1
        self.satisfaction_in(satisfaction)

    def left(self, customer) -> None:
        """An active customer churned."""
        self.satisfaction_out(customer.satisfaction)
        self.active -= 1
        self.churned += 1
        self.d_churned += 1
        self.active_value -= customer.segment.annual_value
        self.active_cost -= customer.segment.annual_cost

    def prospect_lost(self) -> None:
        """A prospect gave up before becoming a customer."""
        self.prospects -= 1
        self.lost += 1
        self.d_lost += 1

    def satisfaction_changed(self, old: float, new: float) -> None:
        """An active customer's satisfaction moved: the aggregates of the active customers follow."""
        self.satisfaction_out(old)
        self.satisfaction_in(new)

    def satisfaction_out(self, value: float) -> None:
        self.sat_sum -= value
        self.promoters -= value > self.promoter_above
        self.dissatisfied -= value < self.dissatisfied_below

    def satisfaction_in(self, value: float) -> None:
        self.sat_sum += value
        self.promoters += value > self.promoter_above
        self.dissatisfied += value < self.dissatisfied_below


class Flow:
    """The model's state the case flow reads for every case: the day, the calendar, the departments,
    the boundaries' friction and the terms shared by all of them, the initiatives' factors (the
    portfolio's, an array: `initiatives_factor`); `draw`, the model's uniform draw
    (`model.random.random`, bound once: the case flow draws a few hundred thousand times a run)."""

    def failed(self, journey: int, phase: int, a: int, b: int) -> None:
        """Announce a failure once: a failed handoff at boundary (a, b), or a contact left unsettled in
        department a (b == a). Every mechanism that listens hears it, in the model's order
        (`failure_listeners`: the owners, finance, the portfolio)."""
        for heard in self.failure_listeners:
            heard(journey, phase, a, b)


def initiatives_factor(model, journey: int, a: int, b: int) -> float:
    """What the initiatives that worked on this journey at boundary (a, b), or in department a
    (b == a), left of the failure probability (`cxsim.mechanisms.initiatives`); 1 where none did."""
    return model.initiative_factor[factor_index(model, journey, a, b)]


def factor_index(model, journey: int, a: int, b: int) -> int:
    """Where a journey's boundary (a, b) is in `model.initiative_factor`: journey by journey, then
    as in a square of the departments."""
    n = len(model.departments)
    return (journey * n + a) * n + b
