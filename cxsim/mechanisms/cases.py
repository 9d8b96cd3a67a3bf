"""The state every case touches: a customer's case, a department's desk, and the counts they move.

`Customer` and `Department` (`cxsim.model.agents`) are Mesa agents built on `Case` and `Desk`; the
model's `Recorder` (`cxsim.model.outcomes`) is built on `Tally`. The case flow reads and writes these
fields a few hundred thousand times a run, so when the model is compiled (`cases.pxd`) they are C
fields and the tally's methods C functions; uncompiled, they are ordinary attributes, the same code.
"""


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


class Tally:
    """What the case flow counts as it happens: handoffs and their failures, the work done, journeys
    ended and how, the customer base and its satisfaction. Its counts are set, read and made into
    tables by the `Recorder` built on it (`cxsim.model.outcomes`)."""

    def handoff(self, customer, a: int, b: int) -> None:
        self.d_attempts += 1
        self._pair_attempts[a][b] += 1
        journey = customer.journey
        self._journey_attempts[journey.index] += 1
        stage = journey.stages[customer.stage + 1]
        self._phase_attempts[stage.phase] += 1

    def failure(self, customer, a: int, b: int) -> None:
        self.d_failures += 1
        self._pair_failures[a][b] += 1
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
        self._endings["never"][0] += 1
        self._endings["never"][1] += 1

    def ending(self, customer, churned: bool) -> None:
        """A customer's journey ended (not a prospect's): count it by how its problem ended, and whether
        the customer then left (TARP's loyalty by how a problem ends)."""
        kind = ("repeat_contact" if customer.repeats else "fixed_at_once" if customer.troubled
                else "no_problem")
        self._endings[kind][0] += 1
        self._endings[kind][1] += churned

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
            by = self._verdict_by_repeats[customer.repeats]
            by[0] += 1
            by[1] += verdict
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
        self.satisfaction_changed(None, satisfaction)

    def left(self, customer) -> None:
        """An active customer churned."""
        self.satisfaction_changed(customer.satisfaction, None)
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

    def satisfaction_changed(self, old: float | None, new: float | None) -> None:
        """Keep satisfaction aggregates of active customers (None: not active)."""
        if old is not None:
            self.sat_sum -= old
            self.promoters -= old > self.promoter_above
            self.dissatisfied -= old < self.dissatisfied_below
        if new is not None:
            self.sat_sum += new
            self.promoters += new > self.promoter_above
            self.dissatisfied += new < self.dissatisfied_below


class Flow:
    """The model's state the case flow reads for every case: the day, the calendar, the departments,
    the boundaries' friction and the terms shared by all of them, the initiatives' factors (the
    portfolio's, `initiatives_factor`); `draw`, the model's uniform draw
    (`model.random.random`, bound once: the case flow draws a few hundred thousand times a run)."""

    def failed(self, journey: int, phase: int, a: int, b: int) -> None:
        """Announce a failure once: a failed handoff at boundary (a, b), or a contact left unsettled in
        department a (b == a). Every mechanism that listens hears it, in the model's order
        (`failure_listeners`: the owners, finance, the portfolio)."""
        for heard in self.failure_listeners:
            heard(journey, phase, a, b)


def initiatives_factor(model, journey: int, a: int, b: int) -> float:
    """What the initiatives that worked on this journey at boundary (a, b), or in department a
    (b == a), left of the failure probability (`cxsim.mechanisms.initiatives`); 1 where none did,
    as everywhere before the first one works (then no key is built)."""
    factor = model.initiative_factor  # the portfolio's `factor`
    return factor.get((journey, a, b), 1.0) if factor else 1.0
