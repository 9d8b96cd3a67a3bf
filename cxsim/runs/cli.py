"""`cxsim`: one simulation from the command line, configured by Hydra.

    cxsim regime=coo_owned org=telecom seed=3
    cxsim -m regime=ceo_led,coo_owned replicate=0,1,2  # a Hydra multirun (see cxsim.runs.sweep)

Writes into Hydra's output folder the composed config, `summary.parquet`,
`timeseries.parquet`, `handoffs.parquet` and `journeys.parquet`, and prints a
short summary. Bad input ends with one line naming the key, never a traceback.
"""

from __future__ import annotations

import logging
import sys

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from cxsim.config import files, schema
from cxsim.config.composition import CONFIG_DIR, check_choices, experiments
from cxsim.config.errors import ConfigError

schema.register()

SHOWN = [
    ("handoff_failure_rate", "handoff failure rate", "{:.1%}"),
    ("failure_demand_share", "failure-demand share of contacts", "{:.1%}"),
    ("satisfaction_mean", "mean satisfaction (0-1)", "{:.3f}"),
    ("share_dissatisfied", "share dissatisfied at end", "{:.1%}"),
    ("annual_churn_rate", "churn per year", "{:.1%}"),
    ("acquired", "customers acquired", "{:,.0f}"),
    ("customers_end", "customers at end", "{:,.0f}"),
    ("time_to_resolve", "days to resolve a journey", "{:.2f}"),
    ("revenue", "revenue", "{:,.0f}"),
    ("cost_to_serve", "cost to serve", "{:,.0f}"),
    ("governance_cost", "governance cost", "{:,.0f}"),
    ("profit", "profit", "{:,.0f}"),
    ("culture_end", "culture at end (0-1)", "{:.3f}"),
]


def describe(summary: dict) -> str:
    head = f"cxsim  regime={summary['regime']}  org={summary['org']}  seed={summary['seed']}  days={summary['days']}"
    lines = [head, "-" * len(head)]
    lines += [f"  {label:<36} {fmt.format(summary[key])}" for key, label, fmt in SHOWN]
    return "\n".join(lines)


@hydra.main(config_path=str(CONFIG_DIR), config_name="config", version_base=None)
def run(cfg: DictConfig) -> float | None:
    from cxsim.config.validation import validate
    from cxsim.runs.api import simulate

    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    if HydraConfig.get().mode == RunMode.MULTIRUN:
        from cxsim.runs.sweep import run_job

        run_job(cfg)
        return None
    try:
        validate(cfg)
        result = simulate(config=cfg)
    except ConfigError as exc:
        print(f"cxsim: error: {files.located(str(exc), HydraConfig.get().overrides.task)}", file=sys.stderr)
        sys.exit(2)
    out = result.save(HydraConfig.get().runtime.output_dir)
    print(describe(result.summary.iloc[0].to_dict()))
    print(f"  results in {out}")
    return float(result.summary.profit.iloc[0])


SEARCH_PATH_ARGS = ("-cd", "--config-dir", "-cp", "--config-path", "hydra.searchpath", "+hydra.searchpath")


def main() -> None:
    """`cxsim`: a path ending in .yaml where a preset's name goes is your own file (`cxsim.config.files`)."""
    try:
        sys.argv[1:] = files.rewrite(sys.argv[1:])
        if not any(a.startswith(SEARCH_PATH_ARGS) for a in sys.argv[1:]):  # else a folder may hold more options
            check_choices(sys.argv[1:])
    except ConfigError as exc:
        print(f"cxsim: error: {exc}", file=sys.stderr)
        sys.exit(2)
    run()


SWEEP_HELP = """usage: cxsim-sweep NAME [KEY=VALUE ...]

Run the named experiment NAME (cxsim/conf/experiments/NAME.yaml) as a Hydra multirun into
multirun/NAME: parallel, resumable (the same command again finishes a killed sweep), with progress.
KEY=VALUE overrides apply to every job, or sweep (key=a,b,c); your own org or regime file goes where
a preset's name goes (org=my_org.yaml).

experiments: {experiments}

examples:
  cxsim-sweep regime_showdown
  cxsim-sweep ceo_attention hydra.launcher.n_jobs=2 days=365
  cxsim-sweep ceo_attention org=my_org.yaml
  cxsim-report multirun/regime_showdown          # the report of a finished sweep

{doc}"""


def sweep_main(argv: list[str] | None = None) -> int:
    """`cxsim-sweep NAME [OVERRIDES]`: run a named experiment as a Hydra multirun."""
    from cxsim.runs import sweep

    args = sys.argv[1:] if argv is None else argv
    names = experiments()
    if not args or args[0] in ("-h", "--help"):
        print(SWEEP_HELP.format(experiments=", ".join(names), doc=sweep.__doc__.split("\n\n", 2)[2].strip()))
        return 0
    name, rest = args[0], args[1:]
    if name not in names:
        print(f"cxsim-sweep: error: no experiment named {name!r}; available: {', '.join(names)}", file=sys.stderr)
        return 2
    sys.argv = ["cxsim", "-m", f"+experiments={name}", *rest]
    main()
    return 0


if __name__ == "__main__":
    main()
