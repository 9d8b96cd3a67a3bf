"""A run's value, as a decision is valued: discounted cash plus what the horizon leaves.

Two years of undiscounted profit treat a customer kept on the last day as worth nothing and a cost
paid next year as paid today. A run's **value** is

    value = sum_t profit_t / (1 + i)^(t / 365)  +  terminal / (1 + i)^(T / 365)

over the counted days t (after the warm-up; T is the horizon), where i is the org's yearly discount
rate (`org.discount_rate`: a cost of capital, 8-12%: Reichheld; Gupta, Lehmann & Stuart 2004). The
terminal value is the **customer equity** of the base the horizon leaves (Gupta & Lehmann 2003):
each active customer's yearly margin m, at the run-rate of the last quarter, over its expected
remaining life at the last quarter's retention r,

    CLV = m * r / (1 + i - r)

with m = the customer's segment revenue less its product cost, less the last quarter's costs of
serving, governing and improving per customer-year (the run-rate of the firm's costs, carried by
the customers who pay for them). Future acquisitions are not counted: they are the same market for
every regime, and their spend is in the cash already. A regime that leaves fewer customers, more
churn or costlier boundaries leaves a smaller terminal value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

QUARTER = 91  # days of the run-rate [days]
RUN_RATE_COSTS = ("service_cost", "governance_cost", "initiative_cost")


def discount_factors(days: np.ndarray, rate: float) -> np.ndarray:
    """1 / (1 + rate)^(day / 365), per day counted from the first (day 0 is not discounted)."""
    return (1.0 + rate) ** (-np.asarray(days, dtype=float) / 365.0)


def present_value(cash: np.ndarray, rate: float) -> float:
    """Cash on consecutive days, the first undiscounted, at a yearly rate [money]."""
    cash = np.asarray(cash, dtype=float)
    return float(cash @ discount_factors(np.arange(len(cash)), rate))


def lifetime_value(margin: float, retention: float, rate: float) -> float:
    """Gupta & Lehmann (2003): m r / (1 + i - r) for a yearly margin m, yearly retention r, rate i."""
    retention = min(max(retention, 0.0), 1.0)
    return margin * retention / (1.0 + rate - retention)


def retention_rate(ts: pd.DataFrame) -> float:
    """Yearly retention at the last quarter's churn (the churn the horizon leaves)."""
    last = ts.tail(QUARTER)
    active = max(float(last.active.mean()), 1.0)
    yearly_churn = float(last.churned_today.sum()) / active * 365.0 / max(len(last), 1)
    return max(0.0, 1.0 - yearly_churn)


def customer_equity(ts: pd.DataFrame, segments: list, active_by_segment: list[int], rate: float,
                    retention: float) -> float:
    """What the customers left at the horizon are worth: each segment's margin at the last quarter's
    run-rate over the customers' expected remaining life, at the firm's retention [money]."""
    last = ts.tail(QUARTER)
    active = max(float(last.active.mean()), 1.0)
    per_customer_year = float(sum(last[c].sum() for c in RUN_RATE_COSTS)) / active * 365.0 / max(len(last), 1)
    return float(sum(n * lifetime_value(s.annual_value - s.annual_cost - per_customer_year, retention, rate)
                     for s, n in zip(segments, active_by_segment)))


def value(ts: pd.DataFrame, segments: list, active_by_segment: list[int], rate: float) -> dict:
    """The run's value and its parts: discounted cash, and the terminal value discounted from the horizon."""
    if not len(ts):
        return dict(value=0.0, value_cash=0.0, value_terminal=0.0, retention_end=np.nan)
    cash = present_value(ts.profit, rate)
    retention = retention_rate(ts)
    terminal = customer_equity(ts, segments, active_by_segment, rate, retention) * float(
        discount_factors([len(ts)], rate)[0])
    return dict(value=cash + terminal, value_cash=cash, value_terminal=terminal, retention_end=retention)
