"""`cxsim-report PATH`: one self-contained HTML report of a sweep, plus CSV.

    cxsim-report multirun/regime_showdown            # writes multirun/regime_showdown/report/

The report holds the ranking (with which regimes cannot be told apart), mean
and 95% CI of every outcome, paired differences against the best regime on
common seeds, the plots (embedded PNG; SVG beside them), failed runs, and the
sweep's config and provenance. Every name that comes from a user's config is
HTML-escaped. It reads only the store, so it can run while a sweep works.
"""

from __future__ import annotations

import argparse
import base64
import html
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from cxsim.analysis import plots
from cxsim.analysis.statistics import ALPHA, MATERIALITY, OUTCOMES, factors, mean_ci, paired_differences, tidy
from cxsim.config.errors import ConfigError
from cxsim.runs.store import Store, ensure_writable

CSS = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222}
table{border-collapse:collapse;font-size:12px;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}
th{background:#f3f3f3}img{max-width:100%;border:1px solid #eee;margin:.5em 0}
pre{background:#f7f7f7;padding:1em;font-size:11px;overflow:auto}
.note{color:#555;font-size:13px}"""


def img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


def table_html(df: pd.DataFrame) -> str:
    return df.to_html(index=False, escape=True, float_format=number, border=0)


def number(x: float) -> str:
    """Money-sized numbers in full with thousands separators, small ones to 4 significant digits."""
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:,.4g}"


def ranking_text(diffs: pd.DataFrame) -> str:
    parts = []
    for key, g in diffs.groupby([c for c in diffs.columns if c == "org" or c.startswith("coord.")]):
        scen = ", ".join(f"{html.escape(str(c).removeprefix('coord.'))}={html.escape(str(v))}"
                         for c, v in zip([c for c in diffs.columns if c == "org" or c.startswith("coord.")],
                                         key if isinstance(key, tuple) else (key,)))
        tied = g[g.rank_group == 1].regime.tolist()
        line = f"<li><b>{scen}</b>: best on profit is <b>{html.escape(g.iloc[0].regime)}</b>"
        if len(tied) > 1:
            line += (f" — not told apart by more than the margin ({g.iloc[0].margin:,.0f}; paired t-tests, "
                     f"Holm-corrected, α = {ALPHA}) from " + ", ".join(html.escape(r) for r in tied[1:]))
        parts.append(line + "</li>")
    return "<ul>" + "".join(parts) + "</ul>"


def build(folder: str | Path, out: str | Path | None = None, everything: bool = False,
          sections: list[str] = ()) -> Path:
    """The report of a sweep's finished runs: CSV tables, figures and one HTML page, in `out`;
    `sections`: HTML a tool built on the report adds under the results (the crossover line)."""
    store = Store(folder)
    summary = store.table("summary", everything)
    if summary.empty:
        raise SystemExit(f"cxsim-report: error: no finished runs in {store.runs}")
    summary = tidy(summary)
    timeseries = store.table("timeseries", everything)
    timeseries = timeseries.merge(summary[["run_id", "org"]], on="run_id", how="left")
    handoffs = store.table("handoffs", everything).merge(summary[["run_id", "org", "regime"]], on="run_id", how="left")
    out = Path(out) if out else store.folder / "report"
    out.mkdir(parents=True, exist_ok=True)
    budgets = store.table("budgets", everything)  # read once: a CSV beside the page and a figure
    table, diffs, failures = write_tables(store, out, summary, handoffs, budgets, everything)
    figures = draw_figures(summary, timeseries, handoffs, out / "figures", budgets)
    prov = store.provenance(everything)
    body = results_section(store, summary, table, diffs, failures, prov) + list(sections)
    for title, path in figures:
        body += [f"<h2>{html.escape(title)}</h2>", img(path)]
    body += provenance_section(store, failures, prov)
    return write_page(out / "report.html", "cxsim report", body)


def write_tables(store: Store, out: Path, summary: pd.DataFrame, handoffs: pd.DataFrame,
                 budgets: pd.DataFrame, everything: bool) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The CSV files beside the report; returns the per-regime table, the paired differences, the failures."""
    table = mean_ci(summary)
    diffs = paired_differences(summary, "profit")
    summary.to_csv(out / "runs.csv", index=False)
    handoffs.to_csv(out / "handoffs.csv", index=False)
    store.table("journeys", everything).to_csv(out / "journeys.csv", index=False)
    store.table("departments", everything).to_csv(out / "departments.csv", index=False)
    budgets.to_csv(out / "budgets.csv", index=False)  # the CFO's books per quarter (issue 17)
    store.table("initiatives", everything).to_csv(out / "initiatives.csv", index=False)
    table.to_csv(out / "regime_stats.csv", index=False)
    diffs.to_csv(out / "paired_differences.csv", index=False)
    failures = store.failures(everything)
    failures.to_csv(out / "failed_runs.csv", index=False)
    return table, diffs, failures


def draw_figures(summary: pd.DataFrame, timeseries: pd.DataFrame, handoffs: pd.DataFrame,
                 figdir: Path, budgets: pd.DataFrame | None = None) -> list[tuple[str, Path]]:
    """Four figures per org (five with the CFO's budget rounds), and a response curve per swept
    numeric parameter: (title, PNG path)."""
    figures = []
    for org in sorted(summary.org.unique()):
        # the main comparison at the first setting of any swept parameter is pooled here
        figures.append((f"Regime comparison — {org}", plots.save(
            plots.regime_comparison(mean_ci(summary, by=["regime", "org"]), org), figdir, f"comparison_{org}")))
        figures.append((f"Outcomes over time — {org}", plots.save(
            plots.over_time(timeseries, org), figdir, f"over_time_{org}")))
        figures.append((f"Handoff failures by department pair — {org}", plots.save(
            plots.handoff_heatmap(handoffs, org), figdir, f"heatmap_{org}")))
        figures.append((f"Journey funnel — {org}", plots.save(
            plots.journey_funnel(summary, timeseries, org), figdir, f"funnel_{org}")))
        if budgets is not None and len(budgets) and budgets.cost_centre.astype(bool).any():
            figures.append((f"The CFO's budget rounds — {org}", plots.save(
                plots.budget_rounds(budgets, org), figdir, f"budget_rounds_{org}")))
    for param in factors(summary):
        if pd.api.types.is_numeric_dtype(summary[param]):
            name = param.removeprefix("coord.")
            figures.append((f"Response to {name}", plots.save(
                plots.response_curve(summary, param), figdir, f"response_{name}")))
    return figures


def results_section(store: Store, summary: pd.DataFrame, table: pd.DataFrame, diffs: pd.DataFrame,
                    failures: pd.DataFrame, prov: pd.DataFrame) -> list[str]:
    """The page's head, the ranking, the paired differences and the table of every outcome."""
    shown = ["regime", "org", *factors(summary), "runs"] + [
        c for col in OUTCOMES for c in (col, f"{col}_lo", f"{col}_hi")]
    first = prov.iloc[0] if len(prov) else {}
    return [
        f"<h1>cxsim sweep report: {html.escape(str(first.get('experiment') or store.folder.name))}</h1>",
        f"<p class=note>{len(summary)} finished runs, {len(failures)} failed; "
        f"generated {datetime.now(UTC):%Y-%m-%d %H:%M UTC}; cxsim {html.escape(str(first.get('cxsim_version', '?')))}, "
        f"Mesa {html.escape(str(first.get('mesa_version', '?')))}, "
        f"Python {html.escape(str(first.get('python', '?')))}.</p>",
        "<h2>Ranking</h2>", ranking_text(diffs),
        "<h2>Paired differences against the best regime (profit)</h2>",
        "<p class=note>regime minus best, per seed (common random numbers); 95% CI of the mean; "
        "paired t-test p-value (uncorrected); rank group 1 holds the best and every regime that cannot be shown "
        f"to fall short of it by more than the margin (materiality: {MATERIALITY:.1%} of revenue, a gap too small "
        f"to be worth a reorg; Holm-corrected over the comparisons with the best, α = {ALPHA}), group 2 the same "
        "among the rest.</p>",
        table_html(diffs),
        "<h2>Mean and 95% CI per regime</h2>", table_html(table[[c for c in shown if c in table]]),
    ]


def provenance_section(store: Store, failures: pd.DataFrame, prov: pd.DataFrame) -> list[str]:
    """Failed runs, the sweep's config and where each run came from."""
    config_path = store.folder / "multirun.yaml"
    config_text = config_path.read_text() if config_path.exists() else "(no multirun.yaml)"
    body = ["<h2>Failed runs</h2>", table_html(failures)] if len(failures) else []
    return body + [
        "<h2>Sweep configuration</h2>", f"<pre>{html.escape(config_text)}</pre>",
        "<h2>Provenance</h2>",
        table_html(prov[[c for c in ("run_id", "seed", "replicate", "started", "wall_seconds", "host")
                         if c in prov]].head(50)),
        "<p class=note>First 50 runs shown; all are in runs.csv (and per boundary in handoffs.csv, "
        "per journey in journeys.csv, per department in departments.csv; per day in the store's "
        "timeseries.parquet files).</p>"]


def write_page(path: Path, title: str, body: list[str], css: str = "") -> Path:
    """A self-contained HTML page (no scripts, nothing fetched), written whole or not at all."""
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{CSS}{css}</style></head><body>{''.join(body)}</body></html>")
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="cxsim-report", description=__doc__.splitlines()[0])
    ap.add_argument("path", help="a sweep folder (e.g. multirun/regime_showdown)")
    ap.add_argument("--out", default=None, help="report folder (default: PATH/report)")
    ap.add_argument("--all", action="store_true",
                    help="every run the folder holds, not only the latest sweep's")
    return ap


def checked(args) -> str | None:
    """The one-line error for a path that is not a sweep or a report folder that cannot be written."""
    if not (Path(args.path) / "runs").is_dir():
        return f"{args.path}: not a sweep folder (no runs/ inside)"
    try:
        ensure_writable(args.out or Path(args.path) / "report")
    except ConfigError as exc:
        return str(exc)
    return None


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    error = checked(args)
    if error:
        print(f"cxsim-report: error: {error}", file=sys.stderr)
        return 2
    report = build(args.path, args.out, everything=args.all)
    print(f"cxsim-report: {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
