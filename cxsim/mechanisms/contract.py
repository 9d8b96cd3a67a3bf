"""The contract between the model and its mechanisms (ODD section 7, "process overview").

A mechanism is an object the model holds in its list (`CXModel.MECHANISMS`) and calls through
five hooks, each a no-op unless the mechanism overrides it:

* `install(regime, reorg)`: a regime takes effect: at the start (`reorg=False`) and at a reorg;
* `end_of_day()`: after the departments have worked the day's cases, before the day's money;
* `review()`: the weekly review (`mechanisms.governance.review_every_days`);
* `quarter()`: the quarterly budget round (`mechanisms.finance.budget_round_days`);
* `heard_failure(journey, phase, a, b)`: a failure, announced once by the model
  (`CXModel.failed`): a handoff failed at boundary (a, b), or a contact was left unsettled in
  department a (then b == a).

The model calls each hook on every mechanism that overrides it, in the order of its list; the
order is part of the model (the owners decide before the promise moves; the boundaries'
probabilities are refreshed after culture drifts). A mechanism reads the model it is given and
the other mechanisms by their `name` (`model.governance`), never the model's module.
"""

from __future__ import annotations

HOOKS = ("install", "end_of_day", "review", "quarter", "heard_failure")


class Mechanism:
    """A submodel behind the model's contract. `name` is the model's attribute that holds it."""

    name = "mechanism"

    def __init__(self, model):
        self.model = model

    def install(self, regime, reorg: bool) -> None:
        """A regime takes effect (a Params regime section): at the start, and at a reorg (`reorg=True`)."""

    def end_of_day(self) -> None:
        """The day's cases are worked: what this mechanism does before the day is booked."""

    def review(self) -> None:
        """The weekly review."""

    def quarter(self) -> None:
        """The quarterly budget round."""

    def heard_failure(self, journey: int, phase: int, a: int, b: int) -> None:
        """A failure: a failed handoff at boundary (a, b), or a contact left unsettled in department a (b == a)."""


def listeners(mechanisms, hook: str) -> list:
    """The bound `hook` of each mechanism that overrides it, in list order (a no-op is not called)."""
    if hook not in HOOKS:
        raise ValueError(f"{hook}: not a hook of the mechanism contract ({', '.join(HOOKS)})")
    default = getattr(Mechanism, hook)
    return [getattr(m, hook) for m in mechanisms if getattr(type(m), hook) is not default]
