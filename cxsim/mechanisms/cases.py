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
    the boundaries' friction and the terms shared by all of them; `draw`, the model's uniform draw
    (`model.random.random`, bound once: the case flow draws a few hundred thousand times a run)."""


def initiatives_factor(model, journey: int, a: int, b: int) -> float:
    """What the initiatives that worked on this journey at boundary (a, b), or in department a
    (b == a), left of the failure probability (`cxsim.mechanisms.initiatives`); 1 where none did,
    as everywhere before the first one works (then no key is built)."""
    factor = model.portfolio.factor
    return factor.get((journey, a, b), 1.0) if factor else 1.0
