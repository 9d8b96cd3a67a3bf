"""The transition: what switching from today's regime to a candidate costs and when it pays.

For each seed, two runs on common random numbers: staying with today's
regime, and switching to the candidate on `switch_day` (culture lags and
routines break: the J-curve, `cxsim.mechanisms.culture`). From the daily profit
difference (switch minus stay, smoothed over `window` days) come:

* dip: the lowest smoothed difference after the switch (money per day; < 0 is a dip);
* days to recover: from the switch until the smoothed difference is back at 0
  after its trough (the old level regained);
* days to break even: from the switch until the cumulative difference (the
  new regime's overhead included, as it is in profit) turns and stays positive;
* cumulative difference at the horizon.

Used by the reorg comparison (issue 5); callable on its own:

>>> from cxsim.analysis.transition import transition
>>> per_seed, summary = transition("no_owner", "coo_owned", switch_day=180, seeds=range(5))
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from omegaconf import DictConfig
from scipy import stats

from cxsim.config import composition
from cxsim.model import CXModel
from cxsim.runs.evaluator import evaluate


def daily_profit(base: DictConfig, regime: str, seed: int, days: int,
                 switch_day: int | None = None, candidate: str | None = None) -> pd.Series:
    cfg = base.copy()
    cfg.regime = composition.regime(regime)
    cfg.days = days
    if switch_day is not None:
        cfg.reorg.day, cfg.reorg.to = switch_day, candidate
    model = CXModel(config=cfg, seed=seed).run()
    return model.recorder.timeseries().set_index("day").profit


def measures(stay: pd.Series, switch: pd.Series, switch_day: int, window: int) -> dict:
    diff = (switch - stay).iloc[switch_day:]
    smooth = diff.rolling(window, min_periods=1).mean()
    trough_day = int(smooth.idxmin())
    after = smooth.loc[trough_day:]
    back = after[after >= 0]
    cumulative = diff.cumsum()
    negative = cumulative[cumulative < 0]
    if len(negative) == 0:
        break_even = 0
    elif negative.index[-1] == cumulative.index[-1]:
        break_even = np.nan  # still behind at the horizon
    else:
        break_even = int(negative.index[-1]) + 1 - switch_day
    return {
        "dip": float(smooth.min()),
        "dip_day": trough_day - switch_day,
        "days_to_recover": float(back.index[0] - switch_day) if len(back) else np.nan,
        "days_to_break_even": float(break_even),
        "cumulative_difference": float(cumulative.iloc[-1]),
    }


def transition(today: str, candidate: str, switch_day: int, seeds=range(5), days: int = 730,
               org: str = "auto_insurer", overrides: list[str] | tuple[str, ...] = (),
               window: int = 30, config: DictConfig | None = None,
               jobs: int | None = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-seed transition measures and their mean with a 95% CI. `config` (a
    company's, from `cxsim.decide.company`) replaces `org` and `overrides`; `jobs` processes run the
    seeds (`cxsim.runs.evaluator`; 1: here, one after another)."""
    base = config if config is not None else composition.compose([f"org={org}", *overrides])
    todo = [(base, today, candidate, seed, days, switch_day, window) for seed in seeds]
    per_seed = pd.DataFrame(evaluate(stay_or_switch, todo, jobs, chunksize=1))
    return per_seed, summarise(per_seed)


def stay_or_switch(job: tuple) -> dict:
    """One seed: today's regime kept, and switched to the candidate on the switch day; the measures."""
    base, today, candidate, seed, days, switch_day, window = job
    stay = daily_profit(base, today, seed, days)
    switch = daily_profit(base, today, seed, days, switch_day, candidate)
    return {"seed": seed, **measures(stay, switch, switch_day, window)}


def interval(x: pd.Series) -> tuple[float, float]:
    """95% interval of the mean over seeds: a percentile bootstrap (scipy), which stays within the values
    the seeds gave, so a count of days is never below zero (a t interval on three seeds can be). One
    seed, or all alike: that value."""
    x = x.to_numpy(dtype=float)
    if len(x) < 2 or np.all(x == x[0]):
        return (float(x[0]), float(x[0])) if len(x) else (np.nan, np.nan)
    res = stats.bootstrap((x,), np.mean, confidence_level=0.95, method="percentile", n_resamples=9999,
                          random_state=np.random.default_rng(0))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def summarise(per_seed: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% interval (`interval`) of each measure over seeds (a seed still behind at the horizon
    has no break-even day), and how many seeds gave a value."""
    summary = []
    for col in ("dip", "dip_day", "days_to_recover", "days_to_break_even", "cumulative_difference"):
        x = per_seed[col].dropna()
        lo, hi = interval(x)
        summary.append({"measure": col, "mean": x.mean() if len(x) else np.nan, "lo": lo, "hi": hi,
                        "seeds_with_value": len(x), "seeds": len(per_seed)})
    return pd.DataFrame(summary)
