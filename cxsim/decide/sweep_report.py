"""`cxsim-report PATH [--crossover]`: a sweep's report, and the crossover line under its ranking.

    cxsim-report multirun/regime_showdown               # the report (cxsim.analysis.report)
    cxsim-report multirun/regime_showdown --crossover   # ... and where the lead swaps

With `--crossover`, the sweep's first scenario (its first org and the first
setting of every swept parameter) gets the crossover line `cxsim-compare`
prints under its table (`cxsim.decide.crossover`): the assumption the
leader's lead over the runner-up hinges on and the value where they swap,
what could break a tie in group 1, what could bring the first regime outside
it in. The screening reruns the stored runs themselves (each run's resolved
`config.yaml`, so the experiment's own settings hold) with one assumption
moved, on the first `--screen-seeds` seeds. The line goes on the page and to
the console; the screening to `crossover.csv` beside the report.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

import pandas as pd

from cxsim.analysis import report
from cxsim.analysis.statistics import paired_differences, settings, tidy
from cxsim.config import validation
from cxsim.config.errors import ConfigError
from cxsim.decide import crossover
from cxsim.runs.store import Store


def first_scenario(summary: pd.DataFrame) -> pd.DataFrame:
    """The runs of the first org at the first setting of every swept parameter."""
    scen = settings(summary)
    first = summary.sort_values(scen).iloc[0]
    return summary[(summary[scen] == first[scen]).all(axis=1)]


def sweep_crossover(store: Store, everything: bool, uncertainty: crossover.Uncertainty, screen_seeds: int,
                    jobs: int | None) -> tuple[crossover.Crossover, str]:
    """The crossover of the sweep's first scenario, rerunning its stored runs; and the scenario's name."""
    summary = tidy(store.table("summary", everything))
    if summary.empty:
        raise ConfigError(f"--crossover: no finished runs in {store.runs}")
    runs = first_scenario(summary)
    label = ", ".join(f"{c.removeprefix('coord.')}={runs.iloc[0][c]}" for c in settings(summary))
    if runs.regime.nunique() < 2:
        raise ConfigError("--crossover: the sweep's first scenario has fewer than two regimes")
    common = runs.groupby("seed").regime.nunique() == runs.regime.nunique()  # seeds every regime ran
    runs = runs[runs.seed.isin(common[common].index)]
    if runs.seed.nunique() < max(2, screen_seeds):
        raise ConfigError(f"--crossover: needs at least {max(2, screen_seeds)} seeds common to every regime, "
                          f"the sweep has {runs.seed.nunique()}")
    diffs = paired_differences(runs, "profit")
    table = diffs.rename(columns={"mean": "profit"})[["regime", "profit", "rank_group", "margin"]]
    configs = {(r.regime, int(r.seed)): (store.runs / r.run_id / "config.yaml").read_text()
               for r in runs.itertuples()}
    found = crossover.find(runs[["regime", "seed", "profit"]], table, crossover.Stored(configs), uncertainty,
                           screen_seeds, jobs=jobs, metric="profit")
    return found, label


def section(found: crossover.Crossover, scenario: str) -> list[str]:
    shown = found.table().head(15)[["pair", "assumption", "low", "high", "lead_low", "lead_high", "swing"]]
    return ["<h2>Crossover</h2>", f"<p>{html.escape(scenario)}: {html.escape(found.sentence())}</p>",
            "<p class=note>Each assumption of the uncertainty set at both ends of its range, the rest at the "
            "sweep's settings, on the first seeds (common random numbers); lead = first minus second of the "
            "pair in profit. All rows in crossover.csv.</p>", report.table_html(shown)]


def main(argv: list[str] | None = None) -> int:
    ap = report.parser()
    ap.description = __doc__.splitlines()[0]
    ap.epilog = "example: cxsim-report multirun/regime_showdown --crossover --jobs 2"
    ap.add_argument("--crossover", action="store_true", help="add the crossover line of the first scenario")
    ap.add_argument("--uncertainty", default=None,
                    help="assumptions and ranges (default: cxsim/conf/uncertainty/default.yaml)")
    ap.add_argument("--screen-seeds", type=int, default=2, help="seeds per point of the screening")
    ap.add_argument("--jobs", type=int, default=None, help="parallel workers (default: all cores)")
    args = ap.parse_args(argv)
    try:
        validation.flags(args, {"screen_seeds": 1, "jobs": 1})
        error = report.checked(args)
    except ConfigError as exc:
        error = str(exc)
    sections, found = [], None
    if error is None and args.crossover:
        try:
            uncertainty = crossover.load(args.uncertainty) if args.uncertainty else crossover.load()
            print("cxsim-report: screening the assumptions for the crossover ...", flush=True)
            found, scenario = sweep_crossover(Store(args.path), args.all, uncertainty, args.screen_seeds, args.jobs)
            sections = section(found, scenario)
        except ConfigError as exc:
            error = str(exc)
    if error:
        print(f"cxsim-report: error: {error}", file=sys.stderr)
        return 2
    page = report.build(args.path, args.out, everything=args.all, sections=sections)
    if found is not None:
        found.table().to_csv(Path(page).parent / "crossover.csv", index=False)
        print(found.sentence())
        print(found.runs_line())
    print(f"cxsim-report: {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
