"""Plots of a sweep (matplotlib, Agg): each function returns a Figure.

`save(fig, folder, name)` writes PNG and SVG; the report embeds the PNG.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["text.parse_math"] = False  # names are plain text: a "$" in a department name is not maths
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import EngFormatter  # noqa: E402

from cxsim.analysis.robust import by_sample  # noqa: E402
from cxsim.analysis.statistics import OUTCOMES, band  # noqa: E402

MAIN = ["profit", "handoff_failure_rate", "satisfaction_mean", "annual_churn_rate"]


def save(fig, folder: Path, name: str) -> Path:
    """PNG and SVG of the figure in `folder`; `name` may hold a user's text, so it is made a safe file name."""
    from cxsim.config.names import file_name

    name = file_name(name)
    folder.mkdir(parents=True, exist_ok=True)
    fig.savefig(folder / f"{name}.png", dpi=110, bbox_inches="tight")
    fig.savefig(folder / f"{name}.svg", bbox_inches="tight")
    plt.close(fig)
    return folder / f"{name}.png"


def regime_comparison(table: pd.DataFrame, org: str, outcomes=MAIN):
    """Mean and 95% CI per regime for the main outcomes, one panel each."""
    t = table[table.org == org]
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4.2 * len(outcomes), 0.45 * len(t) + 1.6))
    for ax, col in zip(np.atleast_1d(axes), outcomes):
        label, _, higher = OUTCOMES[col]
        s = t.sort_values(col, ascending=higher)
        err = np.vstack([s[col] - s[f"{col}_lo"], s[f"{col}_hi"] - s[col]])
        ax.barh(s.regime, s[col], xerr=err, color="#4C72B0", ecolor="black", capsize=3)
        ax.set_title(label + (" (higher is better)" if higher else " (lower is better)"), fontsize=9)
        ax.tick_params(labelsize=8)
        if "," in OUTCOMES[col][1]:  # money: 1.2 M, not 1.2e6
            ax.xaxis.set_major_formatter(EngFormatter())
    fig.suptitle(f"{org}: mean and 95% CI over replicates", fontsize=10)
    fig.tight_layout()
    return fig


def over_time(timeseries: pd.DataFrame, org: str,
              columns=("handoff_failure_rate", "satisfaction", "profit", "service_staffing")):
    """Daily outcome per regime (7-day mean) with a 95% band across replicates."""
    ts = timeseries[timeseries.org == org] if "org" in timeseries else timeseries
    columns = [c for c in columns if c in ts]  # stores written before a column existed lack it
    fig, axes = plt.subplots(1, len(columns), figsize=(5 * len(columns), 3.6))
    for ax, col in zip(np.atleast_1d(axes), columns):
        b = band(ts, col)
        for regime, g in b.groupby("regime"):
            ax.plot(g.day, g["mean"], label=regime, lw=1.2)
            ax.fill_between(g.day, g.lo, g.hi, alpha=0.2)
        ax.set_title(col.replace("_", " ") + " (7-day mean)", fontsize=9)
        ax.set_xlabel("day", fontsize=8)
        ax.tick_params(labelsize=8)
    np.atleast_1d(axes)[0].legend(fontsize=7)
    fig.suptitle(f"{org}: outcomes over time", fontsize=10)
    fig.tight_layout()
    return fig


def budget_rounds(budgets: pd.DataFrame, org: str):
    """The CFO's budget rounds: the cost centres' staffing and failure-demand share per quarter, mean
    over runs. Colour: regime; line style: the CFO's view; one row of panels per starting service
    budget where a sweep varies it."""
    b = budgets[budgets["coord.org"] == org] if "coord.org" in budgets else budgets
    b = b[b.cost_centre.astype(bool)]
    budget_key = "coord.mechanisms.finance.service_budget"
    rows = sorted(b[budget_key].unique()) if budget_key in b else [None]
    regimes = sorted(b["coord.regime"].unique()) if "coord.regime" in b else [None]
    styles = {"cost": "-", "value": "--", "none": ":"}
    colours = dict(zip(regimes, plt.rcParams["axes.prop_cycle"].by_key()["color"] * 10))
    fig, axes = plt.subplots(len(rows), 2, figsize=(11, 3.6 * len(rows)), squeeze=False)
    for row, start in zip(axes, rows):
        part = b if start is None else b[b[budget_key] == start]
        for (regime, view), g in part.groupby([part.get("coord.regime", pd.Series("", index=part.index)),
                                               part.cfo_view]):
            per_round = g.groupby("day")[["staffing", "failure_demand_share"]].mean()
            kw = dict(color=colours.get(regime), ls=styles.get(view, "-"), marker="o", ms=3,
                      label=f"{regime}, CFO view {view}")
            row[0].plot(per_round.index, per_round.staffing, **kw)
            row[1].plot(per_round.index, per_round.failure_demand_share, **kw)
        where = "" if start is None else f" (desk starting at {start})"
        row[0].set_title(f"cost centres' staffing, share of configured capacity{where}", fontsize=9)
        row[1].set_title(f"cost centres' failure-demand share{where}", fontsize=9)
        for ax in row:
            ax.set_xlabel("day of the budget round", fontsize=8)
            ax.tick_params(labelsize=8)
    axes[0][0].legend(fontsize=6)
    fig.suptitle(f"{org}: the CFO's budget rounds, per quarter (mean over runs)", fontsize=10)
    fig.tight_layout()
    return fig


def handoff_heatmap(handoffs: pd.DataFrame, org: str):
    """Failure rate per department pair (from row to column), one panel per regime."""
    h = handoffs[handoffs.org == org] if "org" in handoffs else handoffs
    regimes = sorted(h.regime.unique())
    depts = sorted(set(h.from_department) | set(h.to_department))
    cols = min(4, len(regimes))
    rows = int(np.ceil(len(regimes) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.8 * cols, 3.6 * rows), squeeze=False, layout="constrained")
    vmax = (h.groupby(["regime", "from_department", "to_department"]).failures.sum()
            / h.groupby(["regime", "from_department", "to_department"]).handoffs.sum()).max()
    for ax, regime in zip(axes.flat, regimes):
        g = h[h.regime == regime].groupby(["from_department", "to_department"])[["failures", "handoffs"]].sum()
        m = (g.failures / g.handoffs).unstack().reindex(index=depts, columns=depts)
        im = ax.imshow(m.to_numpy(dtype=float), cmap="Reds", vmin=0, vmax=vmax)
        ax.set_xticks(range(len(depts)), depts, rotation=90, fontsize=6)
        ax.set_yticks(range(len(depts)), depts, fontsize=6)
        ax.set_title(regime, fontsize=8)
    for ax in list(axes.flat)[len(regimes):]:
        ax.axis("off")
    fig.colorbar(im, ax=axes, shrink=0.6, label="handoff failure rate")
    fig.suptitle(f"{org}: handoff failures from department (row) to department (column)", fontsize=10)
    return fig


def journey_funnel(summary: pd.DataFrame, timeseries: pd.DataFrame, org: str):
    """Acquisition funnel per regime: prospects arrived, bought, still customers at the end."""
    s = summary[summary.org == org]
    arrived = timeseries[timeseries.org == org].groupby("run_id").prospects_arrived.sum()
    s = s.assign(arrived=s.run_id.map(arrived))
    f = s.groupby("regime")[["arrived", "acquired", "prospects_lost"]].mean()
    f = f.sort_values("acquired")
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(f) + 1.5))
    y = np.arange(len(f))
    ax.barh(y, f.arrived, color="#DDDDDD", label="prospects arrived")
    ax.barh(y, f.acquired, color="#4C72B0", label="became customers")
    ax.barh(y, f.prospects_lost, left=f.acquired, color="#C44E52", label="gave up (effort)")
    ax.set_yticks(y, f.index, fontsize=8)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(f"{org}: acquisition journey funnel (mean per run)", fontsize=10)
    fig.tight_layout()
    return fig


def response_curve(summary: pd.DataFrame, parameter: str, outcomes=MAIN):
    """Outcome against one swept parameter, per regime, with 95% CI (other factors pooled)."""
    from cxsim.analysis.statistics import mean_ci

    t = mean_ci(summary, by=["regime", parameter])
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4.2 * len(outcomes), 3.4))
    for ax, col in zip(np.atleast_1d(axes), outcomes):
        for regime, g in t.groupby("regime"):
            g = g.sort_values(parameter)
            ax.plot(g[parameter], g[col], marker="o", ms=3, label=regime)
            ax.fill_between(g[parameter], g[f"{col}_lo"], g[f"{col}_hi"], alpha=0.15)
        ax.set_title(OUTCOMES[col][0], fontsize=9)
        ax.set_xlabel(parameter.removeprefix("coord."), fontsize=8)
        ax.tick_params(labelsize=8)
    np.atleast_1d(axes)[0].legend(fontsize=7)
    fig.suptitle(f"response to {parameter.removeprefix('coord.')}", fontsize=10)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------ the reorg decision (cxsim.decide.decision_report)
def across_futures(runs: pd.DataFrame, outcome: str, order: list[str]):
    """The outcome of each regime in every sampled future (mean over seeds): spread and overlap."""
    wide = by_sample(runs, outcome)
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(order) + 1.6))
    data = [wide[r].dropna().to_numpy() for r in order]
    ax.boxplot(data, orientation="horizontal", tick_labels=order, widths=0.5, showfliers=False)
    for i, d in enumerate(data, start=1):
        ax.scatter(d, np.full(len(d), i) + np.linspace(-0.15, 0.15, len(d)), s=10, alpha=0.6, color="#4C72B0")
    label, fmt, higher = OUTCOMES.get(outcome, (outcome, "{}", True))
    ax.set_title(f"{label} in each sampled future ({'higher' if higher else 'lower'} is better)", fontsize=10)
    if "," in fmt:
        ax.xaxis.set_major_formatter(EngFormatter())
    ax.invert_yaxis()
    ax.tick_params(labelsize=8)
    fig.tight_layout()
    return fig


def robustness_bars(table: pd.DataFrame):
    """P(best), expected and worst-case regret, satisficing share per regime."""
    t = table.iloc[::-1]
    fig, axes = plt.subplots(1, 3, figsize=(13, 0.45 * len(t) + 1.6), sharey=True)
    axes[0].barh(t.regime, t.p_best, color="#4C72B0")
    axes[0].set_xlim(0, 1)
    axes[0].set_title("probability of being best", fontsize=9)
    axes[1].barh(t.regime, t.worst_regret, color="#DDDDDD", label="worst case")
    axes[1].barh(t.regime, t.expected_regret, color="#C44E52", label="expected")
    axes[1].xaxis.set_major_formatter(EngFormatter())
    axes[1].set_title("regret (best minus own, per future)", fontsize=9)
    axes[1].legend(fontsize=7)
    axes[2].barh(t.regime, t.satisficing_share, color="#55A868")
    axes[2].set_xlim(0, 1)
    axes[2].set_title("share of futures meeting every target", fontsize=9)
    for ax in axes:
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    return fig


def winner_map(samples: pd.DataFrame, winners: pd.Series, x: str, y: str | None, boxes: pd.DataFrame):
    """The sampled futures on the two most influential assumptions, coloured by the winning regime,
    with each regime's PRIM box (dashed) where it was found on these axes."""
    fig, ax = plt.subplots(figsize=(7, 5))
    colours = dict(zip(sorted(winners.unique()), plt.rcParams["axes.prop_cycle"].by_key()["color"]))
    yy = samples[y] if y else pd.Series(np.zeros(len(samples)), index=samples.index)
    for regime, colour in colours.items():
        sel = winners[winners == regime].index
        ax.scatter(samples.loc[sel, x], yy.loc[sel], color=colour, label=f"{regime} best", s=30, alpha=0.8)
        b = boxes[boxes.regime == regime].set_index("assumption")
        if x in b.index or (y and y in b.index):
            (x0, x1), (y0, y1) = box_side(b, x, samples[x]), box_side(b, y, yy)
            ax.add_patch(plt.Rectangle((x0, y0), x1 - x0, (y1 - y0) or 0.1, fill=False, ls="--", color=colour))
    ax.set_xlabel(x, fontsize=8)
    if y:
        ax.set_ylabel(y, fontsize=8)
    else:
        ax.set_yticks([])
    ax.legend(fontsize=7)
    ax.set_title("which regime wins where (dashed: PRIM box)", fontsize=10)
    fig.tight_layout()
    return fig


def box_side(box: pd.DataFrame, col: str | None, values: pd.Series) -> tuple[float, float]:
    """A PRIM box's limits on one axis; an uncut side runs to the data's edge."""
    lo = box.low.get(col, np.nan) if col in box.index else np.nan
    hi = box.high.get(col, np.nan) if col in box.index else np.nan
    return (values.min() if pd.isna(lo) else lo), (values.max() if pd.isna(hi) else hi)


def transition_curve(curves: pd.DataFrame, switch_day: int, window: int = 30):
    """Switch minus stay: daily profit difference (smoothed, 95% band over seeds) and its running sum."""
    c = curves.sort_values(["replicate", "day"]).copy()
    c["smooth"] = c.groupby("replicate").difference.transform(lambda s: s.rolling(window, min_periods=1).mean())
    c["cumulative"] = c.groupby("replicate").difference.cumsum()
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
    for ax, col, title in ((axes[0], "smooth", f"profit per day, switch minus stay ({window}-day mean)"),
                           (axes[1], "cumulative", "cumulative profit, switch minus stay")):
        b = band(c.assign(run_id=c.replicate, group="all"), col, by="group", smooth=1)
        ax.plot(b.day, b["mean"], color="#4C72B0")
        ax.fill_between(b.day, b.lo, b.hi, alpha=0.2, color="#4C72B0")
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(switch_day, color="#C44E52", ls="--", lw=1)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("day", fontsize=8)
        ax.yaxis.set_major_formatter(EngFormatter())
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    return fig
