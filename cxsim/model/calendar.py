"""The customer calendar: a bucket of due events per day.

Customers are idle most days, so the model does not step them; it keeps, for
each future day, the list of customers who have something to do then. An
event costs about a microsecond, against about twelve for Mesa's general
event list (kept for the weekly and reorg processes).
"""

from __future__ import annotations

from collections import defaultdict


class Calendar:
    def __init__(self):
        self._days: defaultdict[int, list] = defaultdict(list)
        days = self._days

        def add(day: int, kind: int, customer, arg=None) -> None:
            """Put an event on a day's list (a plain function held by the calendar: the model calls it
            a few hundred thousand times a run, and a method call would cost a third more)."""
            days[day].append((kind, customer, arg))

        self.add = add

    def pop(self, day: int) -> list:
        return self._days.pop(day, [])
