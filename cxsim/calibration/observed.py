"""What a company measured: the data a calibration fits the model to.

A small YAML file (example: `cxsim/examples/mid_size_insurer_observed.yaml`). Give
what you measure and leave out the rest: the fit uses what is given.

    period_days: 365                 # the measures cover this many days
    satisfaction_scale: [1, 5]       # optional: the scale of your satisfaction scores (default 0..1)
    measures:                        # any of the run's summary outcomes
      handoff_failure_rate: 0.19     # share of transfers between departments that went wrong
      failure_demand_share: 0.15     # share of work caused by an earlier failure
      annual_churn_rate: 0.145       # customers lost per year, as a share of the average base
      satisfaction_mean: 3.4         # mean satisfaction (on satisfaction_scale)
      complaints: 120                # complaints logged in the period
    monthly_churn: [0.011, 0.012, ...]   # share of the base lost in each month, oldest first
    departments:                     # per department, from the contact centre's and CRM's logs
      service: {contacts: 52000, repeat_contacts: 8800}   # or repeat_contact_rate: 0.17
    transfers:                       # per department pair, from the CRM's transfer log
      agency -> claims: 0.25         # share of transfers from agency to claims that failed
    journeys:                        # per journey
      accident_claim: {failure_rate: 0.21, time_to_resolve: 6.0, satisfaction: 3.1, nps: -12, complaints: 30}

How each is read off the model (docs/model.md, section 6): contacts are
the contacts a department works, a repeat contact one caused by an earlier
failure (failure demand); a journey's satisfaction is the mean verdict of a
post-journey survey and its NPS the share of customers above `promoter_above`
minus those below `dissatisfied_below` right after it; complaints are the
expected complaints from dissatisfying journeys; monthly churn splits the
period into equal months and divides each month's leavers by its average
base (the fit uses their mean; the report shows every month).

The model is run for `period_days` from the company's state today (after a
warm-up, if `cxsim-calibrate --warmup` asks for one). Every name
under `measures` must be an outcome the model reports (`cxsim.runs.api.outcome_names`),
every department and journey one of the company's org; a mistake is named
with its file and line. Inside cxsim a measure is one name: an outcome
(`annual_churn_rate`), `transfer:FROM->TO`, `department:NAME:contacts`,
`journey:NAME:nps`, or `churn:monthly`.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cxsim.config.files import read_checked

KEYS = {"period_days", "satisfaction_scale", "measures", "monthly_churn", "departments", "transfers",
        "journeys", "description"}
SHARE, COUNT, DAYS, NPS, SATISFACTION = (0.0, 1.0), (0.0, math.inf), (0.0, math.inf), (-100.0, 100.0), None
JOURNEY_MEASURES = {"failure_rate": SHARE, "time_to_resolve": DAYS, "satisfaction": SATISFACTION, "nps": NPS,
                    "complaints": COUNT}
DEPARTMENT_MEASURES = {"contacts": COUNT, "repeat_contacts": COUNT, "repeat_contact_rate": SHARE}
SATISFACTION_OUTCOMES = {"satisfaction_mean", "satisfaction_p10", "satisfaction_p50", "satisfaction_p90"}
MONTHLY_CHURN = "churn:monthly"
NOT_MEASURES = {"regime", "org", "seed", "days", "events"}  # summary columns that describe the run
COMMON = ("handoff_failure_rate", "failure_demand_share", "repeat_contact_rate", "annual_churn_rate",
          "satisfaction_mean", "complaints", "time_to_resolve")
MONTH_DAYS = (28, 31)  # what a month may be: period_days / len(monthly_churn)


@dataclass
class Observed:
    period_days: int
    measures: dict[str, float]  # measure name -> measured value (satisfaction on the model's 0..1)
    monthly_churn: list[float] = field(default_factory=list)  # each month's, oldest first (shown in the report)


def number(value, fail, key: str, bounds: tuple[float, float] | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        fail(key, f"must be a number, got {value!r}")
    if bounds is not None and not bounds[0] <= value <= bounds[1]:
        fail(key, f"must be between {bounds[0]:g} and {bounds[1]:g}, got {value!r}")
    return float(value)


def transfer_name(a: str, b: str) -> str:
    return f"transfer:{a}->{b}"


def journey_name(journey: str, what: str) -> str:
    return f"journey:{journey}:{what}"


def department_name(department: str, what: str) -> str:
    return f"department:{department}:{what}"


def load(path: str | Path, departments: list[str] | None = None, journeys: list[str] | None = None) -> Observed:
    """The observed file; `departments` and `journeys` (the company's) check the names used in it."""
    from cxsim.runs.api import outcome_names

    path = Path(path)
    data, fail = read_checked(path, "period_days, measures", KEYS)
    period = data.get("period_days")
    if isinstance(period, bool) or not isinstance(period, int) or period < 1:
        fail("period_days", f"must be a whole number of days >= 1, got {period!r}")
    to_unit = satisfaction_scale(data.get("satisfaction_scale", [0, 1]), fail)
    for section in ("measures", "departments", "transfers", "journeys"):
        if not isinstance(data.get(section) or {}, dict):
            fail(section, "must be a mapping of names to values")
    values = {}
    known = outcome_names() - NOT_MEASURES
    for name, value in (data.get("measures") or {}).items():
        key = f"measures.{name}"
        if name not in known:
            close = difflib.get_close_matches(str(name), sorted(known), n=3)
            hint = f"did you mean {' or '.join(close)}?" if close else f"e.g. {', '.join(COMMON)}"
            fail(key, f"not an outcome the model reports; {hint} (every outcome: docs/model.md, section 7.7)")
        if name in SATISFACTION_OUTCOMES:
            values[str(name)] = to_unit(value, key)
        else:
            values[str(name)] = number(value, fail, key)
    months = monthly_churn(data.get("monthly_churn"), period, fail)
    if months:
        values[MONTHLY_CHURN] = float(np.mean(months))
    for dept, entries in (data.get("departments") or {}).items():
        key = f"departments.{dept}"
        if departments is not None and dept not in departments:
            fail(key, f"no department named {dept!r}; the org has {', '.join(departments)}")
        for what, value in entries_of(entries, key, DEPARTMENT_MEASURES, fail):
            values[department_name(str(dept), what)] = number(value, fail, f"{key}.{what}", DEPARTMENT_MEASURES[what])
    for pair, value in (data.get("transfers") or {}).items():
        key = f"transfers.{pair}"
        a, arrow, b = str(pair).partition("->")
        a, b = a.strip(), b.strip()
        if not arrow or not a or not b:
            fail(key, "write a pair as `from_department -> to_department`")
        for d in (a, b):
            if departments is not None and d not in departments:
                fail(key, f"no department named {d!r}; the org has {', '.join(departments)}")
        values[transfer_name(a, b)] = number(value, fail, key, SHARE)
    for journey, entries in (data.get("journeys") or {}).items():
        key = f"journeys.{journey}"
        if journeys is not None and journey not in journeys:
            fail(key, f"no journey named {journey!r}; the org has {', '.join(journeys)}")
        for what, value in entries_of(entries, key, JOURNEY_MEASURES, fail):
            wkey = f"{key}.{what}"
            values[journey_name(str(journey), what)] = (
                to_unit(value, wkey) if what == "satisfaction"
                else number(value, fail, wkey, JOURNEY_MEASURES[what]))
    if not values:
        fail("measures", "must list at least one measure, as `outcome: value`")
    return Observed(period, values, months)


def entries_of(entries, key: str, allowed: dict, fail):
    """The `what: value` pairs of one department or journey, each `what` one of `allowed`."""
    if not isinstance(entries, dict) or not entries:
        fail(key, f"give one or more of {', '.join(allowed)}")
    for what, value in entries.items():
        if what not in allowed:
            fail(f"{key}.{what}", f"not a measure here; one of {', '.join(allowed)}")
        yield str(what), value


def satisfaction_scale(scale, fail):
    """A function taking a satisfaction score on the company's scale to the model's 0..1."""
    if (not isinstance(scale, list) or len(scale) != 2
            or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in scale) or scale[0] >= scale[1]):
        fail("satisfaction_scale", f"must be [lowest, highest] score, e.g. [1, 5], got {scale!r}")
    low, high = float(scale[0]), float(scale[1])

    def to_unit(value, key: str) -> float:
        return (number(value, fail, key, (low, high)) - low) / (high - low)

    return to_unit


def monthly_churn(months, period: int, fail) -> list[float]:
    if months is None:
        return []
    if not isinstance(months, list) or not months:
        fail("monthly_churn", "must be a list of each month's churn, oldest first, e.g. [0.012, 0.011]")
    length = period / len(months)
    if not MONTH_DAYS[0] <= length <= MONTH_DAYS[1]:
        fail("monthly_churn", f"{len(months)} months do not fill period_days {period} "
                              f"({length:.1f} days each); give one value per month of the period")
    return [number(v, fail, f"monthly_churn[{i}]", SHARE) for i, v in enumerate(months)]


def month_column(month: int) -> str:
    return f"churn:month:{month + 1}"


def months_of(timeseries, period: int, months: int, start: int = 0):
    """Each month's churn per run: the `period` days from day `start` (after a warm-up) cut into `months`
    equal months, leavers / average base."""
    timeseries = timeseries[timeseries.day >= start]
    month = ((timeseries.day - start) * months // period).clip(upper=months - 1)  # days count from 0
    per = timeseries.assign(month=month).groupby(["run_id", "month"]).agg(
        left=("churned_today", "sum"), base=("active", "mean"))
    return (per.left / per.base.clip(lower=1)).unstack("month")


def run_measures(summary, read_table, names: list[str], period: int, months: int = 0, start: int = 0):
    """One row per run with a column per observed measure: from the summary, and from the store's
    other tables (`read_table(name)`) only when a measure needs them."""
    table = summary.set_index("run_id")[[n for n in names if ":" not in n]].copy()
    if any(n.startswith("transfer:") for n in names):
        h = read_table("handoffs").assign(name=lambda t: "transfer:" + t.from_department + "->" + t.to_department)
        rate = h.groupby(["run_id", "name"])[["handoffs", "failures"]].sum()
        wide = (rate.failures / rate.handoffs).unstack("name")
        for n in names:
            if n.startswith("transfer:"):
                table[n] = wide[n] if n in wide else float("nan")  # a pair never used: no rate
    for kind, source, column in (("journey", "journeys", "journey"), ("department", "departments", "department")):
        wanted = [n for n in names if n.startswith(kind + ":")]
        if wanted:
            rows = read_table(source)
            for n in wanted:
                name, what = n.removeprefix(kind + ":").rsplit(":", 1)
                table[n] = rows[rows[column] == name].set_index("run_id")[what]
    if MONTHLY_CHURN in names:  # the mean is fitted; each month is kept for the predictive check
        per = months_of(read_table("timeseries"), period, months, start)
        table[MONTHLY_CHURN] = per.mean(axis=1)
        for month in per:
            table[month_column(month)] = per[month]
    return table.reset_index()
