"""`cxsim-sensitivity`: which assumptions drive the ranking? A Morris screening (SALib).

    cxsim-sensitivity                                  # gap in profit: coo_owned minus ceo_led
    cxsim-sensitivity --regimes ceo_led --outcome handoff_failure_rate
    cxsim-sensitivity --regimes ceo_led,journey_teams --trajectories 20 --seeds 3

The parameters and their ranges are in `cxsim/conf/sensitivity/default.yaml`
(`--parameters FILE` for another). With two regimes the outcome screened is
their difference (first minus second) on common random numbers, so a large
mu* means the assumption moves the ranking; with one regime, its outcome.
Writes `morris.csv`, `samples.csv` and a plot (PNG, SVG).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

from cxsim.config import validation
from cxsim.config.composition import CONFIG_DIR, compose
from cxsim.config.errors import ConfigError
from cxsim.runs.evaluator import evaluate


def load_parameters(path: Path) -> dict[str, tuple[float, float]]:
    data = yaml.safe_load(path.read_text()) or {}
    params = data.get("parameters")
    if not isinstance(params, dict) or not params:
        raise ConfigError(f"{path}: parameters: a mapping of config key -> [low, high] is needed")
    out = {}
    for key, bounds in params.items():
        out[key] = validation.interval(f"parameters.{key}", bounds)
    return out


def run_point(job: tuple) -> float:
    from cxsim.model import CXModel

    regime, org, seed, days, overrides, outcome = job
    return float(CXModel(regime=regime, org=org, seed=seed, days=days,
                         overrides=overrides).run().recorder.summary()[outcome])


def design(params: dict[str, tuple[float, float]], trajectories: int, levels: int = 4,
           seed: int = 0) -> tuple[dict, np.ndarray]:
    """SALib's Morris design: `trajectories` one-at-a-time paths through the ranges."""
    problem = {"num_vars": len(params), "names": list(params), "bounds": [list(b) for b in params.values()]}
    return problem, morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)


def analyse(problem: dict, X: np.ndarray, Y: np.ndarray, levels: int = 4, seed: int = 0) -> pd.DataFrame:
    """mu* (overall influence, with its 95% bootstrap CI), mu and sigma per parameter, largest mu* first.
    With one trajectory (one elementary effect per parameter) sigma is undefined: nan, without a warning."""
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Degrees of freedom <= 0", RuntimeWarning)
        Si = morris_analyze.analyze(problem, X, np.asarray(Y, dtype=float), num_levels=levels, seed=seed)
    result = pd.DataFrame({"parameter": problem["names"], "mu_star": Si["mu_star"],
                           "mu_star_conf": Si["mu_star_conf"], "mu": Si["mu"], "sigma": Si["sigma"]})
    return result.sort_values("mu_star", ascending=False).reset_index(drop=True)


def screen(params: dict, regimes: list[str], outcome: str, org: str, days: int, trajectories: int,
           seeds: int, levels: int = 4, jobs: int | None = None, master_seed: int = 0):
    problem, X = design(params, trajectories, levels, master_seed)
    todo = []
    for row in X:
        overrides = [f"{k}={v:.6g}" for k, v in zip(params, row)]
        todo += [(r, org, s, days, overrides, outcome) for s in range(seeds) for r in regimes]
    values = np.array(evaluate(run_point, todo, jobs, chunksize=4))
    values = values.reshape(len(X), seeds, len(regimes))
    y = values[:, :, 0] - values[:, :, 1] if len(regimes) == 2 else values[:, :, 0]
    Y = y.mean(axis=1)
    samples = pd.DataFrame(X, columns=problem["names"]).assign(outcome=Y)
    return analyse(problem, X, Y, levels, master_seed), samples


def plot(result: pd.DataFrame, title: str, folder: Path) -> Path:
    from cxsim.analysis.plots import plt, save

    r = result.iloc[::-1]
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 0.4 * len(r) + 1.8))
    a.barh(r.parameter, r.mu_star, xerr=r.mu_star_conf, color="#4C72B0", capsize=3)
    a.set_title("mu* (overall influence, 95% CI)", fontsize=9)
    b.scatter(result.mu_star, result.sigma)
    for _, row in result.iterrows():
        b.annotate(row.parameter.split(".")[-1], (row.mu_star, row.sigma), fontsize=7)
    b.set_xlabel("mu*", fontsize=8)
    b.set_ylabel("sigma (non-linearity / interactions)", fontsize=8)
    for ax in (a, b):
        ax.tick_params(labelsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return save(fig, folder, "morris")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="cxsim-sensitivity", description=__doc__.splitlines()[0],
        epilog="example: cxsim-sensitivity --regimes coo_owned,ceo_led --outcome profit --org my_org.yaml")
    ap.add_argument("--regimes", default="coo_owned,ceo_led",
                    help="one regime, or two: their difference (presets or your own regime files)")
    ap.add_argument("--outcome", default="profit", help="a column of summary.parquet (default profit)")
    ap.add_argument("--org", default="auto_insurer", help="org preset or your own org file (default auto_insurer)")
    ap.add_argument("--days", type=int, default=365, help="horizon of each run (default 365)")
    ap.add_argument("--trajectories", type=int, default=8, help="Morris trajectories (default 8)")
    ap.add_argument("--seeds", type=int, default=2, help="replicates per sample point (common random numbers)")
    ap.add_argument("--parameters", default=str(CONFIG_DIR / "sensitivity" / "default.yaml"),
                    help="a file of the assumptions and their ranges (default: cxsim/conf/sensitivity/default.yaml)")
    ap.add_argument("--jobs", type=int, default=None, help="parallel runs (default: every core)")
    ap.add_argument("--out", default="outputs/sensitivity", help="folder (default outputs/sensitivity)")
    args = ap.parse_args(argv)
    regimes = [r for r in args.regimes.split(",") if r]
    try:
        validation.flags(args, {"days": 1, "trajectories": 1, "seeds": 1, "jobs": 1})
        if not 1 <= len(regimes) <= 2:
            raise ConfigError(f"--regimes: give one or two regimes, got {len(regimes)}")
        params = load_parameters(Path(args.parameters))
        for r in regimes:  # every regime and parameter must compose before any run starts
            for end in (0, 1):
                compose([f"regime={r}", f"org={args.org}", f"days={args.days}",
                         *[f"{k}={ends[end]}" for k, ends in params.items()]])
        from cxsim.runs.api import outcome_names

        if args.outcome not in outcome_names():
            raise ConfigError(f"--outcome: no outcome named {args.outcome!r}")
    except (ConfigError, OSError, yaml.YAMLError) as exc:
        print(f"cxsim-sensitivity: error: {exc}", file=sys.stderr)
        return 2
    n_runs = args.trajectories * (len(params) + 1) * args.seeds * len(regimes)
    what = f"{args.outcome} of {regimes[0]}" + (f" minus {regimes[1]}" if len(regimes) == 2 else "")
    print(f"cxsim-sensitivity: Morris screening of {what}: {len(params)} parameters, {n_runs} runs ...", flush=True)
    result, samples = screen(params, regimes, args.outcome, args.org, args.days, args.trajectories, args.seeds,
                             jobs=args.jobs)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    result.to_csv(out / "morris.csv", index=False)
    samples.to_csv(out / "samples.csv", index=False)
    png = plot(result, f"Morris screening: {what} ({args.org})", out)
    print(result.to_string(index=False, float_format=lambda x: f"{x:,.4g}"))
    print(f"\nwritten: {out / 'morris.csv'}, {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
