"""`cxsim-reorg FILE`: which CX governance fits this company, how sure is that, what does it hinge on,
what does the switch cost?

    cxsim-examples my_company                          # the example company file to start from
    cxsim-reorg my_company/mid_size_insurer.yaml
    cxsim-compare my_company/mid_size_insurer.yaml     # the same
    cxsim-reorg my_org.yaml --samples 32 --seeds 3 --jobs 2 --out outputs/reorg/my_org

Three sweeps through the sweep machinery (Hydra multirun, joblib launcher,
results store: parallel, resumable, with progress and ETA), then a report,
into one folder:

1. `comparison/`: today's regime and every candidate on every Latin hypercube
   sample of the uncertain assumptions, several seeds each (common random
   numbers) -> mean with CI, P(best), expected and worst regret, satisficing
   share (`cxsim.analysis.robust`); PRIM boxes of where each regime wins (`cxsim.analysis.drivers`).
2. `sensitivity/`: the most robust regime and the runner-up on a Morris design
   -> which assumption moves the lead (`cxsim.analysis.drivers`).
3. `transition/`: today's regime kept vs switched to the recommended one on
   `switch_day`, at the middle of every uncertain range -> dip, days to
   recover, days to break even (`cxsim.analysis.transition`).
4. the decision report: `report/decision.html` with CSVs (`cxsim.decide.decision_report`).

The company's org, its own regime files and each sampled set of assumptions are
written as Hydra configs under `configs/` (groups `org`, `regime` and `sample`) and put on Hydra's search
path. Run it again after an interruption and it picks up where it stopped.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from omegaconf import OmegaConf

from cxsim.config import validation
from cxsim.config.composition import compose
from cxsim.config.errors import ConfigError, message
from cxsim.decide.company import Company, load
from cxsim.runs.store import ensure_writable

COMPANY_ORG = "company"  # file name of the company's org in the generated `org` group


def sample_config(values: dict[str, float]) -> str:
    """A `sample` group config setting the sampled assumptions (dotted keys) at the top level."""
    node = OmegaConf.create({})
    for key, value in values.items():
        OmegaConf.update(node, key, float(value), force_add=True)
    return "# @package _global_\n" + OmegaConf.to_yaml(node)


def prepare(company: Company, folder: Path, points: dict[str, dict[str, float]]) -> list[str]:
    """Write the company's org, its own regimes and the sample configs; return the overrides every sweep
    shares."""
    configs = folder / "configs"
    shutil.rmtree(configs / "sample", ignore_errors=True)  # a changed file must not leave stale samples
    (configs / "sample").mkdir(parents=True)
    for name, values in points.items():
        (configs / "sample" / f"{name}.yaml").write_text(sample_config(values))
    shutil.rmtree(configs / "regime", ignore_errors=True)
    for label, path in company.regime_files.items():  # the company's own regimes, by the names it gives them
        (configs / "regime").mkdir(parents=True, exist_ok=True)
        node = OmegaConf.to_container(compose([f"regime={path}"]).regime, resolve=True)
        (configs / "regime" / f"{label}.yaml").write_text(OmegaConf.to_yaml(OmegaConf.create({**node, "name": label})))
    if company.org_preset:
        org = company.org_preset
    else:
        (configs / "org").mkdir(parents=True, exist_ok=True)
        org_node = OmegaConf.to_container(company.config.org, resolve=True)
        (configs / "org" / f"{COMPANY_ORG}.yaml").write_text(OmegaConf.to_yaml(OmegaConf.create(org_node)))
        org = COMPANY_ORG
    return [f"org={org}", f"days={company.days}"]


def swept_runs(store_dir: Path, points: pd.DataFrame | None = None) -> pd.DataFrame:
    """The sweep's summary table with `sample`, `replicate` and the sampled values as columns."""
    from cxsim.runs.store import Store

    runs = Store(store_dir).table("summary")
    if runs.empty:
        raise ConfigError(f"no finished runs in {store_dir}")
    runs = runs.rename(columns={"coord.sample": "sample"})
    runs["replicate"] = pd.to_numeric(runs["coord.replicate"])
    if points is not None:
        runs = runs.merge(points.add_prefix("u.").rename_axis("sample").reset_index(), on="sample", how="left")
    return runs


def names(prefix: str, points: pd.DataFrame) -> list[str]:
    """A name per sampled point from its values, so a point keeps its name (and its stored runs,
    which carry the name) whatever design or order it comes in."""
    import hashlib

    return [f"{prefix}_" + hashlib.sha1(repr([round(float(v), 12) for v in row]).encode()).hexdigest()[:10]
            for row in points.to_numpy()]


def analyse(company: Company, folder: Path, jobs: int | None = None, outcome: str = "value") -> dict:
    """Run the three sweeps (resuming any finished runs) and compute every table of the report."""
    regimes = list(dict.fromkeys([company.today, *company.candidates]))
    lhs, morris, problem, X, row_names = designs(company)
    points = {**lhs.to_dict("index"), **(morris.to_dict("index") if morris is not None else {})}
    sweep = Sweeps(folder, prepare(company, folder, points), f"replicate=range(0,{company.seeds})", jobs)
    out = compare_options(company, sweep, regimes, lhs, outcome)
    best, runner_up = out["best"], out["runner_up"]
    if morris is not None and runner_up is not None:
        out.update(lead_sensitivity(company, sweep, morris, problem, X, row_names, best, runner_up, outcome))
    target = best if best != company.today else runner_up
    if target is not None:
        out.update(transition_cost(company, sweep, target))
    return out


@dataclass
class Sweeps:
    """Where a reorg analysis launches its sweeps, and what every one of them shares."""

    folder: Path
    common: list[str]  # the overrides of every run (the company's org, its assumptions' files)
    replicates: str  # the seeds, as a Hydra override (placed as before: the store's columns follow the order)
    jobs: int | None

    def launch(self, name: str, overrides: list[str]) -> Path:
        from cxsim.runs.evaluator import sweep as launch

        launch(self.folder / name, [*self.common, *overrides], self.folder / "configs", self.jobs)
        return self.folder / name


def designs(company: Company):
    """The Latin hypercube of the comparison, and the Morris design (its distinct points named) of the
    sensitivity step: (lhs, morris, problem, X, row_names); no Morris design with nothing uncertain."""
    from cxsim.analysis.robust import latin_hypercube
    from cxsim.analysis.sensitivity import design

    # nothing uncertain: one point (every "sample" would be the same config, and the same stored run)
    lhs = (latin_hypercube(company.uncertain, company.samples, seed=0) if company.uncertain
           else pd.DataFrame(index=range(1)))
    lhs.index = names("lhs", lhs) if company.uncertain else ["lhs_fixed"]
    if not company.uncertain:
        return lhs, None, None, None, None
    problem, X = design(company.uncertain, company.trajectories, seed=0)
    # a Morris design can visit a point twice: one sample (and one run) per distinct point
    distinct = pd.DataFrame(X, columns=list(company.uncertain)).drop_duplicates()
    morris = distinct.set_axis(names("mor", distinct))
    lookup = {tuple(row): name for name, row in zip(morris.index, morris.to_numpy())}
    return lhs, morris, problem, X, [lookup[tuple(row)] for row in X]


def compare_options(company: Company, sweep: Sweeps, regimes: list[str], lhs: pd.DataFrame, outcome: str) -> dict:
    """Step 1: every option on every sampled world; how robust each is, and which wins where."""
    from cxsim.analysis import drivers
    from cxsim.analysis.robust import robustness, winners

    n = len(lhs) * company.seeds * len(regimes)
    print(f"cxsim-reorg: 1/3 comparison: {len(regimes)} regimes x {len(lhs)} samples x {company.seeds} seeds "
          f"= {n} runs", file=sys.stderr, flush=True)
    folder = sweep.launch("comparison", [f"regime={','.join(regimes)}", f"+sample={','.join(lhs.index)}",
                                         sweep.replicates])
    runs = swept_runs(folder, lhs)
    missing = n - len(runs)
    if missing:  # failed runs are in comparison/failed/; say so rather than rank on a silent subset
        print(f"cxsim-reorg: warning: {missing} of {n} comparison runs did not finish "
              f"(see {folder / 'failed'}); the tables use the {len(runs)} that did",
              file=sys.stderr, flush=True)
    table = robustness(runs, outcome, company.targets)
    won = winners(runs, outcome)
    out = {"regimes": regimes, "samples": lhs, "runs": runs, "robustness": table, "winners": won,
           "outcome": outcome, "missing_runs": (missing, n)}
    if company.uncertain:
        out["scenarios"] = drivers.scenarios(lhs.loc[won.index], won)
    out["best"] = table.regime.iloc[0]
    out["runner_up"] = table.regime.iloc[1] if len(table) > 1 else None
    return out


def lead_sensitivity(company: Company, sweep: Sweeps, morris: pd.DataFrame, problem, X, row_names,
                     best: str, runner_up: str, outcome: str) -> dict:
    """Step 2: which assumptions the lead of the best option over the runner-up hinges on (Morris)."""
    from cxsim.analysis import drivers
    from cxsim.analysis.statistics import OUTCOMES

    n = len(morris) * company.seeds * 2
    print(f"cxsim-reorg: 2/3 sensitivity of the lead of {best} over {runner_up}: {len(morris)} Morris points "
          f"x {company.seeds} seeds x 2 = {n} runs", file=sys.stderr, flush=True)
    folder = sweep.launch("sensitivity", [f"regime={best},{runner_up}", f"+sample={','.join(morris.index)}",
                                          sweep.replicates])
    gap = drivers.lead(swept_runs(folder, morris), best, runner_up, outcome, OUTCOMES[outcome][2])
    return {"sensitivity": drivers.sensitivity(problem, X, row_names, gap),
            "morris": morris.assign(lead=gap.reindex(morris.index))}


def transition_cost(company: Company, sweep: Sweeps, target: str) -> dict:
    """Step 3: switching from today's regime to `target` against staying, per seed, at mid-range assumptions."""
    from cxsim.analysis.transition import measures, summarise
    from cxsim.runs.store import Store

    middle = {k: (lo + hi) / 2 for k, (lo, hi) in company.uncertain.items()}
    print(f"cxsim-reorg: 3/3 transition {company.today} -> {target} on day {company.switch_day}: "
          f"{2 * company.seeds} runs", file=sys.stderr, flush=True)
    folder = sweep.launch("transition", [f"regime={company.today}", f"reorg.day=null,{company.switch_day}",
                                         f"reorg.to={target}", sweep.replicates,
                                         *[f"{k}={v!r}" for k, v in middle.items()]])
    ts = Store(folder).table("timeseries")
    ts["replicate"] = pd.to_numeric(ts["coord.replicate"])
    rows, curves = [], []
    for rep, g in ts.groupby("replicate"):
        stay = g[g["coord.reorg.day"] == "null"].set_index("day").profit.sort_index()
        switch = g[g["coord.reorg.day"] != "null"].set_index("day").profit.sort_index()
        if stay.empty or switch.empty:  # one of the pair failed: see transition/failed/
            continue
        rows.append({"replicate": rep, **measures(stay, switch, company.switch_day, 30)})
        curves.append(pd.DataFrame({"replicate": rep, "day": stay.index, "difference": (switch - stay).values}))
    if not rows:
        raise ConfigError(f"no seed has both transition runs finished (see {folder / 'failed'})")
    per_seed = pd.DataFrame(rows)
    return dict(transition_target=target, transition_middle=middle, transition_per_seed=per_seed,
                transition=summarise(per_seed), transition_curves=pd.concat(curves, ignore_index=True))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="cxsim-reorg", description=__doc__.splitlines()[0],
        epilog="example: cxsim-reorg my_company/mid_size_insurer.yaml --samples 32 --seeds 3 --jobs 2 "
               "(cxsim-compare FILE is the same; cxsim-examples my_company copies that file)")
    ap.add_argument("file", help="the company file (cxsim-examples FOLDER copies a commented one); "
                                 "its org may be inline, "
                                 "a preset's name or an org file's path")
    ap.add_argument("--samples", type=int, default=None, help="Latin hypercube samples (default: the file's)")
    ap.add_argument("--seeds", type=int, default=None, help="seeds per sample (default: the file's)")
    ap.add_argument("--trajectories", type=int, default=None, help="Morris trajectories (default: the file's)")
    ap.add_argument("--switch-day", type=int, default=None, help="day of the switch (default: the file's)")
    ap.add_argument("--days", type=int, default=None, help="horizon of each run (default: the file's)")
    ap.add_argument("--jobs", type=int, default=None, help="parallel runs (default: every core)")
    ap.add_argument("--metric", choices=("value", "profit"), default="value",
                    help="what the options are compared on: value (discounted cash plus the customer equity the "
                         "horizon leaves, the default) or profit (the horizon's undiscounted cash)")
    ap.add_argument("--out", default=None, help="folder (default: outputs/reorg/FILE-STEM)")
    args = ap.parse_intermixed_args(argv)
    try:
        validation.flags(args, dict.fromkeys(("samples", "seeds", "trajectories", "switch_day", "days", "jobs"), 1))
        company = load(args.file)
        company.samples = args.samples or company.samples
        company.seeds = args.seeds or company.seeds
        company.trajectories = args.trajectories or company.trajectories
        company.switch_day = args.switch_day or company.switch_day
        if args.days:
            company.days = company.config.days = args.days
        if company.switch_day >= company.days:
            raise ConfigError(f"--switch-day: must be before the horizon ({company.days} days)")
        if company.samples < 2:
            raise ConfigError("--samples: at least 2 are needed to compare across assumptions")
        folder = ensure_writable(Path(args.out or f"outputs/reorg/{Path(args.file).stem}").resolve())
        shutil.copyfile(args.file, folder / "company.yaml")
        results = analyse(company, folder, args.jobs, args.metric)
        from cxsim.decide.decision_report import build

        report = build(company, results, folder / "report")
    except (ConfigError, OSError) as exc:
        print(f"cxsim-reorg: error: {message(exc)}", file=sys.stderr)
        return 2
    print(results["robustness"].to_string(index=False, float_format=lambda x: f"{x:,.3g}"))
    if "transition" in results:
        print(f"\nTransition {company.today} -> {results['transition_target']} on day {company.switch_day}:")
        print(results["transition"].to_string(index=False, float_format=lambda x: f"{x:,.3g}"))
    print(f"\ncxsim-reorg: decision report {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
