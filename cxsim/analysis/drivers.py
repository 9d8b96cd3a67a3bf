"""What the answer hinges on (issue 5): sensitivity of the winner's lead, and where each regime wins.

Two questions a board asks after "which regime?":

* *Which assumption could change the answer?* A Morris screening (SALib,
  `cxsim.analysis.sensitivity.design`/`analyse`) of the gap between the best regime and
  the runner-up, both run on the same Morris points and seeds: a large mu*
  means the assumption moves the lead; the sign of mu says whether raising it
  widens (+) or closes (-) the lead.
* *Under which assumptions does each regime win?* Scenario discovery with PRIM
  (Friedman & Fisher 1999, from the EMA Workbench) on the Latin hypercube
  samples: for each regime that wins some samples but not all, the box of
  assumptions where it wins. The box shown is the densest one on PRIM's
  peeling trajectory that still covers at least `MIN_COVERAGE` of the regime's
  wins; only the restricted assumptions are listed. PRIM gets numeric inputs
  only (its `inspect()` fails on categorical columns under pandas 3).
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from cxsim.analysis.robust import by_sample
from cxsim.analysis.sensitivity import analyse
from cxsim.config.errors import ConfigError

MIN_COVERAGE = 0.5  # the box must hold at least half of the regime's wins


def lead(per_point: pd.DataFrame, best: str, runner_up: str, outcome: str, higher: bool) -> pd.Series:
    """Per sample point: best minus runner-up (runner-up minus best when lower is better), mean over seeds."""
    wide = by_sample(per_point, outcome)
    gap = wide[best] - wide[runner_up]
    return gap if higher else -gap


def sensitivity(problem: dict, X: np.ndarray, names: list[str], gap: pd.Series, levels: int = 4) -> pd.DataFrame:
    """Morris screening of the lead; `names[i]` is the sample name of design row `X[i]`."""
    Y = gap.reindex(names).to_numpy()
    if np.isnan(Y).any():
        missing = sorted({n for n, y in zip(names, Y) if np.isnan(y)})
        raise ConfigError(f"no finished runs for Morris points {', '.join(missing)} (see the store's failed/); "
                          "run again to retry them")
    return analyse(problem, X, Y, levels)


def scenarios(samples: pd.DataFrame, winner: pd.Series) -> pd.DataFrame:
    """PRIM boxes: per regime, the ranges of the assumptions under which it wins.

    `samples`: one row per sample, one numeric column per uncertain assumption;
    `winner`: the winning regime per sample (same index). One row per regime
    and restricted assumption; a regime that wins everywhere or nowhere gets
    one row saying so.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ema_workbench warns about optional parallel back-ends
        from ema_workbench.analysis import prim
    logging.getLogger("EMA").setLevel(logging.ERROR)
    rows = []
    for regime in sorted(winner.unique()):
        y = (winner == regime).to_numpy()
        share = float(y.mean())
        if share == 1.0:
            rows.append({"regime": regime, "assumption": "(all)", "low": np.nan, "high": np.nan,
                         "coverage": 1.0, "density": 1.0, "wins": share, "note": "wins in every sample"})
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box = prim.Prim(samples.reset_index(drop=True), y, peel_alpha=0.1, mass_min=0.05).find_box()
        trajectory = box.peeling_trajectory
        eligible = trajectory[trajectory.coverage >= MIN_COVERAGE]
        i = int(eligible.density.idxmax())
        lims, full = box.box_lims[i], box.box_lims[0]
        restricted = [c for c in samples.columns if not np.allclose(lims[c], full[c])]
        base = {"regime": regime, "coverage": float(trajectory.coverage[i]),
                "density": float(trajectory.density[i]), "wins": share}
        if not restricted:
            rows.append({**base, "assumption": "(none)", "low": np.nan, "high": np.nan,
                         "note": "no box of assumptions concentrates its wins"})
        for c in restricted:
            low_cut, high_cut = lims[c][0] > full[c][0], lims[c][1] < full[c][1]
            rows.append({**base, "assumption": c, "low": float(lims[c][0]) if low_cut else np.nan,
                         "high": float(lims[c][1]) if high_cut else np.nan,
                         "note": f"box {i} of {len(trajectory) - 1} on the peeling trajectory"})
    return pd.DataFrame(rows, columns=["regime", "assumption", "low", "high", "coverage", "density", "wins", "note"])


def describe_box(rows: pd.DataFrame) -> str:
    """Plain words for one regime's box: 'levers.ceo_attention ≥ 12.1 and ...' (NaN = not cut)."""
    parts = []
    for _, r in rows.iterrows():
        if r.assumption.startswith("("):
            return r.note
        if pd.notna(r.low) and pd.notna(r.high):
            parts.append(f"{r.assumption} between {r.low:.3g} and {r.high:.3g}")
        elif pd.notna(r.low):
            parts.append(f"{r.assumption} ≥ {r.low:.3g}")
        else:
            parts.append(f"{r.assumption} ≤ {r.high:.3g}")
    return " and ".join(parts)
