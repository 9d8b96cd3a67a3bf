"""The state every case touches: a customer's case and a department's desk.

`Customer` and `Department` (`cxsim.model.agents`) are Mesa agents built on these two. The case
flow reads and writes these fields a few hundred thousand times a run, so when the model is
compiled (`cases.pxd`) they are C fields; uncompiled, they are ordinary attributes, the same code.
"""


class StageFields:
    """What the case flow reads of a journey's stage (`cxsim.model.journey.Stage` is one)."""


class JourneyFields:
    """What the case flow reads of a journey (`cxsim.model.journey.Journey` is one)."""


class Desk:
    """A department's state in the case flow: its queue, today's capacity and the failure terms."""


class Case:
    """A customer's case: the journey it is on, the stage, and what went wrong on it so far."""


class Flow:
    """The model's state the case flow reads for every case: the day, the calendar, the departments,
    the boundaries' friction and the terms shared by all of them."""
