"""Robust comparison of candidate regimes under uncertain assumptions (issue 5, part).

The uncertain assumptions of a company file are sampled with a Latin
hypercube (scipy.stats.qmc); every regime (today's and the candidates) runs on
every sample with the same seeds (common random numbers). Per regime:

* mean outcome with a 95% CI over samples,
* probability of being best (share of samples where its mean over seeds is best),
* expected and worst-case regret (best minus its own, over samples),
* satisficing share (share of samples where it meets every target).

The runs themselves go through the sweep machinery (`cxsim.decide.reorg`); this
module only turns their summary table into the robustness measures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import qmc

from cxsim.analysis.statistics import OUTCOMES, ci_of_mean


def latin_hypercube(uncertain: dict[str, tuple[float, float]], n: int, seed: int = 0) -> pd.DataFrame:
    keys = list(uncertain)
    unit = qmc.LatinHypercube(d=len(keys), seed=seed).random(n)
    lo = np.array([uncertain[k][0] for k in keys])
    hi = np.array([uncertain[k][1] for k in keys])
    return pd.DataFrame(qmc.scale(unit, lo, hi), columns=keys)


def meets(row: pd.Series, targets: dict[str, dict[str, float]]) -> bool:
    return all(("max" not in b or row[o] <= b["max"]) and ("min" not in b or row[o] >= b["min"])
               for o, b in targets.items())


def by_sample(runs: pd.DataFrame, outcome: str, over: str = "sample") -> pd.DataFrame:
    """One row per sample (or `over`), one column per regime: the outcome's mean over the seeds."""
    return runs.groupby([over, "regime"])[outcome].mean().unstack("regime")


def winners(runs: pd.DataFrame, outcome: str = "profit") -> pd.Series:
    """The best regime of each sample (on the mean over its seeds)."""
    higher = OUTCOMES.get(outcome, ("", "", True))[2]
    wide = by_sample(runs, outcome)
    return wide.idxmax(axis=1) if higher else wide.idxmin(axis=1)


def robustness(runs: pd.DataFrame, outcome: str = "profit", targets=None) -> pd.DataFrame:
    """One row per regime: mean and CI, P(best), expected and worst regret, satisficing share.

    `runs`: one row per run with columns `regime`, `sample` and the outcomes.
    Ordered by expected regret, so the first row is the most robust choice; with targets, satisficing
    first (Simon 1956; Lempert et al. 2003): the options that meet every target in most futures
    (`meets_targets`) come before the rest, each part by expected regret.
    """
    higher = OUTCOMES.get(outcome, ("", "", True))[2]
    cols = [outcome, *(targets or {})]
    per_sample = runs.groupby(["regime", "sample"])[cols].mean().reset_index()
    wide = by_sample(runs, outcome)
    best = wide.max(axis=1) if higher else wide.min(axis=1)
    regret = (best.to_numpy()[:, None] - wide) if higher else (wide - best.to_numpy()[:, None])
    winner = wide.idxmax(axis=1) if higher else wide.idxmin(axis=1)  # as `winners`, from the same table
    rows = []
    for regime in wide.columns:
        x = wide[regime]
        # the CI is over sampled futures; with one future (nothing uncertain) over its seeds
        lo, hi = ci_of_mean(x if len(x) > 1 else runs.loc[runs.regime == regime, outcome])
        sat = per_sample[per_sample.regime == regime].apply(lambda r: meets(r, targets or {}), axis=1)
        rows.append({"regime": regime, outcome: x.mean(), f"{outcome}_lo": lo, f"{outcome}_hi": hi,
                     "p_best": float((winner == regime).mean()),
                     "expected_regret": float(regret[regime].mean()), "worst_regret": float(regret[regime].max()),
                     "satisficing_share": float(sat.mean()), "samples": len(x)})
    table = pd.DataFrame(rows)
    table["meets_targets"] = table.satisficing_share > 0.5 if targets else True
    return table.sort_values(["meets_targets", "expected_regret"], ascending=[False, True]).reset_index(drop=True)
