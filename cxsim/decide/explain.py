"""Why A beats B: the gap between two regimes split two ways, on common seeds.

* **The P&L bridge**: the gap in value (or profit) as the sum of the gaps in its lines: revenue from the
  customers kept, product cost, service cost, acquisition, governance, initiatives, then (for value) the
  discounting of that cash and the terminal value the horizon leaves. Each line is a mean over the common
  seeds with its 95% interval; the lines add up to the gap exactly (the books of `cxsim.mechanisms.finance`).
* **The mechanisms' shares**: Shapley values over groups of mechanism switches (`SWITCHES`). The gap is
  measured with every subset of the groups switched on (the rest off, each by its own switch in the
  mechanisms file), on the same seeds; a group's share is its average marginal contribution over the
  orders in which the groups could be added (Shapley 1953, computed exactly over all 2^n subsets), per seed,
  so each share has an interval. The shares add up to the gap with every switch on minus the gap with
  every switch off; that remainder, the gap the regimes' structure (who holds which levers) makes on its
  own, is reported beside them.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy import stats

from cxsim.runs.evaluator import evaluate, run_one

# the P&L lines of the bridge: (label, summary column, sign in profit)
LINES = [("revenue (customers kept)", "revenue", +1), ("product cost", "product_cost", -1),
         ("service cost", "cost_to_serve", -1), ("acquisition", "acquisition_spend", -1),
         ("governance", "governance_cost", -1), ("initiatives", "initiative_cost", -1)]

# the mechanism groups of the Shapley split, each with the overrides that switch it off (mechanisms file)
SWITCHES = {
    "diffusion of responsibility": ["mechanisms.diffusion.level=none"],
    "journey KPIs (accountability)": ["mechanisms.accountability.strength=0"],
    "triage and rival owners": ["mechanisms.governance.triage=false",
                                "mechanisms.governance.conflicting_directives=false"],
    "customers leave while waiting": ["mechanisms.customer.leave_while_waiting=false"],
    "the CFO's cost-centre cuts": ["mechanisms.finance.cut_overspend=false"],
    "the department heads' forum": ["mechanisms.governance.forum=false"],
}


def interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% Student-t interval over seeds."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if len(values) < 2:
        return mean, np.nan, np.nan
    half = float(stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values)))
    return mean, mean - half, mean + half


def bridge(runs: pd.DataFrame, a: str, b: str, metric: str = "value") -> pd.DataFrame:
    """The gap A minus B in `metric`, line by line, paired on the seeds both ran (in each sampled future,
    where the runs have a `sample`)."""
    key = [c for c in ("sample", "seed") if c in runs]
    columns = [c for _, c, _ in LINES] + ["profit", "value", "value_cash", "value_terminal"]
    wide = runs.pivot_table(index=key, columns="regime", values=columns, aggfunc="first")
    gap = {col: (wide[col][a] - wide[col][b]).to_numpy(dtype=float) for col in columns}
    rows = [(label, sign * gap[col]) for label, col, sign in LINES]
    if metric == "value":
        rows += [("discounting of that cash", gap["value_cash"] - gap["profit"]),
                 ("terminal value (customer equity left)", gap["value_terminal"])]
    rows.append((f"= {metric}", gap[metric]))
    return pd.DataFrame([(label, *interval(v)) for label, v in rows], columns=["line", "gap", "lo", "hi"])


def in_words(lines: pd.DataFrame, a: str, b: str, metric: str = "value", shown: int = 3, verb: str = "ends") -> str:
    """The bridge in one sentence a board reads: the gap and the lines that make most of it (`verb`:
    "is" for a run not yet at its horizon)."""
    total = lines.iloc[-1]
    parts = lines.iloc[:-1].assign(size=lambda t: t.gap.abs()).sort_values("size", ascending=False)
    said = [f"{r.line} {r.gap:+,.0f}" for r in parts.head(shown).itertuples()]
    lead = "ahead of" if total.gap >= 0 else "behind"
    ci = "" if np.isnan(total.lo) else f" (95% CI {total.lo:+,.0f} to {total.hi:+,.0f})"  # one seed: no interval
    return f"{a} {verb} {abs(total.gap):,.0f} {lead} {b} on {metric}{ci}; the largest lines: {'; '.join(said)}."


def coalitions(groups: list[str]) -> list[frozenset]:
    return [frozenset(c) for k in range(len(groups) + 1) for c in itertools.combinations(groups, k)]


def overrides_for(on: frozenset, groups: list[str]) -> list[str]:
    return [o for g in groups if g not in on for o in SWITCHES[g]]


def shapley(gaps: dict[frozenset, np.ndarray], groups: list[str]) -> dict[str, np.ndarray]:
    """Exact Shapley values per seed from the gap of every coalition (per seed)."""
    n = len(groups)
    out = {}
    for g in groups:
        others = [h for h in groups if h != g]
        phi = 0.0
        for k in range(n):
            weight = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
            for s in itertools.combinations(others, k):
                s = frozenset(s)
                phi = phi + weight * (gaps[s | {g}] - gaps[s])
        out[g] = phi
    return out


def mechanism_shares(a: str, b: str, org: str, seeds, overrides=(), metric: str = "value",
                     jobs: int | None = None, groups: list[str] | None = None) -> tuple[pd.DataFrame, int]:
    """The Shapley split of the gap A minus B over the mechanism groups; (table, runs it took)."""
    groups = list(groups or SWITCHES)
    subsets = coalitions(groups)
    todo = [(r, org, s, [*overrides, *overrides_for(c, groups)]) for c in subsets for r in (a, b) for s in seeds]
    rows = evaluate(run_one, todo, jobs)
    values = {}
    for (r, _, s, _), row, c in zip(todo, rows, [c for c in subsets for _ in (a, b) for _ in seeds]):
        values[(c, r, s)] = row[metric]
    gaps = {c: np.array([values[(c, a, s)] - values[(c, b, s)] for s in seeds]) for c in subsets}
    phi = shapley(gaps, groups)
    table = [(g, *interval(phi[g])) for g in groups]
    table.append(("structure alone (every switch off)", *interval(gaps[frozenset()])))
    table.append((f"= {metric} gap, every mechanism on", *interval(gaps[frozenset(groups)])))
    return pd.DataFrame(table, columns=["mechanism", "share", "lo", "hi"]), len(todo)


def text(title: str, table: pd.DataFrame, label: str, value: str) -> str:
    width = max(len(str(x)) for x in table[label])
    lines = [title]
    for r in table.itertuples():
        name = getattr(r, label)
        lines.append(f"  {name:<{width}}  {getattr(r, value):>+14,.0f}  [{r.lo:+,.0f}, {r.hi:+,.0f}]")
    return "\n".join(lines)
