"""The Model: entities, their state and the daily schedule (ODD sections 1-3).

* `model`: `CXModel`, the Mesa model: set-up and one day's schedule;
* `agents`: departments and customers (owners live with `governance`);
* `journey`: journeys, their stages and the organisation's boundaries (7.1);
* `caseflow`: the case flow: the day's customer events, the departments' work, stages and handoffs;
* `outcomes`: what is observed: the daily series and the per-run tables;
* `valuation`: a run's value: discounted cash plus the customer equity the horizon leaves;
* `invariants`: bookkeeping checks for `debug=true`.

Imports `cxsim.config` and `cxsim.mechanisms` only.
"""

from cxsim.model.model import CXModel

__all__ = ["CXModel"]
