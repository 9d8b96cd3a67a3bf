"""Where the lead swaps: the assumption the leading regime's lead hinges on, and its crossover.

After the comparison, `cxsim-compare` takes the best regime A and the runner-up
B (by mean profit) and asks which single assumption of the uncertainty set
(`cxsim/conf/uncertainty/default.yaml`) moves A's lead over B the most, and at
which value of it B would lead instead:

1. Screening, one at a time: each assumption at the low and the high end of
   its range, everything else at the defaults, on the first `screen_seeds`
   seeds of the comparison (common random numbers: the lead at the defaults
   on the same seeds comes from the comparison's own runs). A mechanism
   assumption reruns both regimes, a regime's own constant only that regime,
   and neither where the regime's default run never read it: a run that does
   not read a parameter is the same run at any value of it, so the
   comparison's own run stands in (`read_sets`; column `unread_by`). An
   owner's pay, the forum's rules or a CXO's deputy are read only where
   someone holds those levers: about one assumption in six per regime.
2. Bisection: for the most influential assumption whose range holds a value
   where B leads, halve the interval between the default and that end until
   it is narrower than `tolerance` of the range (whole days: one day).
3. A tie: if A and B share rank group 1 (their gap is under the materiality
   margin), the assumptions at whose range ends the gap could exceed the
   margin: the gaps on all the comparison's seeds moved by the change the
   screening measured (common random numbers make the change the precise part).
4. The challenger: the best regime outside group 1 (C), its own constants
   screened the same way against A; those at whose range ends the groups'
   test could no longer tell C from A beyond the margin would bring C in.

The answer is a sentence for the table's foot, and the screenings as a table.
The runs come from a `Composed` source (`cxsim-compare`: regime, org and
overrides) or a `Stored` one (`cxsim-report --crossover`: each stored run's
own resolved config).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from omegaconf import OmegaConf

from cxsim.analysis.statistics import ALPHA, shortfall_p
from cxsim.config import composition
from cxsim.config.errors import ConfigError
from cxsim.config.validation import interval
from cxsim.runs.evaluator import Reading, evaluate, kept_pool, run_one, run_stored

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
        mechanisms[key] = interval(f"mechanisms.{key}", value)
    regimes = {}
    for name, params in (data.get("regimes") or {}).items():
        if not isinstance(params, dict | None):
            raise ConfigError(f"regimes.{name}: must be a mapping of config key -> [low, high]")
        cfg = composition.compose([f"regime={name}"])
        regimes[name] = {}
        for key, value in (params or {}).items():
            if not key.startswith("regime.") or OmegaConf.select(cfg, key) is None:
                raise ConfigError(f"regimes.{name}.{key}: not a parameter of regime {name}")
            regimes[name][key] = interval(f"regimes.{name}.{key}", value)
        check_ends(path, regimes[name], [f"regime={name}"])
    check_ends(path, mechanisms)
    return Uncertainty(mechanisms, regimes)


def check_ends(path, ranges: dict[str, tuple[float, float]], choice: list[str] | tuple[str, ...] = ()) -> None:
    """Every end of every range must be a value the config takes, as the screening sets it (alone, the rest
    at the defaults), before any run: a run that never reads an assumption is not made, so its refusal would
    not come up. All the low ends are checked at once, then all the high ones; one at a time only if that
    fails (a rule across keys, such as base_friction <= friction_max, is then judged as the screening sets them)."""
    for end, side in ((0, "low"), (1, "high")):
        settings = [override(key, r[end], whole_days(r)) for key, r in ranges.items()]
        try:
            composition.compose([*choice, *settings])
        except ConfigError:
            for key, setting in zip(ranges, settings):
                try:
                    composition.compose([*choice, setting])
                except ConfigError as exc:
                    raise ConfigError(f"{path}: the {side} end of {key}'s range is refused: {exc}") from None


def whole_days(r: tuple[float, float]) -> bool:
    """A range of two whole numbers is whole days (`validation.interval` keeps them int)."""
    return isinstance(r[0], int) and isinstance(r[1], int)


def override(name: str, value: float, whole: bool) -> str:
    key = name.split(":", 1)[-1]
    return f"{key}={int(round(value))}" if whole else f"{key}={value:.6g}"


def default_value(name: str, regime: str, org: str, overrides) -> float:
    key = name.split(":", 1)[-1]
    return float(OmegaConf.select(composition.compose([f"regime={regime}", f"org={org}", *overrides]), key))


@dataclass
class Composed:
    """Where the comparison's runs came from: composed from the configs, one org, the same overrides."""

    org: str
    overrides: list[str]
    worker = staticmethod(run_one)

    def job(self, regime: str, seed: int, extra: str | None = None) -> tuple:
        return regime, self.org, seed, [*self.overrides, *([extra] if extra else [])]

    def default(self, name: str, regime: str) -> float:
        return default_value(name, regime, self.org, self.overrides)


@dataclass
class Stored:
    """Where a sweep's runs came from: each run's own resolved config (`config.yaml` in the store), by
    (regime, seed); an assumption is set on top of it."""

    configs: dict[tuple[str, int], str]
    worker = staticmethod(run_stored)

    def job(self, regime: str, seed: int, extra: str | None = None) -> tuple:
        return self.configs[(regime, seed)], [extra] if extra else []

    def default(self, name: str, regime: str) -> float:
        text = next(t for (r, _), t in self.configs.items() if r == regime)
        return float(OmegaConf.select(OmegaConf.create(text), name.split(":", 1)[-1]))


class Leads:
    """Runs A and B at given values of one assumption and returns A's mean lead over B (on `metric`:
    value, or profit). `reads`, by (regime, seed), the parameters that regime's default run on that seed
    read (`read_sets`): a run whose default never read the assumption moved is that default run, the
    comparison's own, and is not made again."""

    def __init__(self, a: str, b: str, source, seeds, base: pd.DataFrame, workers, metric: str = "value",
                 reads: dict[tuple[str, int], frozenset[str]] | None = None, known: dict | None = None):
        self.a, self.b, self.source, self.seeds, self.metric = a, b, source, list(seeds), metric
        outcome = base[base.seed.isin(self.seeds)].set_index(["regime", "seed"])[metric]
        self.base = {r: outcome[r].reindex(self.seeds).to_numpy() for r in (a, b)}
        self.pool = workers
        self.reads = reads or {}
        self.known = {} if known is None else known  # (regime, seed, setting): the run's outcome, made once
        self.made = self.reused = 0  # runs made; runs not made (the comparison's own, or made before)

    def at_defaults(self) -> float:
        return float(np.mean(self.base[self.a] - self.base[self.b]))

    def unread(self, regime: str, seed: int, name: str) -> bool:
        """Did the default run of `regime` on `seed` never read assumption `name`? (Unknown: it did.)"""
        reads = self.reads.get((regime, seed))
        return reads is not None and not composition.was_read(reads, name.split(":", 1)[-1])

    def unread_by(self, name: str, acts_on: set[str]) -> str:
        """The regimes among `acts_on` whose default runs on every screening seed never read `name`."""
        return ",".join(r for r in sorted(acts_on) if all(self.unread(r, s, name) for s in self.seeds))

    def many(self, points: list[tuple[str, float, set[str], bool]]) -> list[float]:
        """Leads at each (assumption, value, regimes it acts on, whole) point, all runs in one batch."""
        todo, moved = {}, {}
        for i, (name, value, acts_on, whole) in enumerate(points):
            setting = override(name, value, whole)
            for r in sorted(acts_on):
                moved[(i, r)] = self.base[r].copy()  # a run not made again is the default run
                for k, s in enumerate(self.seeds):
                    if self.unread(r, s, name):
                        self.reused += 1
                    elif (r, s, setting) in self.known:
                        self.reused += 1
                        moved[(i, r)][k] = self.known[(r, s, setting)]
                    else:
                        todo.setdefault((r, s, setting), []).append((i, r, k))
        made = evaluate(self.source.worker, [self.source.job(*run) for run in todo], workers=self.pool)
        for run, row in zip(todo, made):
            self.known[run] = row[self.metric]
            for i, r, k in todo[run]:
                moved[(i, r)][k] = row[self.metric]
        self.made += len(todo)
        return [float(np.mean(moved.get((i, self.a), self.base[self.a]) - moved.get((i, self.b), self.base[self.b])))
                for i in range(len(points))]


def read_sets(source, regimes: list[str], seeds, base: pd.DataFrame, workers,
              metric: str = "value") -> dict[tuple[str, int], frozenset[str]]:
    """The default run of each regime on each seed made again, noting the parameters it reads
    (`evaluator.Reading`); kept where it gives the comparison's own result, which it then is."""
    todo = [(r, s) for r in regimes for s in seeds]
    made = evaluate(Reading(source.worker), [source.job(r, s) for r, s in todo], workers=workers)
    outcome = base.set_index(["regime", "seed"])[metric]
    return {(r, s): reads for (r, s), (row, reads) in zip(todo, made) if row[metric] == outcome[(r, s)]}


def screen(leads: Leads, assumptions: dict) -> pd.DataFrame:
    """Step 1: the lead at both ends of every range, the rest at the defaults."""
    points = []
    for name, ((lo, hi), acts_on) in assumptions.items():
        points += [(name, lo, acts_on, whole_days((lo, hi))), (name, hi, acts_on, whole_days((lo, hi)))]
    values = leads.many(points)
    rows = []
    for k, (name, ((lo, hi), acts_on)) in enumerate(assumptions.items()):
        rows.append(dict(assumption=name.split(":", 1)[-1], acts_on=",".join(sorted(acts_on)), key=name,
                         low=lo, high=hi, whole=whole_days((lo, hi)),
                         lead_low=values[2 * k], lead_high=values[2 * k + 1],
                         unread_by=leads.unread_by(name, acts_on)))
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
    margin: float = 0.0  # the rank groups' materiality margin
    tied: bool = False  # the two share rank group 1
    gaps: pd.Series | None = None  # leader minus runner-up per seed, all the comparison's seeds
    challenger: str | None = None  # the best regime outside group 1
    challenger_screening: pd.DataFrame | None = None  # its own constants, lead = leader minus challenger
    challenger_gaps: pd.Series | None = None  # leader minus challenger per seed, all seeds
    challenger_lead: float = 0.0  # leader minus challenger at the defaults, on the screening seeds
    made: int = 0  # runs the screenings and the bisection made
    reused: int = 0  # runs they did not make: the comparison's own (the assumption unread there), or made already

    @property
    def reversing(self) -> list[str]:
        """Every assumption with a value in its range where the runner-up leads, most influential first."""
        swaps = self.screening[(self.screening[["lead_low", "lead_high"]] < 0).any(axis=1)]
        return list(swaps.assumption)

    @property
    def separating(self) -> list[str]:
        """If the two are tied in group 1: every assumption with a value in its range where the gap between
        them could exceed the margin (its projected mean does, and is wider than at the defaults), most
        influential first. Erring on the side of naming: the screening's change is measured on few seeds."""
        if not self.tied or self.gaps is None:
            return []
        now = abs(self.gaps.mean())
        return [row.assumption for _, row in self.screening.iterrows()
                if any(abs(projected(self.gaps, row[end] - self.lead).mean()) > max(self.margin, now)
                       for end in ("lead_low", "lead_high"))]

    @property
    def joining(self) -> list[str]:
        """The challenger's own constants with a value in their range where it could no longer be told apart
        from the leader beyond the margin (the groups' test on the projected gaps): it would join group 1."""
        table = self.challenger_screening
        if table is None or table.empty:
            return []
        return [row.assumption for _, row in table.iterrows()
                if any(not beyond(projected(self.challenger_gaps, row[end] - self.challenger_lead), self.margin)
                       for end in ("lead_low", "lead_high"))]

    @property
    def named(self) -> list[str]:
        """The keys (`regime:key` for a regime's own constant) of what the line names as deciding the head of
        the table: the reversing, the tie-breaking and the challenger's joining assumptions."""
        names = set(self.reversing + self.separating)
        keys = list(self.screening[self.screening.assumption.isin(names)].key)
        if self.joining:
            table = self.challenger_screening
            keys += list(table[table.assumption.isin(self.joining)].key)
        return keys

    def sentence(self) -> str:
        line = self.lead_sentence()
        tie, join = self.separating, self.joining
        if tie:
            line += (f" The two share rank group 1 (a gap under the margin of {self.margin:,.0f}); "
                     f"{len(tie)} assumption{plural(tie)} could, at an end of the range, open a gap above it: "
                     f"{listed(tie)}.")
        if join:
            line += (f" {self.challenger}, first outside group 1, could join it at an end of the range of "
                     f"{listed(join)}.")
        return line

    def runs_line(self) -> str:
        return (f"  ({self.made:,} runs made; {self.reused:,} not needed: the run at the defaults where a regime "
                f"never reads the assumption, column unread_by of crossover.csv, or a run made already)")

    def table(self) -> pd.DataFrame:
        """The screenings as one table (crossover.csv): which pair, and what the line names each for."""
        head = self.screening.assign(pair=f"{self.leader}-{self.runner_up}",
                                     reverses=self.screening.assumption.isin(self.reversing),
                                     separates=self.screening.assumption.isin(self.separating))
        if self.challenger_screening is None or self.challenger_screening.empty:
            return head
        tail = self.challenger_screening.assign(pair=f"{self.leader}-{self.challenger}",
                                                joins=self.challenger_screening.assumption.isin(self.joining))
        return pd.concat([head, tail], ignore_index=True)

    def lead_sentence(self) -> str:
        if self.lead <= 0:
            return (f"crossover: on the screening seeds {self.runner_up} is ahead of {self.leader} "
                    f"({-self.lead:,.0f}): too close to call, no crossover sought.")
        head = f"crossover: {self.leader} leads {self.runner_up} by {self.lead:,.0f} at the defaults"
        if self.gaps is not None:  # the screening's few seeds need not match the table's mean gap
            head += f" on the screening seeds ({self.gaps.mean():,.0f} on all {len(self.gaps)})"
        top = self.screening.iloc[0]
        if self.assumption is None:
            return (f"{head}; no single assumption in cxsim/conf/uncertainty reverses that within its range. "
                    f"The lead hinges most on {top.assumption} (lead {top.lead_low:,.0f} at {top.low:g}, "
                    f"{top.lead_high:,.0f} at {top.high:g}).")
        row = self.screening[self.screening.assumption == self.assumption].iloc[0]
        side = "below" if self.value < self.default else "above"
        most = "" if row.name == 0 else f" (the most influential, {top.assumption}, does not reverse it)"
        others = [a for a in self.reversing if a != self.assumption]
        also = "" if not others else (f" Within their ranges {len(others)} other assumption{plural(others)} "
                                      f"also reverse{'' if len(others) > 1 else 's'} it: {listed(others)}.")
        return (f"{head}; the lead hinges on {self.assumption} (default {self.default:g}, range "
                f"{row.low:g}-{row.high:g}): {self.runner_up} leads {side} about {self.value:.3g}{most}.{also}")


def plural(names: list) -> str:
    return "s" if len(names) > 1 else ""


def listed(names: list[str], shown: int = 5) -> str:
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more (crossover.csv)" if len(names) > shown else "")


def projected(gaps: pd.Series, shift: float) -> pd.Series:
    """The per-seed gap on all the comparison's seeds, moved by the change the screening measured on its
    own seeds (common random numbers make the change the more precise part)."""
    return gaps + shift


def beyond(gaps: pd.Series, margin: float) -> bool:
    """Would the rank groups tell this gap (the first ahead) apart beyond the margin? The paired test they
    use, at the level of a single comparison."""
    return shortfall_p(gaps, margin) <= ALPHA


def find(runs: pd.DataFrame, table: pd.DataFrame, source: Composed | Stored, uncertainty: Uncertainty,
         screen_seeds: int = 2, tolerance: float = 0.05, jobs: int | None = None,
         metric: str = "value") -> Crossover:
    """The best regime's lead over the runner-up: the assumption it hinges on and the crossover value; if
    the two are tied, what would tell them apart; the first regime outside group 1, what would let it in.
    `runs`: one row per (regime, seed) with its `metric` (value or profit); `table`: one per regime with its
    mean, rank group and margin; `source`: how to rerun a run with one assumption moved."""
    ranked = table.sort_values(metric, ascending=False)
    a, b = ranked.regime.iloc[:2]
    wide = runs.pivot(index="seed", columns="regime", values=metric)
    seeds = sorted(runs.seed.unique())[:screen_seeds]
    workers = kept_pool(jobs)
    known = {}  # every run made, by (regime, seed, setting): the challenger is often the runner-up
    leads = Leads(a, b, source, seeds, runs, workers, metric, read_sets(source, [a, b], seeds, runs, workers, metric),
                  known)
    found = Crossover(a, b, leads.at_defaults(), screen(leads, uncertainty.of([a, b])),
                      margin=float(ranked.margin.iloc[0]) if "margin" in ranked else 0.0,
                      tied=bool("rank_group" in ranked and (ranked.rank_group.iloc[:2] == 1).all()),
                      gaps=wide[a] - wide[b])
    if found.lead > 0 and found.reversing:
        row = found.screening[found.screening.assumption == found.reversing[0]].iloc[0]
        found.assumption = row.assumption
        found.default = source.default(row.key, row.acts_on.split(",")[0])
        found.value = bisect(leads, row, found.default, tolerance)
    found.made, found.reused = leads.made, leads.reused
    outside = ranked[ranked.rank_group > 1].regime if "rank_group" in ranked else []
    if len(outside):
        screen_challenger(found, outside.iloc[0], source, seeds, runs, workers, uncertainty, wide, metric,
                          leads.reads, known)
    return found


def screen_challenger(found: Crossover, c: str, source, seeds, runs, workers, uncertainty: Uncertainty,
                      wide: pd.DataFrame, metric: str = "value", reads=None, known=None) -> None:
    """The challenger's own constants at both ends of their ranges: its gap to the leader there (the
    runs the screening made already, when the challenger is the runner-up, are not made again)."""
    leads = Leads(found.leader, c, source, seeds, runs, workers, metric, reads, known)
    own = {k: v for k, v in uncertainty.of([c]).items() if k.startswith(f"{c}:")}
    found.challenger = c
    found.challenger_gaps = wide[found.leader] - wide[c]
    found.challenger_lead = leads.at_defaults()
    found.challenger_screening = screen(leads, own) if own else pd.DataFrame()
    found.made, found.reused = found.made + leads.made, found.reused + leads.reused
