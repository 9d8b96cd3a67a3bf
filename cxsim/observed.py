"""What a company measured: the data a calibration fits the model to.

A small YAML file (example: `examples/mid_size_insurer_observed.yaml`):

    period_days: 365                 # the measures cover this many days, from today
    measures:                        # any of the run's summary outcomes; leave out what you do not measure
      handoff_failure_rate: 0.19     # share of transfers between departments that went wrong
      failure_demand_share: 0.15     # share of contacts caused by an earlier failure (repeat contacts)
      annual_churn_rate: 0.145       # customers lost per year, as a share of the average base
      satisfaction_mean: 0.60        # mean satisfaction, 0..1 (a CSAT rescaled to 0..1)

The model is run for `period_days` from the company's state today and its
summary outcomes over that period are compared with the measures. Every name
under `measures` must be an outcome the model reports (`cxsim.api.outcome_names`);
a mistake is named with its file and line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from cxsim.company import read_yaml, where
from cxsim.errors import ConfigError

KEYS = {"period_days", "measures", "description"}


@dataclass
class Observed:
    period_days: int
    measures: dict[str, float]  # outcome name -> measured value


def load(path: str | Path) -> Observed:
    from cxsim.api import outcome_names

    path = Path(path)
    data, lines = read_yaml(path, "period_days, measures")

    def fail(key: str, msg: str):
        raise ConfigError(f"{where(path, lines, key)}: {key}: {msg}")

    for key in data:
        if key not in KEYS:
            fail(key, f"unknown key; expected one of {', '.join(sorted(KEYS))}")
    period = data.get("period_days")
    if isinstance(period, bool) or not isinstance(period, int) or period < 1:
        fail("period_days", f"must be a whole number of days >= 1, got {period!r}")
    measures = data.get("measures")
    if not isinstance(measures, dict) or not measures:
        fail("measures", "must list at least one measure, as `outcome: value`")
    known = outcome_names()
    values = {}
    for name, value in measures.items():
        key = f"measures.{name}"
        if name not in known:
            fail(key, f"not an outcome the model reports; one of {', '.join(sorted(known))}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            fail(key, f"must be a number, got {value!r}")
        values[str(name)] = float(value)
    return Observed(period, values)
