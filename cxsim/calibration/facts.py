"""Stylized facts: the magnitudes the field has measured, against what the model produces.

Pattern-oriented modelling (Grimm et al. 2005, Science 310:987): a model is
trusted when it reproduces several patterns at once, each measured
independently. `cxsim/conf/facts/stylized.yaml` lists them per default org (a
range, a unit, a source); this module runs each org under the typical regime
over seeds (through the sweep store, so a rerun reuses finished runs), reads
each measure as a calibration reads an observed file
(`cxsim.calibration.observed.run_measures`), and says whether the model's
mean lies in the range. The same file gives the calibration its targets
(`observed_file`: the ranges' mid-points).

    cxsim-facts --seeds 10          # the table, for both default orgs
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from cxsim.config import validation
from cxsim.config.composition import CONFIG_DIR

FACTS_FILE = CONFIG_DIR / "facts" / "stylized.yaml"


@dataclass(frozen=True)
class Fact:
    org: str
    measure: str  # a summary outcome, or journey:NAME:WHAT (as in an observed file)
    low: float
    high: float
    unit: str
    source: str
    fit: bool = True  # false: the org's data set it (a service time); checked, not a calibration target

    @property
    def mid(self) -> float:
        return (self.low + self.high) / 2


@dataclass(frozen=True)
class Facts:
    regime: str
    days: int
    facts: tuple[Fact, ...]

    def of(self, org: str) -> list[Fact]:
        return [f for f in self.facts if f.org == org]

    @property
    def orgs(self) -> list[str]:
        return list(dict.fromkeys(f.org for f in self.facts))


def load(path: Path = FACTS_FILE) -> Facts:
    data = yaml.safe_load(Path(path).read_text())
    facts = tuple(Fact(org, measure, float(spec["range"][0]), float(spec["range"][1]), spec["unit"], spec["source"],
                       bool(spec.get("fit", True)))
                  for org, measures in data["orgs"].items() for measure, spec in measures.items())
    return Facts(data["regime"], int(data["days"]), facts)


def observed_file(facts: Facts, org: str, out: Path) -> Path:
    """An observed file for `cxsim-calibrate` whose measures are the org's fitted facts' mid-points."""
    fitted = [f for f in facts.of(org) if f.fit]
    measures = {f.measure: round(f.mid, 4) for f in fitted if ":" not in f.measure}
    journeys: dict[str, dict] = {}
    for f in fitted:
        if f.measure.startswith("journey:"):
            name, what = f.measure.removeprefix("journey:").rsplit(":", 1)
            journeys.setdefault(name, {})[what] = round(f.mid, 4)
    body = {"description": f"The stylized facts of {FACTS_FILE.name} for {org}: each range's mid-point",
            "period_days": facts.days, "measures": measures}
    if journeys:
        body["journeys"] = journeys
    out.write_text(yaml.safe_dump(body, sort_keys=False, width=1000))
    return out


def run(facts: Facts, seeds: int, store_dir: Path, jobs: int | None = None) -> pd.DataFrame:
    """Run every org of the facts under their regime over `seeds` seeds; one row per run and measure."""
    from cxsim.calibration.observed import run_measures
    from cxsim.runs.evaluator import sweep as launch
    from cxsim.runs.store import Store

    rows = []
    for org in facts.orgs:
        folder = store_dir / org
        launch(folder, [f"regime={facts.regime}", f"org={org}", f"days={facts.days}",
                        f"seed={','.join(str(s) for s in range(seeds))}"], jobs=jobs)
        store = Store(folder)
        names = [f.measure for f in facts.of(org)]
        measured = run_measures(store.table("summary"), store.table, names, facts.days)
        rows.append(measured.melt(id_vars="run_id", var_name="measure").assign(org=org))
    return pd.concat(rows, ignore_index=True)


def table(facts: Facts, measured: pd.DataFrame) -> pd.DataFrame:
    """Per org and fact: its range and source, the model's mean and spread over the runs, inside or not."""
    rows = []
    for f in facts.facts:
        values = measured[(measured.org == f.org) & (measured.measure == f.measure)].value.astype(float)
        mean = values.mean()
        rows.append(dict(org=f.org, measure=f.measure, low=f.low, high=f.high, model_mean=mean,
                         model_min=values.min(), model_max=values.max(), runs=len(values),
                         inside=bool(f.low <= mean <= f.high), unit=f.unit, source=f.source))
    return pd.DataFrame(rows)


def markdown(result: pd.DataFrame) -> str:
    lines = ["| org | measure | the field | cxsim (mean; min-max over runs) | inside | source |",
             "|---|---|---|---|---|---|"]
    for r in result.itertuples():
        lines.append(f"| {r.org} | {r.measure} | {r.low:g}-{r.high:g} | {r.model_mean:.3g} "
                     f"({r.model_min:.3g}-{r.model_max:.3g}) | {'yes' if r.inside else '**no**'} | {r.source} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="cxsim-facts", description=__doc__.splitlines()[0],
                                 epilog="example: cxsim-facts --seeds 20 --jobs 2")
    ap.add_argument("--seeds", type=int, default=10, help="runs per org (default 10)")
    ap.add_argument("--out", default="outputs/facts", help="store folder (default outputs/facts; reruns resume)")
    ap.add_argument("--jobs", type=int, default=None, help="parallel runs (default: every core)")
    args = ap.parse_args(argv)
    from cxsim.config.errors import ConfigError

    facts = load()
    try:
        validation.flags(args, {"seeds": 1, "jobs": 1})
        result = table(facts, run(facts, args.seeds, Path(args.out), args.jobs))
    except ConfigError as exc:
        print(f"cxsim-facts: {exc}", file=sys.stderr)
        return 2
    print(markdown(result))
    result.to_csv(Path(args.out) / "facts.csv", index=False)
    return 0 if result.inside.all() else 1


if __name__ == "__main__":
    sys.exit(main())
