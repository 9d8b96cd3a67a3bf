"""`cxsim-compare`: the default comparison of every regime on one organisation.

    cxsim-compare                          # all regimes, auto insurer, 10 seeds
    cxsim-compare --org telecom --seeds 20 mechanisms.finance.service_budget=0.8
    cxsim-compare my_org.yaml [--samples 32 ...]  # a company file: the reorg comparison (cxsim-reorg)

Every regime runs on the same seeds (common random numbers: the same
customers and the same draws where the regimes do not differ), in parallel.
Prints mean and 95% confidence interval per regime (Student t over seeds,
`cxsim.analysis.statistics`) in rank groups by value (`cxsim.model.valuation`: discounted cash plus the
customer equity the horizon leaves; `--metric profit` for the undiscounted profit of the horizon): group 1 is the best
regime and every regime that cannot be shown to fall short of it by more than
the materiality margin (0.5% of revenue, `--materiality`; paired t-tests on
the common seeds, Holm-corrected), group 2 the same among the rest. Within a
group the order says nothing. Under the table, the crossover line: the
assumption the leader's lead over the runner-up hinges on, and the value at
which they swap; what could break a tie in group 1; what could bring the first
regime outside it in (`cxsim.decide.crossover`; `--no-crossover` skips it);
`--stress 0.3` also moves every regime constant by -/+30% and says which
reorder the rank groups (`cxsim.decide.stress`). Writes all runs, the table,
the screening and the stress as CSV.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table

from cxsim.analysis.statistics import ALPHA, MATERIALITY, mean_ci, paired_differences
from cxsim.config import composition, validation
from cxsim.config.errors import ConfigError
from cxsim.config.names import file_name
from cxsim.decide import crossover
from cxsim.runs.evaluator import run_all
from cxsim.runs.store import ensure_writable

COLUMNS = {
    "handoff_failure_rate": ("handoff fail", "{:.1%}"),
    "failure_demand_share": ("failure demand", "{:.1%}"),
    "front_line_failure_demand_share": ("front-line FD", "{:.1%}"),
    "first_contact_resolution": ("FCR", "{:.1%}"),
    "satisfaction_mean": ("satisfaction", "{:.3f}"),
    "annual_churn_rate": ("churn/yr", "{:.1%}"),
    "time_to_resolve": ("days/journey", "{:.2f}"),
    "governance_cost": ("governance cost", "{:,.0f}"),
    "initiatives_started": ("initiatives", "{:.1f}"),
    "initiatives_succeeded": ("worked", "{:.1f}"),
    "initiative_cost": ("initiative cost", "{:,.0f}"),
    "service_staffing_end": ("desk staffing", "{:.0%}"),
    "operating_margin": ("margin", "{:.1%}"),
    "profit": ("profit", "{:,.0f}"),
    "value": ("value", "{:,.0f}"),
}
METRICS = ("value", "profit")  # what the rank groups may be made on
FIRST_AFTER = ("profit", "value", "annual_churn_rate", "satisfaction_mean", "governance_cost")  # in a narrow terminal


def table_of(runs: pd.DataFrame, materiality: float = MATERIALITY, metric: str = "value") -> pd.DataFrame:
    """Mean and 95% CI per regime; rank groups by `metric` (paired over seeds, beyond the materiality margin),
    best first in each."""
    table = mean_ci(runs, outcomes=COLUMNS, by=["regime"])
    paired = paired_differences(runs, metric, materiality)[["regime", "rank_group", "diff_to_best", "p_vs_best",
                                                           "margin"]]
    table = table.merge(paired.rename(columns={"diff_to_best": f"{metric}_vs_best"}), on="regime")
    table.insert(1, "rank_group", table.pop("rank_group"))
    table.attrs["metric"] = metric
    return table.sort_values(["rank_group", metric], ascending=[True, False]).reset_index(drop=True)


def groups_text(table: pd.DataFrame, seeds: int) -> str:
    """Which regimes share a rank group, in words: what a reader may and may not conclude."""
    first = table[table.rank_group == 1].regime.tolist()
    metric = table.attrs.get("metric", "value")
    if len(first) == 1:
        head = f"{first[0]} is the best on {metric}: every other regime falls short of it by more than the margin"
    else:
        head = (f"rank group 1, not told apart on {metric}: {', '.join(first)} "
                f"(their order within the group is not meaningful)")
    margin = float(table.margin.iloc[0])
    return (f"{head}. Margin: {margin:,.0f} (materiality, a share of revenue; a smaller gap is not worth a "
            f"reorg); paired t-tests over {seeds} common seeds, Holm-corrected, family-wise alpha = {ALPHA}. "
            f"A later group fell short of the leader of every group above it by more than the margin.")


def cells(table: pd.DataFrame, metric: str) -> dict[str, list[str]]:
    """Each column's header and cells, the decision's first: group, regime, the metric ranked on, handoff
    failure; then FIRST_AFTER, then the rest in COLUMNS' order (mean ±half the 95% CI)."""
    first = [metric, "handoff_failure_rate", *(c for c in FIRST_AFTER if c != metric)]
    order = [*first, *(c for c in COLUMNS if c not in first)]
    out = {"group": [str(g) for g in table.rank_group], "regime": list(table.regime)}
    for c in order:
        label, fmt = COLUMNS[c]
        out[label] = [f"{fmt.format(r[c])} ±{fmt.format((r[c + '_hi'] - r[c + '_lo']) / 2)}"
                      for _, r in table.iterrows()]
    return out


def render(table: pd.DataFrame, metric: str = "value", width: int | None = None, terminal: bool = False) -> str:
    """The table as text that fits `width` characters (None: every column, `--wide`): the decision's columns
    first, then as many more as fit; the rest are in comparison.csv. A terminal gets rich's rules and bold
    headers; a file or a pipe plain text."""
    columns = cells(table, metric)
    shown, used = [], 0
    for label, values in columns.items():
        need = max(len(label), *(len(v) for v in values)) + 2
        if width is not None and len(shown) >= 4 and used + need > width:  # the first four always show
            break
        shown.append(label)
        used += need
    t = Table(box=box.SIMPLE_HEAD if terminal else None, show_edge=False, pad_edge=False,
              header_style="bold" if terminal else "")
    for label in shown:
        t.add_column(label, justify="left" if label in ("group", "regime") else "right", no_wrap=True)
    for i in range(len(table)):
        t.add_row(*(columns[label][i] for label in shown))
    buffer = io.StringIO()
    Console(file=buffer, width=max(used, 40) + 4, force_terminal=terminal, color_system="standard" if terminal
            else None, highlight=False).print(t)
    hidden = len(columns) - len(shown)
    note = f"\n({hidden} more columns in comparison.csv; --wide shows them here)" if hidden else ""
    return buffer.getvalue().rstrip() + note


def company_file(args: list[str]) -> int | None:
    """Where a company file is among the arguments (a YAML file that is no option's value), or None."""
    for i, arg in enumerate(args):
        if arg.endswith((".yaml", ".yml")) and not arg.startswith("-") and "=" not in arg and (
                i == 0 or args[i - 1] not in ("--uncertainty", "--org", "--regimes", "--out")):
            return i
    return None


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="cxsim-compare", description=__doc__.splitlines()[0],
        usage="cxsim-compare [options] [KEY=VALUE ...]   or   cxsim-compare COMPANY.yaml [options]",
        epilog="Options and Hydra overrides go in any order. Given a company file (as in "
               "the one `cxsim-examples FOLDER` copies) it runs the reorg comparison instead (cxsim-reorg --help). "
               "Example: cxsim-compare --regimes ceo_led,coo_owned --seeds 20 levers.ceo_attention=2")
    ap.add_argument("--org", default="auto_insurer", help="org preset (cxsim/conf/org/) or your own org file")
    ap.add_argument("--regimes", default=",".join(r for r in composition.available("regime")
                                                  if not r.endswith("_schema")),
                    help="comma-separated regimes: presets or your own regime files (default: all presets)")
    ap.add_argument("--seeds", type=int, default=10, help="seeds per regime")
    ap.add_argument("--metric", choices=METRICS, default="value",
                    help="what the rank groups are made on: value (discounted cash plus the customer equity the "
                         "horizon leaves, the default) or profit (the horizon's undiscounted cash)")
    ap.add_argument("--jobs", type=int, default=None, help="parallel workers (default: all cores)")
    ap.add_argument("--wide", action="store_true",
                    help="print every column of the table (default: as many as fit the terminal; all are in the CSV)")
    ap.add_argument("--out", default=None, help="folder for the CSV files")
    ap.add_argument("--materiality", type=float, default=MATERIALITY,
                    help=f"smallest profit gap the rank groups act on, as a share of revenue (default {MATERIALITY}; "
                         f"0: any gap the seeds tell apart)")
    ap.add_argument("--uncertainty", default=None,
                    help="assumptions and ranges to find the crossover in "
                         "(default: cxsim/conf/uncertainty/default.yaml)")
    ap.add_argument("--screen-seeds", type=int, default=2,
                    help="seeds per point of the crossover screening (the comparison's first ones)")
    ap.add_argument("--no-crossover", action="store_true", help="skip the crossover screening")
    ap.add_argument("--stress", type=float, default=None, metavar="SHARE",
                    help="also move each regime constant of the uncertainty set by -/+SHARE (e.g. 0.3), one at "
                         "a time, and say which change the rank groups")
    ap.add_argument("--explain", nargs="?", const="top", default=None, metavar="A,B",
                    help="why A beats B (default: the top two): the gap as a P&L bridge over the comparison's seeds, "
                         "and the mechanisms' Shapley shares (cxsim.decide.explain)")
    ap.add_argument("--explain-seeds", type=int, default=3,
                    help="seeds of the Shapley split (2^6 mechanism subsets x 2 regimes x this many runs)")
    ap.add_argument("--structural", action="store_true",
                    help="rerun the comparison under each documented structural alternative (diffusion at the "
                         "individual level; each mechanism switched off) and say whether the verdict survives")
    ap.add_argument("--joint", type=int, default=0, metavar="N",
                    help="also move every assumption of the uncertainty set at once, in N futures (a Latin "
                         "hypercube): how often each regime is best, and where the verdict flips (PRIM)")
    ap.add_argument("--joint-seeds", type=int, default=2, help="seeds per regime in each future of --joint")
    ap.add_argument("overrides", nargs="*", help="Hydra overrides applied to every run")
    return ap


def checked(args, regimes: list[str]):
    """Fail fast, before any run starts: the configs, the options, the output folder, the uncertainty set."""
    if args.seeds < 2:
        raise ConfigError(f"--seeds: at least 2 are needed for a confidence interval, got {args.seeds}")
    for r in regimes:
        composition.compose([f"regime={r}", f"org={args.org}", *args.overrides])
    if args.stress is not None and not 0 < args.stress < 1:
        raise ConfigError(f"--stress: a share between 0 and 1, got {args.stress:g}")
    if not 0 <= args.materiality < 1:
        raise ConfigError(f"--materiality: a share of revenue between 0 and 1, got {args.materiality:g}")
    validation.flags(args, {"seeds": 2, "jobs": 1, "screen_seeds": 1, "explain_seeds": 2, "joint": 0,
                            "joint_seeds": 1})
    if args.joint == 1:
        raise ConfigError("--joint: at least 2 futures are needed to say how often a regime is best, got 1")
    if args.explain is not None and "=" in args.explain:  # `--explain days=5`: an override, not a pair
        args.overrides.append(args.explain)
        args.explain = "top"
    if args.explain not in (None, "top"):
        pair = args.explain.split(",")
        if len(pair) != 2 or not set(pair) <= set(regimes) or pair[0] == pair[1]:
            raise ConfigError(f"--explain: name two of the compared regimes as A,B, got {args.explain!r}")
    if not 1 <= args.screen_seeds <= args.seeds:
        raise ConfigError(f"--screen-seeds: must be between 1 and --seeds ({args.seeds}), got {args.screen_seeds}")
    needed = (not args.no_crossover and len(regimes) >= 2) or args.stress is not None or args.joint
    uncertainty = None if not needed else (
        crossover.load(args.uncertainty) if args.uncertainty else crossover.load())
    default = f"outputs/compare/{datetime.now():%Y-%m-%d_%H-%M-%S}_{file_name(Path(args.org).stem)}"
    out = ensure_writable(args.out or default)
    return uncertainty, out


def robustness(args, runs: pd.DataFrame, table: pd.DataFrame, uncertainty, out) -> None:
    """Under the table: the crossover line and, if asked, the stress of every regime constant."""
    named = []
    if not args.no_crossover and len(table) >= 2:
        print(f"\ncxsim-compare: screening {len(uncertainty.of(list(table.regime[:2])))} assumptions for the "
              f"crossover of the two leaders ({args.screen_seeds} seeds per point) ...", flush=True)
        found = crossover.find(runs, table, crossover.Composed(args.org, list(args.overrides)), uncertainty,
                               args.screen_seeds, jobs=args.jobs, metric=args.metric)
        found.table().to_csv(out / "crossover.csv", index=False)
        print(found.sentence())
        print(found.runs_line())
        named = found.named
    if args.stress is not None:
        from cxsim.decide import stress

        print(f"\ncxsim-compare: moving each regime constant by -/+{args.stress:.0%} ...", flush=True)
        moves, moved_runs = stress.stress(runs, args.org, args.overrides, uncertainty, args.stress, args.jobs,
                              args.materiality)
        moves.to_csv(out / "stress.csv", index=False)
        moved_runs.to_csv(out / "stress_runs.csv", index=False)
        print(stress.summary(moves, args.stress, named))


# The documented structural alternatives: a different form of a mechanism, or the mechanism removed
STRUCTURAL = {"diffusion at the individual level (Darley & Latane's rates, members independent)":
              ["mechanisms.diffusion.level=individual"]}


def alternatives() -> dict[str, list[str]]:
    from cxsim.decide.explain import SWITCHES

    return {**STRUCTURAL, **{f"without {name}": overrides for name, overrides in SWITCHES.items()}}


def verdict(table: pd.DataFrame) -> str:
    return ", ".join(table[table.rank_group == 1].regime)


def structure(args, runs: pd.DataFrame, table: pd.DataFrame, out: Path) -> None:
    """The foot's structural line: the verdict on the other metric (free: the same runs), and with
    --structural under each structural alternative (a comparison each, on the same seeds)."""
    other = "profit" if args.metric == "value" else "value"
    base = verdict(table)
    rows = [(f"ranked on {other} instead of {args.metric}", verdict(table_of(runs, args.materiality, other)))]
    if args.structural:
        for name, extra in alternatives().items():
            print(f"cxsim-compare: the comparison {name} ...", flush=True)
            moved = run_all(list(table.regime), args.org, range(args.seeds), [*args.overrides, *extra], args.jobs)
            moved["regime"] = moved["regime"].astype(str)
            rows.append((name, verdict(table_of(moved, args.materiality, args.metric))))
    pd.DataFrame(rows, columns=["alternative", "group_1"]).to_csv(out / "structural.csv", index=False)
    print(f"\nStructure: group 1 is {base}.")
    for name, group in rows:
        print(f"  {name}: {'the same' if group == base else 'group 1 becomes ' + group}")
    if not args.structural:
        print(f"  (--structural reruns it under {len(alternatives())} structural alternatives: "
              f"diffusion at the individual level, and each mechanism switched off)")


def together(args, table: pd.DataFrame, uncertainty, out: Path) -> None:
    """The foot's joint line: every assumption moved at once (`cxsim.decide.joint`), or how to ask for it."""
    regimes = list(table.regime)
    if not args.joint:
        if len(regimes) >= 2:
            print(f"\n(--joint N moves every assumption of the uncertainty set at once in N futures: how often each "
                  f"regime is best, and where the verdict flips; N x {len(regimes)} regimes x --joint-seeds runs)")
        return
    from cxsim.decide import joint

    points = joint.futures(uncertainty, regimes, args.joint)
    n_runs = len(points) * len(regimes) * args.joint_seeds
    print(f"\ncxsim-compare: {args.joint} futures with every assumption moved at once ({n_runs} runs) ...", flush=True)
    runs = joint.run(points, uncertainty, regimes, args.org, list(args.overrides), range(args.joint_seeds), args.jobs)
    leader = table.sort_values(args.metric, ascending=False).regime.iloc[0]
    shares, boxes = joint.summary(runs, points, leader, args.metric)
    points.to_csv(out / "joint_futures.csv")
    runs.to_csv(out / "joint_runs.csv", index=False)
    shares.to_csv(out / "joint.csv", index=False)
    boxes.to_csv(out / "joint_prim.csv", index=False)
    print(joint.sentence(shares, boxes, leader, len(points), args.joint_seeds))


def explained(args, runs: pd.DataFrame, table: pd.DataFrame, out: Path) -> None:
    """Why the first beats the second: the P&L bridge on the comparison's seeds, then the Shapley split."""
    from cxsim.decide import explain

    a, b = args.explain.split(",") if args.explain != "top" else list(table.regime[:2])
    lines = explain.bridge(runs, a, b, args.metric)
    lines.to_csv(out / "explain_bridge.csv", index=False)
    print("\n" + explain.text(f"Why {a} beats {b}: the {args.metric} gap line by line (mean over {args.seeds} "
                                f"common seeds, 95% CI)", lines, "line", "gap"))
    print("  In words: " + explain.in_words(lines, a, b, args.metric))
    seeds = list(range(args.explain_seeds))
    print(f"\ncxsim-compare: the mechanisms' Shapley shares ({len(explain.SWITCHES)} groups, "
          f"{args.explain_seeds} seeds) ...", flush=True)
    shares, n_runs = explain.mechanism_shares(a, b, args.org, seeds, args.overrides, args.metric, args.jobs)
    shares.to_csv(out / "explain_shapley.csv", index=False)
    print(explain.text(f"the {args.metric} gap by mechanism (exact Shapley over every subset of the switches: "
                       f"{n_runs} runs; 95% CI over {len(seeds)} seeds)", shares, "mechanism", "share"))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    company = company_file(args)
    if company is not None:  # a company file: the robust reorg comparison
        from cxsim.decide.reorg import main as reorg

        return reorg([args[company], *args[:company], *args[company + 1:]])
    args = parser().parse_intermixed_args(argv)
    regimes = [r for r in args.regimes.split(",") if r]
    try:
        uncertainty, out = checked(args, regimes)
    except ConfigError as exc:
        print(f"cxsim-compare: error: {exc}", file=sys.stderr)
        return 2
    print(f"cxsim-compare: {len(regimes)} regimes x {args.seeds} seeds on {args.org} ...", flush=True)
    runs = run_all(regimes, args.org, range(args.seeds), args.overrides, args.jobs)
    table = table_of(runs, args.materiality, args.metric)
    runs.to_csv(out / "runs.csv", index=False)
    table.to_csv(out / "comparison.csv", index=False)
    days = int(runs.days.iloc[0])
    rate = composition.compose([f"org={args.org}", *args.overrides]).org.discount_rate
    ranked_on = (f"value (discounted at {rate:.0%} a year, with the customer equity the horizon leaves; "
                 f"--metric profit for the undiscounted profit)" if args.metric == "value" else "profit")
    print(f"\n{args.org}, {days} days, mean ±95% CI over {args.seeds} seeds, in rank groups by {ranked_on}\n")
    terminal = sys.stdout.isatty()
    print(render(table, args.metric, None if args.wide else shutil.get_terminal_size((120, 24)).columns, terminal))
    print("\n" + groups_text(table, args.seeds))
    structure(args, runs, table, out)
    robustness(args, runs, table, uncertainty, out)
    together(args, table, uncertainty, out)
    if args.explain is not None and len(table) >= 2:
        explained(args, runs, table, out)
    print(f"\nruns and table written to {out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
