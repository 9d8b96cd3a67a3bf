"""The customer calendar: a bucket of due events per day, and the kinds of event on it.

Customers are idle most days, so the model does not step them; it keeps, for each future day, the
list of events due then, in the order they were put there. Each event is three entries of that list,
kind, customer and argument (no tuple to make and free for each of a few hundred thousand events a
run); the model's day acts on them in `cxsim.model.caseflow.act`. An event costs about a microsecond,
against about twelve for Mesa's general event list (kept for the weekly and reorg processes).
"""

ARRIVE = 0  # the case reaches a department's queue (argument: the department)
NEED = 1  # an active customer's next need starts a journey
LEAVE = 2  # the customer leaves for outside reasons (at the end of a journey in progress)
CHASE = 3  # a waiting customer checks on its case (argument: the visit it checks on; failure_demand)
FOLLOW_UP = 4  # the need an earlier failure made comes due (failure_demand)
DONE = 5  # a stage's service time is over (argument: the visit it belongs to)


class Calendar:
    """Due events by day (a few hundred thousand a run: compiled with the case flow, `events.pxd`)."""

    def __init__(self):
        self.days = []  # days[d]: the events due on day d, in order, as kind, customer, argument; None: none

    def add(self, day, kind, customer, arg=None):
        """Put an event on a day's list."""
        days = self.days
        if day >= len(days):  # grown by at least half again: a few times a run
            days.extend([None] * max(day + 1 - len(days), len(days) // 2 + 64))
        bucket = days[day]
        if bucket is None:
            days[day] = [kind, customer, arg]
        else:
            bucket.append(kind)
            bucket.append(customer)
            bucket.append(arg)

    def pop(self, day):
        """The day's events, taken off the calendar: kind, customer, argument, kind, ..."""
        days = self.days
        if day >= len(days) or days[day] is None:
            return []
        bucket = days[day]
        days[day] = None
        return bucket
