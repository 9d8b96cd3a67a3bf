"""Does the headline survive its regime constants? Each moved by a share, one at a time.

`cxsim-compare --stress 0.3` reruns, for every regime of the table and every constant of that
regime in the uncertainty set, the regime with the constant at (1 - 0.3) and (1 + 0.3) times its
value (within the constant's range of validity: 0..1 for shares), on the comparison's seeds
(common random numbers), puts those runs in place of the regime's own, and recomputes the rank
groups. A constant that changes the groups is reported; the crossover line says whether the lead
was named as hinging on it.
"""

from __future__ import annotations

import pandas as pd

from cxsim.analysis.statistics import MATERIALITY, margin_of, rank_groups
from cxsim.config.validation import REGIME_UNIT_KEYS
from cxsim.decide.crossover import Uncertainty, default_value, override
from cxsim.runs.evaluator import evaluate, run_one

# regime constants that are shares, at most 1 (as validation checks them)
SHARES = (*REGIME_UNIT_KEYS, "backing", "authority_team", "authority_own", "judgement")


def moved(value: float, key: str, factor: float) -> float:
    out = value * factor
    share = key.rsplit(".", 1)[-1] in SHARES or ".authority." in key  # authority per department is a share
    return min(out, 1.0) if share else out


def groups_of(runs: pd.DataFrame, margin: float) -> dict[str, int]:
    return rank_groups(runs.pivot(index="seed", columns="regime", values="profit"), margin=margin)


def stress(runs: pd.DataFrame, org: str, overrides, uncertainty: Uncertainty, share: float,
           jobs: int | None = None, materiality: float = MATERIALITY) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per (regime constant, direction): its value, the rank groups it gives, whether they changed;
    and the moved runs themselves (`constant`, `value` columns added).
    The margin stays the defaults' (`margin_of` the comparison's runs), so only the runs move."""
    margin = margin_of(runs, materiality)
    base = groups_of(runs, margin)
    seeds = sorted(runs.seed.unique())
    points = []
    for regime in sorted(runs.regime.unique()):
        for key in uncertainty.regimes.get(regime, {}):
            value = default_value(key, regime, org, overrides)
            for factor in (1 - share, 1 + share):
                points.append((regime, key, value, moved(value, key, factor)))
    todo = [(regime, org, s, [*overrides, override(key, new, False)])
            for regime, key, _, new in points for s in seeds]
    rows = evaluate(run_one, todo, jobs)
    table, moved_runs, leaders = [], [], {r for r, g in base.items() if g == 1}
    for k, (regime, key, value, new) in enumerate(points):
        mine = pd.DataFrame(rows[k * len(seeds):(k + 1) * len(seeds)])
        moved_runs.append(mine.assign(constant=key, value=new))
        groups = groups_of(pd.concat([runs[runs.regime != regime], mine]), margin)
        table.append(dict(regime=regime, constant=key, default=value, value=new,
                          groups=", ".join(f"{r}:{g}" for r, g in sorted(groups.items(), key=lambda kv: kv[1])),
                          changed=groups != base, leading_changed={r for r, g in groups.items() if g == 1} != leaders))
    return pd.DataFrame(table), pd.concat(moved_runs, ignore_index=True)


def summary(table: pd.DataFrame, share: float, named: list[str]) -> str:
    """The constants that change the leading group, those that change only lower ones, and whether the
    crossover line named them (`named`: the keys, `regime:key` for a regime's constant, of the assumptions
    it names as reversing the lead or breaking the leaders' tie)."""
    head = f"stress: each regime constant at -/+{share:.0%}, one at a time ({len(table)} moves)"
    changed = table[table.changed]
    if changed.empty:
        return f"{head}: the rank groups never change."
    leading = changed[changed.leading_changed]
    lines = [head + ":"]
    if len(leading):
        names = sorted(set(leading.constant + " (" + leading.regime + ")"))
        unnamed = sorted(set(leading.constant + " (" + leading.regime + ")")
                         - {f"{k.split(':', 1)[1]} ({k.split(':', 1)[0]})" for k in named if ":" in k})
        lines.append(f"  the leading group changes when {'; '.join(names)} moves"
                     + (f"; the crossover line did not name {'; '.join(unnamed)}" if unnamed else
                        f"; the crossover line names {'it' if len(names) == 1 else 'each'}") + ".")
    lower = changed.drop(leading.index)
    if len(lower):
        lines.append(f"  lower groups change for {len(lower)} of the {len(table)} moves ({len(set(lower.constant))} "
                     f"constants; stress.csv)." if len(leading) else
                     f"  the leading group never changes; lower groups change for {len(lower)} of the "
                     f"{len(table)} moves (stress.csv).")
    return "\n".join(lines)
