"""The decision report of a reorg comparison: one self-contained HTML file and CSVs.

A short summary in plain language on top (which regime, how confident, what
it depends on, what the transition looks like), then the tables and plots,
then the assumptions and provenance. Every name from the company's file is
HTML-escaped. Written by `cxsim-reorg` into `FOLDER/report/`.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from cxsim.analysis import plots
from cxsim.analysis.drivers import describe_box
from cxsim.analysis.report import img, write_page
from cxsim.analysis.report import table_html as plain_table
from cxsim.analysis.robust import by_sample
from cxsim.analysis.statistics import OUTCOMES, ci_of_mean, mean_ci
from cxsim.decide.company import Company
from cxsim.decide.explain import bridge, in_words

SUMMARY_CSS = (".wide{overflow-x:auto}"
               ".summary{background:#f5f8fc;border-left:4px solid #4C72B0;padding:.5em 1.2em;font-size:15px}")


def e(x) -> str:
    return html.escape(str(x))


def table_html(df: pd.DataFrame) -> str:
    """A table that scrolls sideways instead of widening the page."""
    return f"<div class=wide>{plain_table(df)}</div>"


def money(x: float) -> str:
    return f"{x:,.0f}"


def confidence(p_best: float) -> str:
    """Words for a probability of being best (thresholds stated in the report's method note)."""
    if p_best >= 0.9:
        return "a robust choice: it comes out best in nearly every plausible future"
    if p_best >= 0.6:
        return "the likely best, but not in every future"
    return "no clear winner: which option is best depends on the assumptions"


def versus_today(runs: pd.DataFrame, regime: str, today: str, outcome: str) -> tuple[float, float, float]:
    """Mean over sampled futures of regime minus today (each future: mean over its seeds), with a 95% CI;
    with one future (nothing uncertain), over its seeds."""
    wide = by_sample(runs, outcome, over="replicate" if runs["sample"].nunique() == 1 else "sample")
    d = wide[regime] - wide[today]
    lo, hi = ci_of_mean(d)
    return float(d.mean()), lo, hi


def targets_text(targets: dict) -> str:
    parts = []
    for outcome, bound in targets.items():
        label, fmt, _ = OUTCOMES.get(outcome, (outcome.replace("_", " "), "{:.3g}", True))
        parts += [f"{label} ≤ {fmt.format(v)}" if k == "max" else f"{label} ≥ {fmt.format(v)}"
                  for k, v in bound.items()]
    return ", ".join(parts)


def summary_html(company: Company, r: dict) -> str:
    """The report's first box: the recommendation and what it rests on, in sentences."""
    paras = recommendation(company, r)
    if "sensitivity" in r:
        paras.append(depends_on(r))
    if "scenarios" in r:
        paras.append(where_each_wins(r["scenarios"]))
    if "transition" in r:
        paras.append(transition_text(company, r))
    paras.append("<p class=note>These are results of a model of mechanisms from the literature, fitted to nothing "
                 "but the figures in your file: read them as a comparison of options under stated assumptions, "
                 "not as a forecast.</p>")
    return "<div class=summary>" + "".join(paras) + "</div>"


def recommendation(company: Company, r: dict) -> list[str]:
    """The recommended option, the runner-up, the change against today, and the targets met."""
    table, outcome = r["robustness"], r["outcome"]
    label, fmt, _ = OUTCOMES[outcome]
    top = table.iloc[0]
    best, runner_up = r["best"], r["runner_up"]
    if company.uncertain:
        first = (f"Across {len(r['samples'])} plausible futures (Latin hypercube samples of the "
                 f"{len(company.uncertain)} assumptions you are unsure of, {company.seeds} seeds each, "
                 f"{company.days} days), <b>{e(best)}</b> has the lowest expected regret on {e(label)} "
                 f"({money(top.expected_regret)}; worst case {money(top.worst_regret)}) and is best in "
                 f"<b>{top.p_best:.0%}</b> of the futures — {confidence(top.p_best)}.")
    else:
        first = (f"With every assumption fixed as in your file ({company.seeds} seeds, {company.days} days), "
                 f"<b>{e(best)}</b> has the best mean {e(label)}. Give ranges under <code>uncertain</code> to see "
                 f"how robust that is.")
    missing, planned = r.get("missing_runs", (0, 0))
    warning = (f"<p><b>Warning: {missing} of {planned} comparison runs did not finish</b> (their errors are in "
               f"comparison/failed/); everything below uses the {planned - missing} that did.</p>" if missing else "")
    paras = [
        warning,
        f"<p><b>Recommendation: {e(best)}.</b> {first} Mean {e(label)} "
        f"{fmt.format(top[outcome])} "
        f"(95% CI {fmt.format(top[f'{outcome}_lo'])} to {fmt.format(top[f'{outcome}_hi'])})."]
    if runner_up is not None:
        ru = table[table.regime == runner_up].iloc[0]
        paras.append(f"<p>Runner-up: <b>{e(runner_up)}</b>, best in {ru.p_best:.0%} of futures, "
                     f"expected regret {money(ru.expected_regret)}.</p>")
    if best != company.today:
        d, lo, hi = versus_today(r["runs"], best, company.today, outcome)
        paras.append(f"<p><b>Against today ({e(company.today)}):</b> {e(best)} changes {e(label)} over the horizon by "
                     f"{fmt.format(d)} on average (95% CI {fmt.format(lo)} to {fmt.format(hi)})"
                     + (": <b>uncertain: the interval includes no change, or a change the other way</b>"
                        if lo < 0 < hi else "") + ".</p>")
    else:
        paras.append(f"<p><b>Today's regime ({e(company.today)}) is the most robust option:</b> no candidate "
                     f"beats keeping it on expected regret.</p>")
    if company.targets:
        # after the (empty or not) warning and the recommendation
        paras.insert(2, targets_verdict(company, table, best))
    return paras


def targets_verdict(company: Company, table: pd.DataFrame, best: str) -> str:
    """Satisficing first: the recommendation is made among the options that meet every target in most
    futures; if none does, the report says so plainly before anything else."""
    top = table.iloc[0]
    most = table.loc[table.satisficing_share.idxmax()]
    wanted = e(targets_text(company.targets))
    if not top.meets_targets:
        return (f"<p><b>No option meets your targets ({wanted}) in most futures.</b> The best share is "
                f"{most.satisficing_share:.0%} ({e(most.regime)}); the recommendation below is on regret "
                f"alone and does not meet them.</p>")
    eligible = ", ".join(e(r) for r in table[table.meets_targets].regime)
    return (f"<p><b>Your targets</b> ({wanted}) are met in most futures by {eligible}; the recommendation is "
            f"made among them: {e(best)} meets all of them in {top.satisficing_share:.0%} of futures.</p>")


def depends_on(r: dict) -> str:
    """The assumptions the lead of the best option over the runner-up is most sensitive to (Morris)."""
    s = r["sensitivity"].iloc[0]
    direction = "widens" if s.mu > 0 else "narrows"
    text = (f"<p><b>What it depends on:</b> the lead of {e(r['best'])} over {e(r['runner_up'])} is most sensitive to "
            f"<b>{e(s.parameter)}</b> (Morris mu* {money(s.mu_star)}; raising it {direction} the lead)")
    if len(r["sensitivity"]) > 1:
        s2 = r["sensitivity"].iloc[1]
        text += f", then {e(s2.parameter)} (mu* {money(s2.mu_star)})"
    return text + ".</p>"


def where_each_wins(sc: pd.DataFrame) -> str:
    """The box of assumptions where each option wins (PRIM), or that one option wins everywhere."""
    wins = [f"<b>{e(reg)}</b> wins when {e(describe_box(g))} ({g.density.iloc[0]:.0%} of futures in that box "
            f"are its wins; the box holds {g.coverage.iloc[0]:.0%} of its wins)"
            for reg, g in sc.groupby("regime") if not g.assumption.iloc[0].startswith("(")]
    everywhere = [reg for reg, g in sc.groupby("regime") if g.note.iloc[0] == "wins in every sample"]
    if everywhere:
        return (f"<p>{e(everywhere[0])} wins in every sampled future: the ranges you gave do not "
                f"change the answer.</p>")
    if wins:
        return "<p><b>Where each option wins</b> (scenario discovery, PRIM): " + "; ".join(wins) + ".</p>"
    return ""


def transition_text(company: Company, r: dict) -> str:
    """The switch from today's regime: its dip, recovery, break-even and what it gains over the horizon."""
    t = r["transition"].set_index("measure")

    def after(m: str) -> str:
        """'after about N days' (with how many seeds got there), or 'not within the horizon'."""
        row = t.loc[m]
        if pd.isna(row["mean"]):
            return "not within the horizon"
        short = "" if row.seeds_with_value == row.seeds else \
            f" ({int(row.seeds - row.seeds_with_value)} of {int(row.seeds)} seeds: not within the horizon)"
        return f"after about {row['mean']:,.0f} days{short}"

    cumulative, total = t.loc["cumulative_difference", "mean"], t.loc["cumulative_difference"]
    dip = t.loc["dip", "mean"]
    return (
        f"<p><b>The transition</b> from {e(company.today)} to {e(r['transition_target'])} on day {company.switch_day}"
        + (" (assumptions at the middle of their ranges)" if company.uncertain else "") + ": "
        + (f"profit per day falls below staying by up to {money(-dip)} (30-day mean, "
           f"{t.loc['dip_day', 'mean']:,.0f} days after the switch); back at the old level: "
           f"{after('days_to_recover')}; " if dip < 0 else "no dip in profit; ")
        + f"paid for itself (overhead included): {after('days_to_break_even')}. "
        + f"Over the horizon it {'gains' if cumulative >= 0 else 'loses'} {money(abs(cumulative))} against staying "
        f"on average (95% interval {money(total.lo)} to {money(total.hi)} over {int(total.seeds)} seeds)"
        + (f": <b>uncertain: it could {'lose' if cumulative >= 0 else 'gain'} as well</b>"
           if total.lo < 0 < total.hi else "") + ".</p>")


def build(company: Company, r: dict, out: Path) -> Path:
    """The decision report of `cxsim-reorg`'s results `r`: CSV files, figures and one HTML page in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    stats = mean_ci(r["runs"].assign(org=company.config.org.name), by=["regime", "org"])
    write_tables(r, stats, out)
    body = [f"<h1>Who should own customer experience at {e(company.name)}?</h1>",
            f"<p class=note>cxsim decision report, generated {datetime.now(UTC):%Y-%m-%d %H:%M UTC}.</p>",
            summary_html(company, r),
            "<h2>Robustness of each option</h2>",
            "<p class=note>Per regime over the sampled futures: mean outcome with 95% CI; probability of being best "
            "(share of futures where its mean over seeds is best); regret = best option's outcome minus its own in "
            "each future (expected and worst case); satisficing share = share of futures in which it meets every "
            "target. Sorted by expected regret. Confidence words: P(best) ≥ 90% robust, ≥ 60% likely, else no "
            "clear winner.</p>", table_html(r["robustness"])]
    for title, path in figures(company, r, stats, out / "figures"):
        body += [f"<h2>{e(title)}</h2>", img(path)]
    body += analysis_sections(company, r)
    body += ["<h2>Mean and 95% CI of every outcome</h2>",
             table_html(stats[[c for c in ["regime", "runs"] + [x for col in OUTCOMES for x in
                                                                  (col, f"{col}_lo", f"{col}_hi")] if c in stats]])]
    body += assumptions_section(company, out) + provenance_section(out)
    return write_page(out / "decision.html", f"cxsim decision report: {company.name}", body, SUMMARY_CSS)


def write_tables(r: dict, stats: pd.DataFrame, out: Path) -> None:
    """The CSV files beside the report."""
    r["runs"].to_csv(out / "runs.csv", index=False)
    r["robustness"].to_csv(out / "robustness.csv", index=False)
    stats.to_csv(out / "regime_stats.csv", index=False)
    r["samples"].rename_axis("sample").to_csv(out / "samples.csv")
    for key in ("sensitivity", "scenarios", "transition", "transition_per_seed"):
        if key in r:
            r[key].to_csv(out / f"{key}.csv", index=False)
    if "morris" in r:
        r["morris"].rename_axis("sample").to_csv(out / "morris_points.csv")


def figures(company: Company, r: dict, stats: pd.DataFrame, figdir: Path) -> list[tuple[str, Path]]:
    """(title, PNG path) of every figure the results allow."""
    outcome, table, runs = r["outcome"], r["robustness"], r["runs"]
    out = [
        (f"{OUTCOMES[outcome][0]} in every sampled future",
         plots.save(plots.across_futures(runs, outcome, list(table.regime)), figdir, "across_futures")),
        ("Robustness", plots.save(plots.robustness_bars(table), figdir, "robustness")),
        ("Every outcome: mean and 95% CI over futures and seeds",
         plots.save(plots.regime_comparison(stats, company.config.org.name), figdir, "outcomes")),
    ]
    if "sensitivity" in r:
        from cxsim.analysis.sensitivity import plot as morris_plot

        out.append((f"What moves the lead of {r['best']} over {r['runner_up']} (Morris screening)",
                    morris_plot(r["sensitivity"], f"lead of {r['best']} over {r['runner_up']}", figdir)))
    if "scenarios" in r:
        order = list(r["sensitivity"].parameter) if "sensitivity" in r else list(r["samples"].columns)
        x, y = order[0], (order[1] if len(order) > 1 else None)
        out.append(("Which regime wins where", plots.save(
            plots.winner_map(r["samples"], r["winners"], x, y, r["scenarios"]), figdir, "winner_map")))
    if "transition" in r:
        out.append((f"Transition {company.today} → {r['transition_target']} on day {company.switch_day}",
                    plots.save(plots.transition_curve(r["transition_curves"], company.switch_day),
                               figdir, "transition")))
    return out


def analysis_sections(company: Company, r: dict) -> list[str]:
    """The sensitivity of the lead, the scenarios where each regime wins, and the transition, where run."""
    body = []
    if "sensitivity" in r:
        body += ["<h2>Sensitivity of the lead (Morris, SALib)</h2>",
                 f"<p class=note>{len(r['morris'])} Morris points ({company.trajectories} trajectories), "
                 f"{company.seeds} seeds each, both regimes on the same seeds. mu*: mean absolute effect of moving "
                 "the assumption across its range on the lead; mu: signed; sigma: non-linearity and interactions."
                 "</p>", table_html(r["sensitivity"])]
    if r.get("runner_up") is not None:
        body += why_section(r)
    if "scenarios" in r:
        body += ["<h2>Where each regime wins (PRIM scenario discovery, EMA Workbench)</h2>",
                 "<p class=note>For each regime that wins in some futures, the box of assumptions that concentrates "
                 "its wins: density = share of futures in the box that it wins; coverage = share of its wins inside "
                 "the box. The densest box with coverage ≥ 50% is shown; an empty low/high is not restricted.</p>",
                 table_html(r["scenarios"])]
    if "transition" in r:
        body += [f"<h2>Transition {e(company.today)} → {e(r['transition_target'])}</h2>",
                 "<p class=note>Per seed: today's regime kept vs switched on the switch day, common random numbers, "
                 "assumptions at the middle of their ranges: "
                 + e(", ".join(f"{k} = {v:.3g}" for k, v in r["transition_middle"].items()) or "none") + ". "
                 "Dip: lowest 30-day mean of the daily profit difference; recover: days until that mean is back "
                 "to 0; break even: days until the cumulative difference stays positive.</p>",
                 table_html(r["transition"]), table_html(r["transition_per_seed"])]
    return body


def why_section(r: dict) -> list[str]:
    """Why the recommended option beats the runner-up: the P&L bridge over every future and seed."""
    best, runner_up, outcome = r["best"], r["runner_up"], r["outcome"]
    if outcome not in ("value", "profit"):
        return []
    lines = bridge(r["runs"], best, runner_up, outcome)
    return [f"<h2>Why {e(best)} beats {e(runner_up)}</h2>",
            f"<p>{e(in_words(lines, best, runner_up, outcome))}</p>",
            "<p class=note>The gap in each P&amp;L line, paired on the same seeds in every sampled future (mean and "
            "95% CI); the lines add up to the gap. <code>cxsim-compare --explain</code> also splits a gap by "
            "mechanism (Shapley).</p>", table_html(lines)]


def assumptions_section(company: Company, out: Path) -> list[str]:
    """The uncertain assumptions' ranges, the targets, and the company file itself."""
    assumptions = pd.DataFrame([{"assumption": k, "low": lo, "high": hi} for k, (lo, hi) in company.uncertain.items()])
    return ["<h2>Assumptions</h2>",
            table_html(assumptions) if len(assumptions) else "<p>No uncertain assumptions were given.</p>",
            f"<p>Targets: {e(targets_text(company.targets) or 'none')}. Today's regime: {e(company.today)}; "
            f"candidates: {e(', '.join(company.candidates))}.</p>",
            "<h3>The company file</h3>", f"<pre>{e(company_text(out))}</pre>"]


def provenance_section(out: Path) -> list[str]:
    """Versions, seeds, and how many runs each store beside the report holds."""
    counts = {name: len(list((out.parent / name / "runs").glob("*"))) if (out.parent / name / "runs").is_dir() else 0
              for name in ("comparison", "sensitivity", "transition")}
    return ["<h2>Provenance</h2>",
            f"<p class=note>cxsim {e(version('cxsim'))}, Mesa {e(version('mesa'))}, Hydra {e(version('hydra-core'))}, "
            f"SALib {e(version('salib'))}, EMA Workbench {e(version('ema-workbench'))}. Latin hypercube and Morris "
            f"designs seeded with 0; run seeds derived from master_seed 0 and the replicate, the same for every "
            f"regime (common random numbers). Runs in the stores: {e(counts)} (folders beside this report: "
            f"comparison/, sensitivity/, transition/, each a cxsim sweep store with one folder per run). "
            f"CSV: runs.csv (every comparison run), robustness.csv, regime_stats.csv, samples.csv, "
            f"sensitivity.csv, morris_points.csv, scenarios.csv, transition.csv, transition_per_seed.csv.</p>"]


def company_text(out: Path) -> str:
    path = out.parent / "company.yaml"
    return path.read_text() if path.exists() else "(not kept)"


