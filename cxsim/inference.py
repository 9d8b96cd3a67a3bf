"""Approximate Bayesian computation: which parameter values make the model look like the data.

Rejection ABC with local-linear regression adjustment (Beaumont, Zhang and
Balding 2002, Genetics 162:2025): parameters are drawn from the prior (uniform
over the company's `uncertain` ranges, a Latin hypercube), the model is run at
each draw, and the runs whose measures lie closest to the observed ones are
kept, weighted by an Epanechnikov kernel on their distance; the kept
parameters are then corrected by a weighted linear regression of parameter on
measures, to the observed measures (on the logit of the prior range; only
where the kept runs surround the observed measures, so nothing is
extrapolated; and only for parameters the measures explain, by an F test). Distance: Euclidean over the measures,
each divided by its median absolute deviation across all runs (so a rate and
a count weigh alike).

A plain design of runs (not a sequential sampler, as ABC-SMC in pyabc) so
that the runs go through the sweep store: parallel, resumable, and reused
when the calibration is run again with another acceptance share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsim.errors import ConfigError

ADJUST_PER_TERM = 10  # kept runs per regression term needed before the adjustment is made
PINNED, PARTLY = 0.5, 0.8  # posterior 90% width / prior 90% width: below PINNED the data pin it down


@dataclass
class Fit:
    posterior: pd.DataFrame  # per parameter: prior range, 5/50/95% posterior, width ratio, verdict
    measures: pd.DataFrame  # per measure: observed, scale, simulated range, posterior predictive 5/50/95%, verdict
    draws: pd.DataFrame  # the accepted runs: adjusted parameters, weight, distance
    accepted: int
    runs: int
    adjusted: bool  # the regression adjustment was made (enough kept runs, around the observed measures)
    surrounded: bool  # the observed measures lie inside the cloud of runs, jointly (no extrapolation)
    gap: float  # scaled distance from the observed measures to the nearest run
    typical_gap: float  # 95th percentile of the runs' distances to their nearest other run


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs) -> np.ndarray:
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(qs, cum, v)


def to_logit(theta: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    u = np.clip((theta - lo) / np.where(hi > lo, hi - lo, 1.0), 1e-6, 1 - 1e-6)
    return np.log(u / (1 - u))


def from_logit(t: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return lo + (hi - lo) / (1 + np.exp(-t))


def regression_matters(A: np.ndarray, Y: np.ndarray, beta: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """Per parameter, whether the measures explain it (F test of the weighted regression, p < alpha).

    A parameter the measures do not explain (one the data cannot see) is left as drawn: adjusting it
    would only move it by noise, and to a bound when the observed measures sit at the edge of the runs.
    """
    from scipy.stats import f as f_dist

    n, q = A.shape[0], A.shape[1] - 1
    rss1 = ((Y - A @ beta) ** 2).sum(axis=0)
    mean = np.linalg.lstsq(A[:, :1], Y, rcond=None)[0]
    rss0 = ((Y - A[:, :1] @ mean) ** 2).sum(axis=0)
    F = (rss0 - rss1) / q / np.maximum(rss1 / (n - q - 1), 1e-300)
    return f_dist.sf(F, q, n - q - 1) < alpha


def joint_fit(z: np.ndarray, dist: np.ndarray) -> tuple[bool, float, float]:
    """Whether the observed measures lie inside the cloud of runs, taken together: their distance to the
    nearest run is no more than the 95th percentile of the runs' distances to their own nearest run.
    Each measure may be within the runs' range while the combination is not."""
    from scipy.spatial import cKDTree

    nearest_other = cKDTree(z).query(z, k=2)[0][:, 1]
    typical = float(np.quantile(nearest_other, 0.95))
    return bool(dist.min() <= typical), float(dist.min()), typical


def scales(sim: pd.DataFrame) -> pd.Series:
    """Median absolute deviation of each measure over the runs (standard deviation where it is 0)."""
    mad = (sim - sim.median()).abs().median() * 1.4826
    return mad.where(mad > 0, sim.std(ddof=0))


def fit(runs: pd.DataFrame, params: dict[str, tuple[float, float]], observed: dict[str, float],
        accept: float = 0.1, min_accepted: int = 20) -> Fit:
    """`runs`: one row per run with a column per parameter and per measure."""
    names = list(observed)
    never = [n for n in names if runs[n].isna().all()] or names
    runs = runs[runs[names].notna().all(axis=1)]  # e.g. a transfer a run never made: no rate to compare
    if runs.empty:
        raise ConfigError(f"no run has a value for every observed measure (never: {', '.join(never)}); "
                          "drop it, or lengthen period_days")
    sim = runs[names].astype(float)
    scale = scales(sim)
    usable = [m for m in names if np.isfinite(scale[m]) and scale[m] > 0]  # a constant measure tells nothing
    y = pd.Series(observed)[usable]
    z = (sim[usable] - y) / scale[usable]
    dist = np.sqrt((z**2).sum(axis=1)).to_numpy()
    k = int(min(len(runs), max(min_accepted, round(accept * len(runs)))))
    keep = np.argsort(dist, kind="stable")[:k]
    h = dist[keep].max() * 1.0001 or 1.0
    w = 1.0 - (dist[keep] / h) ** 2
    lo = np.array([params[p][0] for p in params])
    hi = np.array([params[p][1] for p in params])
    theta = runs.iloc[keep][list(params)].to_numpy(float)
    theta_t = to_logit(theta, lo, hi)  # adjusted on the logit of the prior range: stays inside it
    X = z.iloc[keep].to_numpy()  # measures minus observed, scaled: the regression is about x = y
    surrounded, gap, typical = joint_fit(z.to_numpy(), dist)
    # The adjustment extrapolates the kept runs to the observed measures: only where the runs surround
    # them (else an inert parameter was seen pushed to a bound), and with enough runs per term.
    adjusted, regression = theta.copy(), surrounded and k >= ADJUST_PER_TERM * (len(usable) + 1)
    moved = np.zeros(len(params), dtype=bool)
    if regression:  # too few kept runs make the regression, and so the adjustment, noise
        A = np.column_stack([np.ones(len(keep)), X])
        sw = np.sqrt(w)[:, None]
        beta, *_ = np.linalg.lstsq(A * sw, theta_t * sw, rcond=None)
        unit = (theta - lo) / np.where(hi > lo, hi - lo, 1.0)  # tested on the prior's own scale: the
        fit_unit, *_ = np.linalg.lstsq(A * sw, unit * sw, rcond=None)  # logit's long tails fake significance
        moved = regression_matters(A * sw, unit * sw, fit_unit)
        shifted = from_logit(theta_t - X @ beta[1:], lo, hi)
        adjusted[:, moved] = shifted[:, moved]

    rows = []
    for j, p in enumerate(params):
        q5, q50, q95 = weighted_quantiles(adjusted[:, j], w, [0.05, 0.5, 0.95])
        ratio = (q95 - q5) / (0.9 * (hi[j] - lo[j])) if hi[j] > lo[j] else 0.0
        verdict = ("pinned down by the data" if ratio < PINNED else
                   "partly constrained" if ratio < PARTLY else "left loose: the data hardly tell")
        rows.append({"parameter": p, "prior_low": lo[j], "prior_high": hi[j], "p05": q5, "median": q50,
                     "p95": q95, "width_ratio": ratio, "verdict": verdict, "regression_adjusted": bool(moved[j])})
    posterior = pd.DataFrame(rows)

    mrows = []
    kept = sim.iloc[keep]
    for m in names:
        x = kept[m].to_numpy()
        q5, q50, q95 = weighted_quantiles(x, w, [0.05, 0.5, 0.95])
        lo_all, hi_all = sim[m].min(), sim[m].max()
        obs = observed[m]
        if m not in usable:
            verdict = "not used: the same in every run"
        elif not lo_all <= obs <= hi_all:
            verdict = "CANNOT BE REPRODUCED: outside every run's value"
        else:
            verdict = "reproduced"
        mrows.append({"measure": m, "observed": obs, "scale": scale[m], "all_runs_min": lo_all,
                      "all_runs_max": hi_all, "fitted_p05": q5, "fitted_median": q50, "fitted_p95": q95,
                      "verdict": verdict})
    draws = pd.DataFrame(adjusted, columns=list(params))
    draws["weight"], draws["distance"] = w, dist[keep]
    draws["run_id"] = runs.iloc[keep]["run_id"].to_numpy() if "run_id" in runs else None
    return Fit(posterior, pd.DataFrame(mrows), draws, k, len(runs), regression, surrounded, gap, typical)
