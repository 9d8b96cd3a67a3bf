"""Plots of a sweep (matplotlib, Agg): each function returns a Figure.

`save(fig, folder, name)` writes PNG and SVG; the report embeds the PNG.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import EngFormatter  # noqa: E402
import pandas as pd  # noqa: E402

from cxsim.statistics import OUTCOMES, band  # noqa: E402

MAIN = ["profit", "handoff_failure_rate", "satisfaction_mean", "annual_churn_rate"]


def save(fig, folder: Path, name: str) -> Path:
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


def over_time(timeseries: pd.DataFrame, org: str, columns=("handoff_failure_rate", "satisfaction", "profit")):
    """Daily outcome per regime (7-day mean) with a 95% band across replicates."""
    ts = timeseries[timeseries.org == org] if "org" in timeseries else timeseries
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
    from cxsim.statistics import mean_ci

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
