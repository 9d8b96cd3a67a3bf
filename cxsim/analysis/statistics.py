"""Statistics over a sweep's runs: means with confidence intervals, paired
differences on common random numbers, and a ranking that says when regimes
cannot be told apart. Built on scipy.stats and pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

OUTCOMES = {  # column: (label, format, higher is better)
    "profit": ("profit", "{:,.0f}", True),
    "handoff_failure_rate": ("handoff failure rate", "{:.1%}", False),
    "failure_demand_share": ("failure-demand share", "{:.1%}", False),
    "satisfaction_mean": ("mean satisfaction", "{:.3f}", True),
    "annual_churn_rate": ("churn per year", "{:.1%}", False),
    "time_to_resolve": ("days to resolve", "{:.2f}", False),
    "cost_to_serve": ("cost to serve", "{:,.0f}", False),
    "governance_overhead": ("governance overhead", "{:,.0f}", False),
}
NOT_FACTORS = {"coord.replicate", "coord.experiments", "coord.seed", "coord.regime", "coord.org"}


def tidy(summary: pd.DataFrame) -> pd.DataFrame:
    """Coordinates as numbers where they are numbers."""
    out = summary.copy()
    for col in out.columns:
        if col.startswith("coord."):
            converted = pd.to_numeric(out[col], errors="coerce")
            if converted.notna().all():
                out[col] = converted
    return out


def factors(summary: pd.DataFrame) -> list[str]:
    """Swept coordinates other than the regime and the replicate."""
    return [c for c in summary.columns
            if c.startswith("coord.") and c not in NOT_FACTORS and summary[c].nunique() > 1]


def settings(summary: pd.DataFrame) -> list[str]:
    """What identifies a scenario apart from the regime: the org and the swept parameters."""
    return ["org", *factors(summary)]


def mean_ci(summary: pd.DataFrame, outcomes=OUTCOMES, by: list[str] | None = None) -> pd.DataFrame:
    """Mean and 95% t confidence interval of each outcome per regime and scenario."""
    by = by if by is not None else ["regime", *settings(summary)]
    rows = []
    for key, g in summary.groupby(by, sort=True):
        row = dict(zip(by, key if isinstance(key, tuple) else (key,)))
        row["runs"] = len(g)
        for col in outcomes:
            x = g[col].astype(float).dropna()
            row[col] = x.mean()
            if len(x) > 1 and x.std() > 0:
                lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
            else:
                lo = hi = x.mean()
            row[f"{col}_lo"], row[f"{col}_hi"] = lo, hi
        rows.append(row)
    return pd.DataFrame(rows)


def paired_differences(summary: pd.DataFrame, outcome: str = "profit") -> pd.DataFrame:
    """Every regime against the best one in each scenario, paired on seeds
    (common random numbers: a seed gives every regime the same customers).

    Returns the mean difference (regime minus best), its 95% CI, the paired
    t-test p-value, and the rank; regimes whose difference from the one ranked
    just above is not significant (p >= 0.05) share its rank group.
    """
    higher = OUTCOMES.get(outcome, ("", "", True))[2]
    rows = []
    scen = settings(summary)
    for key, g in summary.groupby(scen):
        wide = g.pivot_table(index="seed", columns="regime", values=outcome)
        wide = wide.dropna()
        order = wide.mean().sort_values(ascending=not higher).index.tolist()
        best = order[0]
        group, prev = 1, None
        for rank, regime in enumerate(order, start=1):
            d = wide[regime] - wide[best]
            if regime == best:
                lo = hi = 0.0
                p_best = 1.0
            else:
                lo, hi = ci_of_mean(d)
                p_best = float(stats.ttest_rel(wide[regime], wide[best]).pvalue) if d.std() > 0 else 0.0
            if prev is not None:
                step = wide[regime] - wide[prev]
                p_prev = float(stats.ttest_rel(wide[regime], wide[prev]).pvalue) if step.std() > 0 else 0.0
                if p_prev < 0.05:
                    group += 1
            row = dict(zip(scen, key if isinstance(key, tuple) else (key,)))
            row.update(regime=regime, rank=rank, rank_group=group, replicates=len(d),
                       mean=float(wide[regime].mean()), diff_to_best=float(d.mean()),
                       diff_lo=lo, diff_hi=hi, p_vs_best=p_best,
                       distinguishable_from_best=bool(regime == best or p_best < 0.05))
            rows.append(row)
            prev = regime
    return pd.DataFrame(rows)


def ci_of_mean(x: pd.Series) -> tuple[float, float]:
    x = x.astype(float)
    if len(x) < 2 or x.std() == 0:
        return float(x.mean()), float(x.mean())
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    return float(lo), float(hi)


def band(timeseries: pd.DataFrame, column: str, by: str = "regime", smooth: int = 7) -> pd.DataFrame:
    """Per day and group: mean over runs and a 95% band (t), smoothed over `smooth` days."""
    ts = timeseries.copy()
    ts[column] = ts.groupby("run_id")[column].transform(lambda s: s.rolling(smooth, min_periods=1).mean())
    g = ts.groupby([by, "day"])[column]
    out = g.agg(["mean", "std", "count"]).reset_index()
    half = stats.t.ppf(0.975, np.maximum(out["count"] - 1, 1)) * out["std"].fillna(0) / np.sqrt(out["count"])
    out["lo"], out["hi"] = out["mean"] - half, out["mean"] + half
    return out
