"""A run's value (`cxsim.model.valuation`) against closed forms: a synthetic investment with a known
payback, and Gupta & Lehmann's customer lifetime value (issue 33, item 4)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cxsim.model import valuation


@pytest.mark.parametrize("rate", [0.0, 0.08, 0.10, 0.12])
def test_an_investment_with_a_known_payback_is_valued_as_its_closed_form(rate):
    """Pay 100,000 on day 0, earn 250 a day for five years: NPV = -C + c v (1 - v^D) / (1 - v), v the daily
    discount factor; undiscounted it pays back on day 400, discounted later, as the closed form says."""
    outlay, daily, days = 100_000.0, 250.0, 5 * 365
    cash = np.full(days + 1, daily)
    cash[0] = -outlay
    v = (1.0 + rate) ** (-1.0 / 365.0)
    closed = -outlay + (daily * days if rate == 0 else daily * v * (1.0 - v ** days) / (1.0 - v))
    assert valuation.present_value(cash, rate) == pytest.approx(closed, rel=1e-9)
    # the discounted payback: the first day the discounted cash to date is >= 0, against its closed form
    to_date = np.cumsum(cash * valuation.discount_factors(np.arange(days + 1), rate))
    payback = int(np.argmax(to_date >= 0))
    expected = (math.ceil(outlay / daily) if rate == 0
                else math.ceil(math.log(1.0 - outlay * (1.0 - v) / (daily * v)) / math.log(v)))
    assert payback == expected
    assert (payback == 400) == (rate == 0)


def test_lifetime_value_is_gupta_and_lehmanns_multiple():
    """r = 0.8, i = 0.10 gives 2.67 x the yearly margin (Gupta & Lehmann 2003, shared/evidence.md)."""
    assert valuation.lifetime_value(300.0, 0.8, 0.10) == pytest.approx(300.0 * 0.8 / 0.3)
    assert valuation.lifetime_value(1.0, 0.8, 0.10) == pytest.approx(2.6667, abs=1e-4)
    assert valuation.lifetime_value(1.0, 0.0, 0.10) == 0.0  # a customer who never stays is worth nothing more


def test_a_runs_value_is_its_discounted_cash_plus_the_equity_it_leaves():
    """A synthetic year of 1,000 customers: the parts add up, and fewer customers left, or
    more churn at the end, leave a smaller terminal value."""
    seg = pd.Series({"annual_value": 800.0, "annual_cost": 500.0})
    days = 365

    def ts(churn_per_day: float) -> pd.DataFrame:
        return pd.DataFrame({"profit": np.full(days, 100.0), "active": np.full(days, 1000.0),
                             "churned_today": np.full(days, churn_per_day), "service_cost": np.full(days, 200.0),
                             "governance_cost": 0.0, "initiative_cost": 0.0})

    out = valuation.value(ts(0.3), [seg], [1000], 0.10)
    assert out["value"] == pytest.approx(out["value_cash"] + out["value_terminal"])
    retention = 1.0 - 0.3 * 365 / 1000
    assert out["retention_end"] == pytest.approx(retention)
    margin = 800 - 500 - 200 * 365 / 1000
    equity = 1000 * margin * retention / (1.10 - retention)
    assert out["value_terminal"] == pytest.approx(equity * 1.10 ** -1.0)
    assert valuation.value(ts(0.6), [seg], [1000], 0.10)["value_terminal"] < out["value_terminal"]
    assert valuation.value(ts(0.3), [seg], [900], 0.10)["value_terminal"] < out["value_terminal"]
