"""Where the lead swaps: the assumption the leading regime's lead hinges on, and its crossover.

After the comparison, `cxsim-compare` takes the best regime A and the runner-up
B (by mean profit) and asks which single assumption of the uncertainty set
(`configs/uncertainty/default.yaml`) moves A's lead over B the most, and at
which value of it B would lead instead:

1. Screening, one at a time: each assumption at the low and the high end of
   its range, everything else at the defaults, on the first `screen_seeds`
   seeds of the comparison (common random numbers: the lead at the defaults
   on the same seeds comes from the comparison's own runs). A mechanism
   assumption reruns both regimes, a regime's own constant only that regime.
2. Bisection: for the most influential assumption whose range holds a value
   where B leads, halve the interval between the default and that end until
   it is narrower than `tolerance` of the range (whole days: one day).

The answer is a sentence for the table's foot, and the screening as a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from omegaconf import OmegaConf

from cxsim.config import composition
from cxsim.config.errors import ConfigError
from cxsim.decide.batch import pool, run_one

DEFAULT = composition.CONFIG_DIR / "uncertainty" / "default.yaml"


@dataclass
class Uncertainty:
    """Ranges of the assumptions: `mechanisms` act in every regime, `regimes[name]` only in that one."""

    mechanisms: dict[str, tuple[float, float]]
    regimes: dict[str, dict[str, tuple[float, float]]]

    def of(self, regimes: list[str]) -> dict[str, tuple[tuple[float, float], set[str]]]:
        """Each assumption that acts on any of `regimes`: its range and the regimes it acts on."""
        out = {k: (r, set(regimes)) for k, r in self.mechanisms.items()}
        for name in regimes:
            for key, r in self.regimes.get(name, {}).items():
                out[f"{name}:{key}"] = (r, {name})
        return out


def bounds(key: str, value) -> tuple[float, float]:
    if not (isinstance(value, list) and len(value) == 2
            and all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in value) and value[0] < value[1]):
        raise ConfigError(f"{key}: must be [low, high] with low < high, got {value!r}")
    return value[0], value[1]


def load(path: Path = DEFAULT) -> Uncertainty:
    """Read and check an uncertainty file: every key must exist in the config it acts on."""
    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the uncertainty file ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping with the sections mechanisms and regimes")
    unknown = set(data) - {"mechanisms", "regimes"}
    if unknown:
        raise ConfigError(f"{path}: {sorted(unknown)[0]}: unknown section (mechanisms, regimes)")
    base = composition.compose([])
    mechanisms = {}
    for key, value in (data.get("mechanisms") or {}).items():
        if not key.startswith("mechanisms.") or OmegaConf.select(base, key) is None:
            raise ConfigError(f"mechanisms: {key}: not a mechanism parameter of the config")
        mechanisms[key] = bounds(f"mechanisms.{key}", value)
    regimes = {}
    for name, params in (data.get("regimes") or {}).items():
        if not isinstance(params, dict | None):
            raise ConfigError(f"regimes.{name}: must be a mapping of config key -> [low, high]")
        cfg = composition.compose([f"regime={name}"])
        regimes[name] = {}
        for key, value in (params or {}).items():
            if not key.startswith("regime.") or OmegaConf.select(cfg, key) is None:
                raise ConfigError(f"regimes.{name}.{key}: not a parameter of regime {name}")
            regimes[name][key] = bounds(f"regimes.{name}.{key}", value)
    return Uncertainty(mechanisms, regimes)


def override(name: str, value: float, whole: bool) -> str:
    key = name.split(":", 1)[-1]
    return f"{key}={int(round(value))}" if whole else f"{key}={value:.6g}"


def default_value(name: str, regime: str, org: str, overrides) -> float:
    key = name.split(":", 1)[-1]
    return float(OmegaConf.select(composition.compose([f"regime={regime}", f"org={org}", *overrides]), key))


class Leads:
    """Runs A and B at given values of one assumption and returns A's mean lead over B (profit)."""

    def __init__(self, a: str, b: str, org: str, seeds, overrides, base: pd.DataFrame, jobs: int | None):
        self.a, self.b, self.org, self.seeds, self.overrides = a, b, org, list(seeds), list(overrides)
        profit = base[base.seed.isin(self.seeds)].set_index(["regime", "seed"]).profit
        self.base = {r: profit[r].reindex(self.seeds).to_numpy() for r in (a, b)}
        self.pool = pool(jobs)

    def at_defaults(self) -> float:
        return float(np.mean(self.base[self.a] - self.base[self.b]))

    def many(self, points: list[tuple[str, float, set[str], bool]]) -> list[float]:
        """Leads at each (assumption, value, regimes it acts on, whole) point, all runs in one batch."""
        jobs, where = [], []
        for i, (name, value, acts_on, whole) in enumerate(points):
            for r in sorted(acts_on):
                for s in self.seeds:
                    jobs.append((r, self.org, s, [*self.overrides, override(name, value, whole)]))
                    where.append((i, r))
        profits = {}
        for (i, r), row in zip(where, self.pool.map(run_one, jobs, chunksize=2)):
            profits.setdefault((i, r), []).append(row["profit"])
        out = []
        for i in range(len(points)):
            pa = np.array(profits.get((i, self.a), self.base[self.a]))
            pb = np.array(profits.get((i, self.b), self.base[self.b]))
            out.append(float(np.mean(pa - pb)))
        return out

    def close(self) -> None:
        self.pool.shutdown()


def screen(leads: Leads, assumptions: dict) -> pd.DataFrame:
    """Step 1: the lead at both ends of every range, the rest at the defaults."""
    points = []
    for name, ((lo, hi), acts_on) in assumptions.items():
        whole = isinstance(lo, int) and isinstance(hi, int)
        points += [(name, lo, acts_on, whole), (name, hi, acts_on, whole)]
    values = leads.many(points)
    rows = []
    for k, (name, ((lo, hi), acts_on)) in enumerate(assumptions.items()):
        rows.append(dict(assumption=name.split(":", 1)[-1], acts_on=",".join(sorted(acts_on)), key=name,
                         low=lo, high=hi, whole=isinstance(lo, int) and isinstance(hi, int),
                         lead_low=values[2 * k], lead_high=values[2 * k + 1]))
    table = pd.DataFrame(rows)
    table["swing"] = (table.lead_high - table.lead_low).abs()
    return table.sort_values("swing", ascending=False).reset_index(drop=True)


def bisect(leads: Leads, row: pd.Series, default: float, tolerance: float) -> float:
    """Step 2: the value between the default and the end where B leads at which the lead changes sign."""
    whole = bool(row.whole)
    acts_on = set(row.acts_on.split(","))
    inside, outside = default, (row.low if row.lead_low < 0 else row.high)
    width = tolerance * (row.high - row.low)
    while abs(outside - inside) > (max(1.0, width) if whole else width):
        mid = (inside + outside) / 2
        if whole:
            mid = float(round(mid)) if round(mid) not in (inside, outside) else inside + np.sign(outside - inside)
        if leads.many([(row.key, mid, acts_on, whole)])[0] > 0:
            inside = mid
        else:
            outside = mid
    return (inside + outside) / 2


@dataclass
class Crossover:
    leader: str
    runner_up: str
    lead: float  # at the defaults, on the screening seeds
    screening: pd.DataFrame
    assumption: str | None = None  # the most influential assumption whose range holds a swap
    default: float | None = None
    value: float | None = None  # where the two swap

    @property
    def reversing(self) -> list[str]:
        """Every assumption with a value in its range where the runner-up leads, most influential first."""
        swaps = self.screening[(self.screening[["lead_low", "lead_high"]] < 0).any(axis=1)]
        return list(swaps.assumption)

    def sentence(self) -> str:
        if self.lead <= 0:
            return (f"crossover: on the screening seeds {self.runner_up} is ahead of {self.leader} "
                    f"({-self.lead:,.0f}): too close to call, no crossover sought.")
        head = f"crossover: {self.leader} leads {self.runner_up} by {self.lead:,.0f} at the defaults"
        top = self.screening.iloc[0]
        if self.assumption is None:
            return (f"{head}; no single assumption in configs/uncertainty reverses that within its range. "
                    f"The lead hinges most on {top.assumption} (lead {top.lead_low:,.0f} at {top.low:g}, "
                    f"{top.lead_high:,.0f} at {top.high:g}).")
        row = self.screening[self.screening.assumption == self.assumption].iloc[0]
        side = "below" if self.value < self.default else "above"
        most = "" if row.name == 0 else f" (the most influential, {top.assumption}, does not reverse it)"
        others = [a for a in self.reversing if a != self.assumption]
        also = "" if not others else (f" Within their ranges {len(others)} other assumption"
                                      f"{'s' if len(others) > 1 else ''} also reverse{'' if len(others) > 1 else 's'}"
                                      f" it: {', '.join(others)}.")
        return (f"{head}; the lead hinges on {self.assumption} (default {self.default:g}, range "
                f"{row.low:g}-{row.high:g}): {self.runner_up} leads {side} about {self.value:.3g}{most}.{also}")


def find(runs: pd.DataFrame, table: pd.DataFrame, org: str, overrides, uncertainty: Uncertainty,
         screen_seeds: int = 2, tolerance: float = 0.05, jobs: int | None = None) -> Crossover:
    """The best regime's lead over the runner-up: the assumption it hinges on and the crossover value."""
    a, b = table.sort_values("profit", ascending=False).regime.iloc[:2]
    seeds = sorted(runs.seed.unique())[:screen_seeds]
    leads = Leads(a, b, org, seeds, overrides, runs, jobs)
    try:
        found = Crossover(a, b, leads.at_defaults(), screen(leads, uncertainty.of([a, b])))
        if found.lead > 0 and found.reversing:
            row = found.screening[found.screening.assumption == found.reversing[0]].iloc[0]
            regime = row.acts_on.split(",")[0]
            found.assumption = row.assumption
            found.default = default_value(row.key, regime, org, overrides)
            found.value = bisect(leads, row, found.default, tolerance)
    finally:
        leads.close()
    return found
