"""All the assumptions at once: how often each regime is best when the uncertainty set moves together.

The crossover (`cxsim.decide.crossover`) moves one assumption at a time, so it
cannot see a verdict that is the sum of several assumptions moved together.
Here every assumption of the uncertainty set that acts on a compared regime
moves at once, on a Latin hypercube (`cxsim.analysis.robust.latin_hypercube`,
space-filling); each regime runs in each sampled future on the same seeds
(common random numbers), a regime's own constants only where it runs. From
the runs, as the company comparison does (`cxsim.analysis.robust`):

* per regime, P(best) (the share of futures where its mean over the seeds is
  the best) and its expected and worst regret;
* scenario discovery (PRIM, `cxsim.analysis.drivers.scenarios`): for the
  regime that leads at the defaults, the box of assumptions where it is *not*
  the best: where the verdict flips.
"""

from __future__ import annotations

import pandas as pd

from cxsim.analysis.drivers import describe_box, scenarios
from cxsim.analysis.robust import latin_hypercube, robustness
from cxsim.decide.crossover import Uncertainty, override, whole_days
from cxsim.runs.evaluator import evaluate, run_one

FLIPPED = "(another regime)"  # the winner's label in the samples where the default leader is not best


def futures(uncertainty: Uncertainty, regimes: list[str], n: int, seed: int = 0) -> pd.DataFrame:
    """`n` futures, one column per assumption acting on any of `regimes` (named as `Uncertainty.of`)."""
    ranges = {name: r for name, (r, _) in uncertainty.of(regimes).items()}
    points = latin_hypercube(ranges, n, seed=seed)
    for name, r in ranges.items():
        if whole_days(r):
            points[name] = points[name].round().astype(int)
    points.index.name = "sample"
    return points


def settings(points: pd.DataFrame, uncertainty: Uncertainty, regimes: list[str], i: int, regime: str,
             acts: dict | None = None) -> list[str]:
    """The overrides of future `i` for one regime: every mechanism assumption, and its own constants
    (`acts`: `uncertainty.of(regimes)`, passed when the caller has it)."""
    acts = acts or uncertainty.of(regimes)
    row = points.iloc[i]
    return [override(name, row[name], isinstance(acts[name][0][0], int) and isinstance(acts[name][0][1], int))
            for name in points.columns if regime in acts[name][1]]


def run(points: pd.DataFrame, uncertainty: Uncertainty, regimes: list[str], org: str, overrides, seeds,
        jobs: int | None = None) -> pd.DataFrame:
    """Every regime in every future on the same seeds: one summary row per run, with `sample`."""
    todo, where = [], []
    acts = uncertainty.of(regimes)
    for i in range(len(points)):
        for r in regimes:
            extra = settings(points, uncertainty, regimes, i, r, acts)
            for s in seeds:
                todo.append((r, org, s, [*overrides, *extra]))
                where.append((i, r))
    rows = evaluate(run_one, todo, jobs)
    runs = pd.DataFrame(rows)
    runs["sample"] = [i for i, _ in where]
    runs["regime"] = [r for _, r in where]
    return runs


def summary(runs: pd.DataFrame, points: pd.DataFrame, leader: str, metric: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """P(best) and regret per regime, and the PRIM box where `leader` (the verdict at the defaults) is not best."""
    table = robustness(runs, metric).sort_values("p_best", ascending=False).reset_index(drop=True)
    wide = runs.groupby(["sample", "regime"])[metric].mean().unstack("regime")
    winner = wide.idxmax(axis=1).where(lambda w: w == leader, FLIPPED)
    numeric = points.loc[wide.index].astype(float)
    boxes = scenarios(numeric, winner) if winner.nunique() > 1 else pd.DataFrame(
        [{"regime": leader, "assumption": "(all)", "note": "best in every sampled future"}])
    return table, boxes


def sentence(table: pd.DataFrame, boxes: pd.DataFrame, leader: str, futures_n: int, seeds_n: int) -> str:
    """The foot's lines: P(best) of the regimes that are ever best, and where the verdict flips."""
    best = table[table.p_best > 0]
    shares = ", ".join(f"{r.regime} {r.p_best:.0%}" for r in best.itertuples())
    lines = [f"All assumptions at once ({futures_n} futures of the uncertainty set, Latin hypercube, "
             f"{seeds_n} seeds each): best in {shares}; "
             f"lowest expected regret: {table.sort_values('expected_regret').regime.iloc[0]}."]
    flipped = boxes[boxes.regime == FLIPPED]
    p_leader = float(table.set_index("regime").p_best.get(leader, 0.0))
    if flipped.empty:
        lines.append(f"  {leader} is best in every sampled future.")
    else:
        r = flipped.iloc[0]
        lines.append(f"  {leader} (the verdict at the defaults) is best in {p_leader:.0%} of them; PRIM: it is not "
                     f"where {describe_box(flipped)} (this box holds {r.coverage:.0%} of those futures, "
                     f"{r.density:.0%} of the futures in it).")
    return "\n".join(lines)

