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

Sequential (`sequential`): runs drawn from the prior waste most of their time
far from the data, so later generations are drawn near the runs kept so far
(ABC population Monte Carlo, Beaumont, Cornuet, Marin and Robert 2009,
Biometrika 96:983), every run is pooled with its importance weight against the
prior (adaptive multiple importance sampling, Cornuet et al. 2012), and the fit
above is made on the pool. One generation is plain rejection ABC.

Why not pyabc's ABC-SMC: pyabc runs the model in its own worker processes,
one particle at a time until enough are accepted; here each generation is a
batch of runs through the sweep store and Hydra's launchers, so a calibration
is parallel on a laptop or a cluster, resumable run by run after a crash, and
every run keeps its tables and provenance. The statistics come from scipy
(weighted Gaussian kernel density for the proposal).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsim.config.errors import ConfigError

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
    kept: pd.DataFrame  # the kept runs' parameters as drawn (not adjusted) and their weights
    tolerance: float  # distance of the farthest kept run
    generations: pd.DataFrame | None = None  # per generation of a sequential fit: runs, tolerance, ESS


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
        accept: float = 0.1, min_accepted: int = 20, reference: pd.DataFrame | None = None) -> Fit:
    """`runs`: one row per run with a column per parameter and per measure, and optionally
    `prior_weight` (the run's importance weight when it was not drawn from the prior, see
    `sequential`). The measures are scaled by their spread over `reference` (default: the runs)."""
    names = list(observed)
    never = [n for n in names if runs[n].isna().all()] or names
    runs = runs[runs[names].notna().all(axis=1)]  # e.g. a transfer a run never made: no rate to compare
    if runs.empty:
        raise ConfigError(f"no run has a value for every observed measure (never: {', '.join(never)}); "
                          "drop it, or lengthen period_days")
    sim = runs[names].astype(float)
    scale = scales(sim if reference is None else reference[names].astype(float))
    usable = [m for m in names if np.isfinite(scale[m]) and scale[m] > 0]  # a constant measure tells nothing
    y = pd.Series(observed)[usable]
    z = (sim[usable] - y) / scale[usable]
    dist = np.sqrt((z**2).sum(axis=1)).to_numpy()
    k = int(min(len(runs), max(min_accepted, round(accept * len(runs)))))
    keep = np.argsort(dist, kind="stable")[:k]
    h = dist[keep].max() * 1.0001 or 1.0
    w = 1.0 - (dist[keep] / h) ** 2
    if "prior_weight" in runs:
        w = w * runs["prior_weight"].to_numpy(float)[keep]
    lo = np.array([params[p][0] for p in params])
    hi = np.array([params[p][1] for p in params])
    theta = runs.iloc[keep][list(params)].to_numpy(float)
    X = z.iloc[keep].to_numpy()  # measures minus observed, scaled: the regression is about x = y
    surrounded, gap, typical = joint_fit(z.to_numpy(), dist)
    # The adjustment extrapolates the kept runs to the observed measures: only where the runs surround
    # them (else an inert parameter was seen pushed to a bound), and with enough runs per term.
    regression = surrounded and k >= ADJUST_PER_TERM * (len(usable) + 1)
    adjusted, moved = adjust(theta, X, w, lo, hi) if regression else (theta.copy(), np.zeros(len(params), bool))
    posterior = posterior_table(list(params), adjusted, w, lo, hi, moved)
    measures = measures_table(observed, usable, sim, keep, w, scale)
    draws = pd.DataFrame(adjusted, columns=list(params))
    draws["weight"], draws["distance"] = w, dist[keep]
    draws["run_id"] = runs.iloc[keep]["run_id"].to_numpy() if "run_id" in runs else None
    return Fit(posterior, measures, draws, k, len(runs), regression, surrounded, gap, typical,
               kept=runs.iloc[keep][list(params)].assign(weight=w), tolerance=float(dist[keep].max()))


def adjust(theta: np.ndarray, X: np.ndarray, w: np.ndarray, lo: np.ndarray,
           hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Beaumont's local-linear regression adjustment of the kept draws towards x = y (X = 0), on the
    logit of the prior range (stays inside it), for the parameters the measures explain (F test).
    Too few kept runs make the regression, and so the adjustment, noise: the caller checks that."""
    theta_t = to_logit(theta, lo, hi)
    A = np.column_stack([np.ones(len(theta)), X])
    sw = np.sqrt(w)[:, None]
    beta, *_ = np.linalg.lstsq(A * sw, theta_t * sw, rcond=None)
    unit = (theta - lo) / np.where(hi > lo, hi - lo, 1.0)  # tested on the prior's own scale: the
    fit_unit, *_ = np.linalg.lstsq(A * sw, unit * sw, rcond=None)  # logit's long tails fake significance
    moved = regression_matters(A * sw, unit * sw, fit_unit)
    adjusted = theta.copy()
    adjusted[:, moved] = from_logit(theta_t - X @ beta[1:], lo, hi)[:, moved]
    return adjusted, moved


def posterior_table(params: list[str], adjusted: np.ndarray, w: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                    moved: np.ndarray) -> pd.DataFrame:
    """Per parameter: the posterior's 5/50/95% and how much narrower it is than the prior."""
    rows = []
    for j, p in enumerate(params):
        q5, q50, q95 = weighted_quantiles(adjusted[:, j], w, [0.05, 0.5, 0.95])
        ratio = (q95 - q5) / (0.9 * (hi[j] - lo[j])) if hi[j] > lo[j] else 0.0
        verdict = ("pinned down by the data" if ratio < PINNED else
                   "partly constrained" if ratio < PARTLY else "left loose: the data hardly tell")
        rows.append({"parameter": p, "prior_low": lo[j], "prior_high": hi[j], "p05": q5, "median": q50,
                     "p95": q95, "width_ratio": ratio, "verdict": verdict, "regression_adjusted": bool(moved[j])})
    return pd.DataFrame(rows)


def measures_table(observed: dict[str, float], usable: list[str], sim: pd.DataFrame, keep: np.ndarray,
                   w: np.ndarray, scale: pd.Series) -> pd.DataFrame:
    """Per measure: observed against the kept runs' 5/50/95%, and whether any run reproduces it."""
    rows = []
    kept = sim.iloc[keep]
    for m, obs in observed.items():
        q5, q50, q95 = weighted_quantiles(kept[m].to_numpy(), w, [0.05, 0.5, 0.95])
        lo_all, hi_all = sim[m].min(), sim[m].max()
        if m not in usable:
            verdict = "not used: the same in every run"
        elif not lo_all <= obs <= hi_all:
            verdict = "CANNOT BE REPRODUCED: outside every run's value"
        else:
            verdict = "reproduced"
        rows.append({"measure": m, "observed": obs, "scale": scale[m], "all_runs_min": lo_all,
                     "all_runs_max": hi_all, "fitted_p05": q5, "fitted_median": q50, "fitted_p95": q95,
                     "verdict": verdict})
    return pd.DataFrame(rows)


class Proposal:
    """Where the next generation's draws come from: a Gaussian kernel around each kept run, with twice
    the kept runs' weighted covariance (Beaumont, Cornuet, Marin and Robert 2009), cut to the prior's
    box (scipy's weighted `gaussian_kde`; its density is divided by the mass left inside the box)."""

    def __init__(self, kept: pd.DataFrame, lo: np.ndarray, hi: np.ndarray):
        from scipy.stats import gaussian_kde

        theta = kept.drop(columns="weight").to_numpy(float).T
        self.lo, self.hi = lo, hi
        self.kde = gaussian_kde(theta, weights=kept.weight.to_numpy(float), bw_method=np.sqrt(2.0))
        mass = self.kde.integrate_box(lo, hi, rng=np.random.default_rng(0))  # seeded: a rerun gets the same weights
        self.mass = float(min(max(mass, 1e-12), 1.0))

    def pdf(self, theta: np.ndarray) -> np.ndarray:
        inside = np.all((theta >= self.lo) & (theta <= self.hi), axis=1)
        return np.where(inside, self.kde.pdf(theta.T) / self.mass, 0.0)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        out = np.empty((0, len(self.lo)))
        for _ in range(1000):  # keep the draws inside the box
            draws = self.kde.resample(max(2 * n, 64), seed=rng).T
            draws = np.array([[float(f"{v:.6g}") for v in row] for row in draws])  # readable, stable names
            out = np.vstack([out, draws[np.all((draws >= self.lo) & (draws <= self.hi), axis=1)]])
            if len(out) >= n:
                return out[:n]
        raise ConfigError("the posterior lies outside the prior ranges: widen the company's `uncertain`")


def prior_weights(theta: np.ndarray, drawn: list[tuple[int, Proposal | None]], lo, hi) -> np.ndarray:
    """Each run's importance weight against the uniform prior, whichever generation drew it: prior
    density over the mixture of every generation's proposal, weighted by its runs (the deterministic
    mixture of adaptive multiple importance sampling, Cornuet, Marin, Mira and Robert 2012)."""
    width = np.where(hi > lo, hi - lo, 1.0)
    prior = 1.0 / np.prod(width)
    total = sum(n for n, _ in drawn)
    mixture = sum(n / total * (np.full(len(theta), prior) if q is None else q.pdf(theta)) for n, q in drawn)
    return prior / mixture


def sequential(simulate, params: dict[str, tuple[float, float]], observed: dict[str, float], samples: int,
               generations: int, accept: float, seed: int = 0) -> Fit:
    """Sequential ABC: generation 0 draws `samples` runs from the prior (a Latin hypercube); each next
    generation draws `samples` more from a kernel around the runs kept so far, so the runs gather where
    the model looks like the data. Every run ever made is kept in the pool with its importance weight,
    and the fit (`fit`) is made on the pool: the tolerance falls as the pool fills near the data.

    `simulate(points, generation)` runs the model at each row of `points` (one column per parameter) and
    returns one row per finished run: the parameters, the measures and a `run_id`. A generation's points
    depend only on the runs before it, so an interrupted calibration redraws the same points and resumes.
    """
    from cxsim.analysis.robust import latin_hypercube

    lo = np.array([params[p][0] for p in params])
    hi = np.array([params[p][1] for p in params])
    points = latin_hypercube(params, samples, seed=seed)
    pool, drawn, rows = [], [], []
    reference, proposal = None, None  # the proposal: made at the end of each generation for the next
    for g in range(generations):
        runs = simulate(points, g)
        drawn.append((len(points), None if g == 0 else proposal))
        if g == 0:
            reference = runs  # measures are scaled by their spread under the prior, in every generation
        pool.append(runs.assign(generation=g))
        runs = pd.concat(pool, ignore_index=True)
        runs["prior_weight"] = prior_weights(runs[list(params)].to_numpy(float), drawn, lo, hi)
        fitted = fit(runs, params, observed, accept=accept, reference=reference)
        w = fitted.kept.weight.to_numpy()
        rows.append({"generation": g, "runs": len(pool[-1]), "pooled": len(runs), "kept": fitted.accepted,
                     "tolerance": fitted.tolerance, "effective_sample_size": w.sum() ** 2 / (w**2).sum()})
        if g + 1 < generations:
            proposal = Proposal(fitted.kept, lo, hi)
            points = pd.DataFrame(proposal.sample(samples, np.random.default_rng([seed, g + 1])),
                                  columns=list(params))
    fitted.generations = pd.DataFrame(rows)
    return fitted
