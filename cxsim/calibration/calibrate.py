"""`cxsim-calibrate COMPANY.yaml OBSERVED.yaml`: fit the company's uncertain assumptions to what it measured.

    cxsim-examples my_company          # an example company file and the data it measured
    cxsim-calibrate my_company/mid_size_insurer.yaml my_company/mid_size_insurer_observed.yaml --jobs 2
    cxsim-compare outputs/calibrate/mid_size_insurer/calibrated.yaml   # the reorg comparison on the fitted ranges

Under today's regime, the model is run for the observed file's `period_days`
in `--generations` generations of `--samples` runs, each run with its own seed:
the first on a Latin hypercube of the company file's `uncertain` ranges (the
prior), each next one drawn near the runs that came closest to the measures so
far (sequential approximate Bayesian computation, `cxsim.calibration.inference`); with
`--warmup`, each run first settles that many days, not counted. The fit
keeps the closest `--accept` share of all runs and gives each assumption a
posterior median and 90% range, and says which ones the data pin down and which
they leave loose. A posterior predictive check reruns the model at `--check`
posterior draws with new seeds and sets the measures beside the observed ones.
Out, in one folder:

    design/ check/         the sweeps' stores (parallel, resumable: rerun the command to resume)
    posterior.csv          per assumption: prior range, posterior 5/50/95%, verdict
    measures.csv           per measure: observed, fitted runs' 90% range, verdict
    check.csv              per measure: observed against the posterior predictive 90% range
    monthly_churn.csv      per month (when the observed file gives monthly churn): the same check
    draws.csv              the accepted runs' adjusted assumptions, weights and distances
    generations.csv        per generation: runs, tolerance (distance of the farthest kept run), effective sample size
    report.html            all of it with a picture per assumption (prior vs posterior)
    calibrated.yaml        the company file with the posterior 90% ranges as its `uncertain`
"""

from __future__ import annotations

import argparse
import hashlib
import html
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from cxsim.calibration.observed import Observed, month_column, run_measures
from cxsim.calibration.observed import load as load_observed
from cxsim.config import files, validation
from cxsim.config.errors import ConfigError, message
from cxsim.decide.company import Company
from cxsim.decide.company import load as load_company
from cxsim.runs.store import ensure_writable


def seeded_configs(folder: Path, prefix: str, points: pd.DataFrame) -> list[str]:
    """Write a `sample` config per point, with its own replicate (so its own seed), named by its values."""
    from cxsim.decide.reorg import names, sample_config

    (folder / "configs" / "sample").mkdir(parents=True, exist_ok=True)
    labels = names(prefix, points)
    for label, (_, row) in zip(labels, points.iterrows()):
        replicate = int(hashlib.sha1(label.encode()).hexdigest()[:7], 16)  # distinct noise per draw
        text = sample_config(row.to_dict()) + f"replicate: {replicate}\n"
        (folder / "configs" / "sample" / f"{label}.yaml").write_text(text)
    return labels


def run_points(company: Company, observed: Observed, folder: Path, store: str, prefix: str,
               points: pd.DataFrame, jobs: int | None, warmup: int = 0) -> pd.DataFrame:
    """Run today's regime at every point (resuming), return one row per run: assumptions and outcomes."""
    from cxsim.decide.reorg import prepare
    from cxsim.runs.evaluator import sweep as launch
    from cxsim.runs.store import Store

    common = [o for o in prepare(company, folder, {}) if not o.startswith("days=")]
    labels = seeded_configs(folder, prefix, points)
    settle = f" after a {warmup}-day warm-up" if warmup else ""
    print(f"cxsim-calibrate: {store}: {len(labels)} runs of {company.today}, {observed.period_days} days{settle}",
          file=sys.stderr, flush=True)
    launch(folder / store, [*common, f"days={warmup + observed.period_days}", f"warmup_days={warmup}",
                            f"regime={company.today}", f"+sample={','.join(labels)}"], folder / "configs", jobs)
    results = Store(folder / store)
    summary = results.table("summary")
    if summary.empty:
        raise ConfigError(f"no finished runs in {folder / store}")
    measured = run_measures(summary, results.table, list(observed.measures), observed.period_days,
                            len(observed.monthly_churn), start=warmup)
    values = points.set_axis(labels).rename_axis("coord.sample").reset_index()
    runs = (summary[["run_id", "coord.sample"]].merge(measured, on="run_id")
            .drop(columns=[c for c in points.columns if c in measured]).merge(values, on="coord.sample"))
    if len(runs) < len(labels):
        print(f"cxsim-calibrate: warning: {len(labels) - len(runs)} of {len(labels)} runs did not finish "
              f"(see {folder / store / 'failed'})", file=sys.stderr, flush=True)
    return runs


def check(fit, observed: Observed, runs: pd.DataFrame) -> pd.DataFrame:
    """Observed measures against the posterior predictive 5-95% range of fresh runs."""
    rows = []
    for m, obs in observed.measures.items():
        q5, q50, q95 = np.nanquantile(runs[m].astype(float), [0.05, 0.5, 0.95])
        rows.append({"measure": m, "observed": obs, "predictive_p05": q5, "predictive_median": q50,
                     "predictive_p95": q95, "inside": bool(q5 <= obs <= q95)})
    return pd.DataFrame(rows)


def monthly_check(observed: Observed, runs: pd.DataFrame) -> pd.DataFrame:
    """Each month's observed churn against the posterior predictive 5-95% range of that month."""
    rows = []
    for i, obs in enumerate(observed.monthly_churn):
        q5, q50, q95 = np.nanquantile(runs[month_column(i)].astype(float), [0.05, 0.5, 0.95])
        rows.append({"month": i + 1, "observed": obs, "predictive_p05": q5, "predictive_median": q50,
                     "predictive_p95": q95, "inside": bool(q5 <= obs <= q95)})
    return pd.DataFrame(rows)


def monthly_figure(months: pd.DataFrame, folder: Path) -> Path:
    from cxsim.analysis import plots

    fig, ax = plots.plt.subplots(figsize=(6.4, 3.2))
    ax.fill_between(months.month, months.predictive_p05, months.predictive_p95, color="#4C72B0", alpha=0.25,
                    label="fitted model, 90% range")
    ax.plot(months.month, months.predictive_median, color="#4C72B0", label="fitted model, median")
    ax.plot(months.month, months.observed, "o", color="#C44E52", label="observed")
    ax.set(xlabel="month of the period", ylabel="churn (share of the base)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return plots.save(fig, folder, "monthly_churn")


def calibrated_file(company_file: Path, posterior: pd.DataFrame, out: Path) -> Path:
    """The company file with `uncertain` set to the posterior 90% ranges (comments are not kept).

    An assumption the data leave loose keeps its prior range: the data said nothing to narrow it.
    """
    data = yaml.safe_load(company_file.read_text())

    def found(value):  # an org or regime file beside the company file: its absolute path, for the new file
        if not files.is_file(value):
            return value
        return str((company_file.parent / Path(value).expanduser()).resolve())

    data["org"], data["today"] = found(data["org"]), found(data["today"])
    data["candidates"] = [found(c) for c in data["candidates"]]
    data["uncertain"] = {
        r.parameter: ([r.prior_low, r.prior_high] if r.verdict.startswith("left loose")
                      else [float(f"{r.p05:.4g}"), float(f"{r.p95:.4g}")])
        for r in posterior.itertuples() if r.p95 > r.p05}
    head = (f"# {data.get('name', company_file.stem)}, calibrated by cxsim-calibrate: `uncertain` holds the\n"
            f"# posterior 90% ranges fitted to the measured data (see report.html beside this file);\n"
            f"# assumptions the data leave loose keep their first ranges.\n")
    out.write_text(head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return out


def posterior_figure(fit, params: dict[str, tuple[float, float]], folder: Path) -> Path:
    from cxsim.analysis import plots

    fig, axes = plots.plt.subplots(1, len(params), figsize=(4.2 * len(params), 3.2), squeeze=False)
    for ax, (p, (lo, hi)) in zip(axes[0], params.items()):
        ax.hist(fit.draws[p], bins=20, range=(lo, hi), weights=fit.draws["weight"], density=True,
                color="#4C72B0", alpha=0.8, label="posterior")
        ax.axhline(1.0 / (hi - lo), color="#999999", ls="--", label="prior")
        ax.set_title(p, fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    return plots.save(fig, folder, "posterior")


def report(company: Company, observed: Observed, fit, checked: pd.DataFrame, months: pd.DataFrame,
           folder: Path, warmup: int = 0) -> Path:
    from cxsim.analysis.report import img, table_html, write_page

    lines = []
    for r in fit.posterior.itertuples():
        lines.append(f"<li><b>{html.escape(r.parameter)}</b>: {r.median:.4g} (90% range {r.p05:.4g} to {r.p95:.4g}; "
                     f"prior {r.prior_low:.4g} to {r.prior_high:.4g}): {html.escape(r.verdict)}</li>")
    bad = fit.measures[~fit.measures.verdict.isin(["reproduced"])]
    warn = "".join(f"<li><b>{html.escape(r.measure)}</b>: {html.escape(r.verdict)}</li>" for r in bad.itertuples())
    if not fit.surrounded:
        warn += f"<li>{html.escape(jointly(fit))}</li>"
    body = [
        f"<h1>cxsim calibration: {html.escape(company.name)}</h1>",
        f"<p>Today's regime <b>{html.escape(company.today)}</b>, {fit.runs} runs over {observed.period_days} days "
        + (f"(after a {warmup}-day warm-up, not counted) " if warmup else "") +
        f"in {len(fit.generations)} generation(s), the first from the prior, each next one near the runs closest "
        f"to the measures so far; the {fit.accepted} closest of all runs kept, weighted by their kernel and "
        f"importance weights (sequential ABC, Beaumont et al. 2009"
        + (" with local-linear regression adjustment, Beaumont et al. 2002" if fit.adjusted else
           "; no regression adjustment: the measures lie outside the runs taken together, so it would "
           "extrapolate" if not fit.surrounded else
           "; too few kept runs for the regression adjustment: raise --samples or --accept")
        + "; distance: Euclidean over the measures, each scaled by its median absolute deviation across the "
        "runs).</p>",
        "<h2>What the data say about each assumption</h2>", f"<ul>{''.join(lines)}</ul>",
        "<p>How the generations closed in on the data (tolerance: distance of the farthest kept run; effective "
        "sample size of the kept runs' weights):</p>", table_html(fit.generations),
        img(posterior_figure(fit, company.uncertain, folder / "figures")),
        table_html(fit.posterior),
        "<h2>Measures: observed and fitted</h2>",
        f"<ul>{warn}</ul>" if warn else "<p>Every measure is reproduced by the fitted runs.</p>",
        table_html(fit.measures),
        "<h2>Posterior predictive check</h2>",
        f"<p>{int(checked.inside.sum())} of {len(checked)} measures lie inside the 90% "
        "range of fresh runs at posterior draws (new seeds). Satisfaction is on the model's 0..1 scale "
        "(rescaled from the observed file's <code>satisfaction_scale</code>).</p>", table_html(checked),
        *([f"<h3>Churn month by month</h3><p>The fit uses the mean of the monthly rates; {int(months.inside.sum())} "
           f"of {len(months)} months lie inside the fitted model's 90% range.</p>",
           img(monthly_figure(months, folder / "figures")), table_html(months)] if len(months) else []),
        "<h2>Next</h2><p><code>cxsim-compare calibrated.yaml</code> compares the options on the fitted "
        "ranges.</p>",
    ]
    return write_page(folder / "report.html", f"cxsim calibration: {company.name}", body)


def jointly(fit) -> str:
    return (f"the measures together are not reproduced: no run comes near all of them at once (nearest run at "
            f"{fit.gap:.2f}, runs' own nearest neighbours within {fit.typical_gap:.2f}, in scaled units); the "
            "fitted ranges are the best compromise, not a match: see the predictive check")


def calibrate(company_file: Path, observed_file: Path, folder: Path, samples: int, generations: int,
              accept: float, checks: int, jobs: int | None, warmup: int = 0) -> dict:
    from cxsim.calibration.inference import sequential

    company = load_company(company_file)
    org = company.config.org
    observed = load_observed(observed_file, list(org.departments), list(org.journeys))
    shutil.copyfile(company_file, folder / "company.yaml")  # what was fitted, beside the results
    shutil.copyfile(observed_file, folder / "observed.yaml")
    if not company.uncertain:
        raise ConfigError(f"{company_file}: uncertain: nothing to calibrate; list the assumptions to fit "
                          "as `key: [low, high]`")
    params = company.uncertain

    def simulate(points: pd.DataFrame, generation: int) -> pd.DataFrame:
        print(f"cxsim-calibrate: generation {generation + 1} of {generations}", file=sys.stderr, flush=True)
        prefix = "cal" if generation == 0 else f"cal{generation}"  # generation 0 keeps the first design's names
        return run_points(company, observed, folder, "design", prefix, points, jobs, warmup)

    fitted = sequential(simulate, params, observed.measures, samples, generations, accept)
    rng = np.random.default_rng(0)
    picks = rng.choice(len(fitted.draws), size=checks, p=fitted.draws.weight / fitted.draws.weight.sum())
    again = run_points(company, observed, folder, "check", "ppc", fitted.draws.iloc[picks][list(params)]
                       .reset_index(drop=True).drop_duplicates(), jobs, warmup)
    checked = check(fitted, observed, again)
    months = monthly_check(observed, again)
    fitted.posterior.to_csv(folder / "posterior.csv", index=False)
    fitted.measures.to_csv(folder / "measures.csv", index=False)
    fitted.draws.to_csv(folder / "draws.csv", index=False)
    fitted.generations.to_csv(folder / "generations.csv", index=False)
    checked.to_csv(folder / "check.csv", index=False)
    if len(months):
        months.to_csv(folder / "monthly_churn.csv", index=False)
    page = report(company, observed, fitted, checked, months, folder, warmup)
    out = calibrated_file(company_file, fitted.posterior, folder / "calibrated.yaml")
    return {"fit": fitted, "check": checked, "report": page, "calibrated": out}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="cxsim-calibrate", description=__doc__.splitlines()[0],
        epilog="example: cxsim-calibrate my_company/mid_size_insurer.yaml my_company/mid_size_insurer_observed.yaml "
               "--jobs 2; then cxsim-compare outputs/calibrate/mid_size_insurer/calibrated.yaml")
    ap.add_argument("company", help="the company file (its `uncertain` ranges are the prior)")
    ap.add_argument("observed", help="the measured data (cxsim-examples FOLDER copies an example)")
    ap.add_argument("--samples", type=int, default=150, help="runs per generation (default 150)")
    ap.add_argument("--generations", type=int, default=3,
                    help="generations of the sequential fit; 1: plain rejection from the prior (default 3)")
    ap.add_argument("--accept", type=float, default=0.25, help="share of all runs kept (default 0.25)")
    ap.add_argument("--warmup", type=int, default=0,
                    help="days the model runs under today's regime before the measured period (default 0: "
                         "the period starts where the comparison does)")
    ap.add_argument("--check", type=int, default=20, help="posterior predictive runs (default 20)")
    ap.add_argument("--jobs", type=int, default=None, help="parallel runs (default: every core)")
    ap.add_argument("--out", default=None, help="folder (default: outputs/calibrate/COMPANY-STEM)")
    args = ap.parse_args(argv)
    try:
        validation.flags(args, {"samples": 20, "generations": 1, "check": 2, "jobs": 1, "warmup": 0})
        if not 0 < args.accept <= 1:
            raise ConfigError(f"--accept: must be a share in (0, 1], got {args.accept}")
        company_file = Path(args.company)
        folder = ensure_writable(Path(args.out or f"outputs/calibrate/{company_file.stem}").resolve())
        r = calibrate(company_file, Path(args.observed), folder, args.samples, args.generations, args.accept,
                      args.check, args.jobs, args.warmup)
    except (ConfigError, OSError) as exc:
        print(f"cxsim-calibrate: error: {message(exc)}", file=sys.stderr)
        return 2
    fit = r["fit"]
    print(fit.posterior[["parameter", "p05", "median", "p95", "verdict"]].to_string(index=False,
                                                                                     float_format="{:.4g}".format))
    print()
    print(r["check"].to_string(index=False, float_format="{:.4g}".format))
    for m in fit.measures.itertuples():
        if m.verdict != "reproduced":
            print(f"cxsim-calibrate: warning: {m.measure}: {m.verdict}", file=sys.stderr)
    if not fit.surrounded:
        print(f"cxsim-calibrate: warning: {jointly(fit)}", file=sys.stderr)
    for c in r["check"].itertuples():
        if not c.inside:
            print(f"cxsim-calibrate: warning: {c.measure}: observed {c.observed:.4g} is outside the posterior "
                  f"predictive 90% range ({c.predictive_p05:.4g} to {c.predictive_p95:.4g})", file=sys.stderr)
    print(f"\ncxsim-calibrate: report {r['report']}\ncxsim-calibrate: calibrated company file {r['calibrated']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
