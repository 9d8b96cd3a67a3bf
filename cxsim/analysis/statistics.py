"""Statistics over a sweep's runs: means with confidence intervals, paired
differences on common random numbers, and a ranking that says when regimes
cannot be told apart. Built on scipy.stats and pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

OUTCOMES = {  # column: (label, format, higher is better)
    "value": ("value (discounted, with what the horizon leaves)", "{:,.0f}", True),
    "profit": ("profit", "{:,.0f}", True),
    "operating_margin": ("operating margin", "{:.1%}", True),
    "handoff_failure_rate": ("handoff failure rate", "{:.1%}", False),
    "failure_demand_share": ("failure-demand share", "{:.1%}", False),
    "front_line_failure_demand_share": ("front-line failure demand", "{:.1%}", False),
    "first_contact_resolution": ("first-contact resolution", "{:.1%}", True),
    "satisfaction_mean": ("mean satisfaction", "{:.3f}", True),
    "annual_churn_rate": ("churn per year", "{:.1%}", False),
    "time_to_resolve": ("days to resolve", "{:.2f}", False),
    "cost_to_serve": ("cost to serve", "{:,.0f}", False),
    "governance_cost": ("governance cost", "{:,.0f}", False),
    "initiatives_started": ("CX initiatives started", "{:.1f}", True),
    "initiatives_succeeded": ("CX initiatives that worked", "{:.1f}", True),
    "initiative_cost": ("initiative cost", "{:,.0f}", False),
    "service_staffing_end": ("cost-centre staffing at the end", "{:.0%}", True),
}
NOT_FACTORS = {"coord.replicate", "coord.experiments", "coord.seed", "coord.regime", "coord.org"}
ALPHA = 0.05  # family-wise error rate of each rank group's comparisons
# The smallest profit difference worth a reorg decision, as a share of revenue. Source: materiality in
# auditing (IAASB, ISA 320: a difference is material if it could change the decisions of the report's
# users; 0.5-1% of revenue is a common benchmark). Assumption: the lower end, range 0-0.01 (0 = any
# difference the seeds can tell apart; `cxsim-compare --materiality`). Fixed before the groups were
# stress-tested, not tuned on them.
MATERIALITY = 0.005


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


def paired_differences(summary: pd.DataFrame, outcome: str = "profit",
                       materiality: float = MATERIALITY) -> pd.DataFrame:
    """Every regime against the best one in each scenario, paired on seeds
    (common random numbers: a seed gives every regime the same customers).

    Returns the mean difference (regime minus best), its 95% CI, the paired
    t-test p-value, the rank group (`rank_groups`: group 1 holds the best
    regime and every regime that cannot be told apart from it by more than
    the margin) and the rank (group by group, by mean within a group). On
    value and profit the margin is `materiality` times the scenario's mean revenue
    (`margin_of`); other outcomes have none.
    """
    higher = OUTCOMES.get(outcome, ("", "", True))[2]
    rows = []
    scen = settings(summary)
    for key, g in summary.groupby(scen):
        wide = g.pivot_table(index="seed", columns="regime", values=outcome)
        wide = wide.dropna()
        means = wide.mean().sort_values(ascending=not higher)
        best = means.index[0]
        margin = margin_of(g, materiality) if outcome in ("profit", "value") else 0.0
        groups = rank_groups(wide, higher, margin=margin)
        order = sorted(means.index, key=lambda r: groups[r])  # group by group, best mean first in each
        for rank, regime in enumerate(order, start=1):
            d = wide[regime] - wide[best]
            lo, hi = (0.0, 0.0) if regime == best else ci_of_mean(d)
            row = dict(zip(scen, key if isinstance(key, tuple) else (key,)))
            row.update(regime=regime, rank=rank, rank_group=groups[regime], replicates=len(d),
                       mean=float(wide[regime].mean()), diff_to_best=float(d.mean()),
                       diff_lo=lo, diff_hi=hi, p_vs_best=1.0 if regime == best else paired_p(wide[regime], wide[best]),
                       margin=margin, distinguishable_from_best=bool(groups[regime] > 1))
            rows.append(row)
    return pd.DataFrame(rows)


def margin_of(runs: pd.DataFrame, materiality: float = MATERIALITY) -> float:
    """The smallest profit difference the rank groups act on: `materiality` x mean revenue of the runs
    (0 if they carry no revenue)."""
    return float(materiality * runs["revenue"].mean()) if "revenue" in runs else 0.0


def rank_groups(wide: pd.DataFrame, higher: bool = True, alpha: float = ALPHA,
                margin: float = 0.0) -> dict[str, int]:
    """Rank groups of paired runs (a column per regime, a row per seed).

    Group 1 is the regime with the best mean and every regime that cannot be
    told apart from it by more than `margin` (in the outcome's unit): paired
    t-tests of the shortfall against it minus the margin, Holm's step-down
    correction over those comparisons (family-wise error `alpha`), so
    "different" is not said by chance among many regimes, nor for a gap too
    small to matter. Group 2 is the same among the regimes left, and so on. A
    regime in a later group fell short of the leader of every earlier group by
    more than the margin; within a group, none was told apart from its leader.
    """
    left = wide.mean().sort_values(ascending=not higher).index.tolist()
    groups: dict[str, int] = {}
    group = 0
    while left:
        group += 1
        leader, others = left[0], left[1:]
        sign = 1.0 if higher else -1.0
        differs = holm([shortfall_p(sign * (wide[leader] - wide[r]), margin) for r in others], alpha)
        members = [leader] + [r for r, diff in zip(others, differs) if not diff]
        groups.update({r: group for r in members})
        left = [r for r in left if r not in members]
    return groups


def shortfall_p(shortfall: pd.Series, margin: float = 0.0) -> float:
    """p-value that a paired shortfall (leader minus regime, per seed) exceeds `margin`: the two-sided
    t-test of shortfall - margin against 0 when its mean is above the margin, else 1. With no margin it
    is the paired t-test; with one it is a minimum-effect test at half the level (conservative)."""
    d = shortfall.astype(float) - margin
    if d.mean() <= 0:
        return 1.0
    if flat(d):
        return 0.0
    return float(stats.ttest_1samp(d, 0.0).pvalue)


def paired_p(a: pd.Series, b: pd.Series) -> float:
    """Two-sided paired t-test p-value; identical runs are not different, a constant shift is."""
    d = (a - b).astype(float)
    if flat(d):
        return 1.0 if d.mean() == 0 else 0.0
    return float(stats.ttest_rel(a, b).pvalue)


def flat(d: pd.Series) -> bool:
    """The same on every seed but for floating-point noise (a constant shift, or none: a short run where
    the regimes differ only in a fixed cost): nothing a t-test can measure, and scipy warns it tried."""
    return bool(d.std() <= 1e-12 * d.abs().max())


def holm(pvalues: list[float], alpha: float = ALPHA) -> list[bool]:
    """Holm's step-down procedure: which hypotheses are rejected at family-wise error alpha."""
    order = np.argsort(pvalues, kind="stable")
    rejected = [False] * len(pvalues)
    for step, i in enumerate(order):
        if pvalues[i] > alpha / (len(pvalues) - step):
            break
        rejected[i] = True
    return rejected


def ci_of_mean(x: pd.Series) -> tuple[float, float]:
    x = x.astype(float)
    if len(x) < 2 or flat(x):
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
