"""The customer calendar: a bucket of due events per day, and the kinds of event on it.

Customers are idle most days, so the model does not step them; it keeps, for each future day, the
list of events due then, in the order they were put there. Each event is three entries of that list,
kind, customer and argument (no tuple to make and free for each of a few hundred thousand events a
run); the model's day acts on them in `cxsim.model.caseflow.act`. An event costs about a microsecond,
against about twelve for Mesa's general event list (kept for the weekly and reorg processes).

An event whose reason is gone before its day (a check on a case the customer has moved on from, the
next need of a customer who has left) is withdrawn: `cancel` marks it CANCELLED in its day's list, the
lazy deletion Mesa's own event list uses (`SimulationEvent.cancel`), and the day skips it. So every
event the model acts on does something; a withdrawn one would have drawn nothing, so the draws are
as if it had been acted on.
"""

ARRIVE = 0  # the case reaches a department's queue (argument: the department)
NEED = 1  # an active customer's next need starts a journey
LEAVE = 2  # the customer leaves for outside reasons (at the end of a journey in progress)
CHASE = 3  # a waiting customer checks on its case (argument: the visit it checks on; failure_demand)
FOLLOW_UP = 4  # the need an earlier failure made comes due (failure_demand)
DONE = 5  # a stage's service time is over (argument: the visit it belongs to)
CANCELLED = -1  # withdrawn before its day (`Calendar.cancel`): skipped, not acted on

# A ticket (`Calendar.add`) is the event's day shifted left by 32 bits, plus its place in that day's
# list. (Calendar's methods write 32 and CANCELLED as numbers: compiled, a module's name is a lookup.)
NO_TICKET = -1  # a customer's ticket when it has no such event on the calendar


class Calendar:
    """Due events by day (a few hundred thousand a run: compiled with the case flow, `events.pxd`)."""

    def __init__(self):
        self.days = []  # days[d]: the events due on day d, in order, as kind, customer, argument; None: none
        self.today = 0  # the day last taken off (`pop`): its list is kept until the next day's

    def add(self, day, kind, customer, arg=None):
        """Put an event on a day's list; its ticket, for `cancel`."""
        days = self.days
        if day >= len(days):  # grown by at least half again: a few times a run
            days.extend([None] * max(day + 1 - len(days), len(days) // 2 + 64))
        bucket = days[day]
        if bucket is None:
            days[day] = [kind, customer, arg]
            return day << 32
        at = len(bucket)
        bucket.append(kind)
        bucket.append(customer)
        bucket.append(arg)
        return (day << 32) | at

    def cancel(self, ticket):
        """Withdraw the event of `ticket`, unless its day is over (then it has happened). One of today's
        may have happened already: marking it then changes nothing."""
        day = ticket >> 32  # NO_TICKET's day is -1: over
        if day >= self.today:
            bucket = self.days[day]
            bucket[ticket - (day << 32)] = -1  # CANCELLED

    def pop(self, day):
        """The day's events: kind, customer, argument, kind, ... (a cancelled one's kind is CANCELLED).
        The list stays on the calendar for the day, so that one of its events can still be withdrawn
        while the day acts on the ones before it; the day before's is let go."""
        days = self.days
        self.today = day
        if 0 < day <= len(days):
            days[day - 1] = None
        if day >= len(days) or days[day] is None:
            return []
        return days[day]
