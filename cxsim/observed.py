"""What a company measured: the data a calibration fits the model to.

A small YAML file (example: `examples/mid_size_insurer_observed.yaml`):

    period_days: 365                 # the measures cover this many days, from today
    measures:                        # any of the run's summary outcomes; leave out what you do not measure
      handoff_failure_rate: 0.19     # share of transfers between departments that went wrong
      failure_demand_share: 0.15     # share of contacts caused by an earlier failure (repeat contacts)
      annual_churn_rate: 0.145       # customers lost per year, as a share of the average base
      satisfaction_mean: 0.60        # mean satisfaction, 0..1 (a CSAT rescaled to 0..1)
    transfers:                       # per department pair, from the CRM's transfer log
      agency -> claims: 0.25         # share of transfers from agency to claims that failed
    journeys:                        # per journey: failure_rate (of its handoffs), time_to_resolve (days)
      accident_claim: {failure_rate: 0.21, time_to_resolve: 6.0}

The model is run for `period_days` from the company's state today and its
summary outcomes over that period are compared with the measures. Every name
under `measures` must be an outcome the model reports (`cxsim.api.outcome_names`),
every department and journey one of the company's org; a mistake is named
with its file and line. Inside cxsim a measure is one name: an outcome
(`annual_churn_rate`), `transfer:FROM->TO`, or `journey:NAME:failure_rate`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from cxsim.company import read_yaml, where
from cxsim.errors import ConfigError

KEYS = {"period_days", "measures", "transfers", "journeys", "description"}
JOURNEY_MEASURES = ("failure_rate", "time_to_resolve")


@dataclass
class Observed:
    period_days: int
    measures: dict[str, float]  # outcome name -> measured value


def number(value, fail, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        fail(key, f"must be a number, got {value!r}")
    return float(value)


def transfer_name(a: str, b: str) -> str:
    return f"transfer:{a}->{b}"


def journey_name(journey: str, what: str) -> str:
    return f"journey:{journey}:{what}"


def load(path: str | Path, departments: list[str] | None = None, journeys: list[str] | None = None) -> Observed:
    """The observed file; `departments` and `journeys` (the company's) check the names used in it."""
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
    values = {}
    for section in ("measures", "transfers", "journeys"):
        if not isinstance(data.get(section, {}), dict):
            fail(section, "must be a mapping of names to values")
    known = outcome_names()
    for name, value in (data.get("measures") or {}).items():
        key = f"measures.{name}"
        if name not in known:
            fail(key, f"not an outcome the model reports; one of {', '.join(sorted(known))}")
        values[str(name)] = number(value, fail, key)
    for pair, value in (data.get("transfers") or {}).items():
        key = f"transfers.{pair}"
        a, arrow, b = str(pair).partition("->")
        a, b = a.strip(), b.strip()
        if not arrow or not a or not b:
            fail(key, "write a pair as `from_department -> to_department`")
        for d in (a, b):
            if departments is not None and d not in departments:
                fail(key, f"no department named {d!r}; the org has {', '.join(departments)}")
        values[transfer_name(a, b)] = number(value, fail, key)
    for journey, entries in (data.get("journeys") or {}).items():
        key = f"journeys.{journey}"
        if journeys is not None and journey not in journeys:
            fail(key, f"no journey named {journey!r}; the org has {', '.join(journeys)}")
        if not isinstance(entries, dict) or not entries:
            fail(key, f"give one or more of {', '.join(JOURNEY_MEASURES)}")
        for what, value in entries.items():
            if what not in JOURNEY_MEASURES:
                fail(f"{key}.{what}", f"not a journey measure; one of {', '.join(JOURNEY_MEASURES)}")
            values[journey_name(str(journey), str(what))] = number(value, fail, f"{key}.{what}")
    if not values:
        fail("measures", "must list at least one measure, as `outcome: value`")
    return Observed(period, values)


def run_measures(summary, read_table, names: list[str]):
    """One row per run with a column per observed measure: from the summary, and from the store's
    handoff and journey tables (`read_table(name)`) only when a measure needs them."""
    table = summary.set_index("run_id")[[n for n in names if ":" not in n]].copy()
    if any(n.startswith("transfer:") for n in names):
        h = read_table("handoffs").assign(name=lambda t: "transfer:" + t.from_department + "->" + t.to_department)
        rate = h.groupby(["run_id", "name"])[["handoffs", "failures"]].sum()
        wide = (rate.failures / rate.handoffs).unstack("name")
        for n in names:
            if n.startswith("transfer:"):
                table[n] = wide[n] if n in wide else float("nan")  # a pair never used: no rate
    if any(n.startswith("journey:") for n in names):
        journeys = read_table("journeys")
        for n in names:
            if n.startswith("journey:"):
                _, journey, what = n.split(":")
                per = journeys[journeys.journey == journey].set_index("run_id")[what]
                table[n] = per
    return table.reset_index()
