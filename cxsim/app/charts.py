"""The app's charts and downloads: the run's live series (a twin's dashed beside them), where handoffs
fail, and the run as CSV."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["text.parse_math"] = False  # names are plain text: a "$" in a department name is not maths
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

SERIES = ("satisfaction", "handoff_failure_rate", "failure_demand_share", "churned", "profit", "culture",
          "service_staffing", "backlog", "time_to_resolve", "governance_cost", "promise", "initiative_cost")

# the side-by-side table: (label, summary column, format), the run so far as its summary counts it
COMPARED = (("value (EUR, discounted, with the customer equity left)", "value", "{:,.0f}"),
            ("profit (EUR)", "profit", "{:,.0f}"),
            ("governance cost (EUR)", "governance_cost", "{:,.0f}"),
            ("handoff failure rate", "handoff_failure_rate", "{:.1%}"),
            ("front-line failure demand", "front_line_failure_demand_share", "{:.1%}"),
            ("first-contact resolution", "first_contact_resolution", "{:.1%}"),
            ("days to resolve a problem", "time_to_resolve", "{:.1f}"),
            ("churn per year", "annual_churn_rate", "{:.1%}"))


def charts_figure(model, columns: int = 4, scale: float = 1.0) -> Figure:
    """The live series of the run (and of its twin, dashed) in one figure: on the page and for export."""
    rows = -(-len(SERIES) // columns)
    fig = Figure(figsize=(3.4 * columns, 2.5 * rows))
    axes = fig.subplots(rows, columns).flat
    runs = [(model.regime.name, model)]
    if getattr(model, "twin", None) is not None:
        runs.append((model.twin.regime.name, model.twin))
    for ax, col in zip(axes, SERIES):
        for (name, m), style in zip(runs, ("-", "--")):
            ts = m.recorder.timeseries()
            if len(ts):
                ax.plot(ts.day, ts[col], style, label=name)
        ax.set_title(col.replace("_", " "), fontsize=10 * scale)
        ax.tick_params(labelsize=8 * scale)
    if model.recorder.rows:
        axes[0].legend(fontsize=8 * scale)
    fig.suptitle(f"cxsim, seed {model.cfg.seed}, day {model.day}", fontsize=10 * scale)
    fig.tight_layout()
    return fig


def compared(model) -> tuple[list[tuple[str, str, str]], str]:
    """The side-by-side view's table (label, this run, the twin) and why one is ahead, in plain words:
    the P&L bridge of the two runs so far (`cxsim.decide.explain`: each line of the books, then
    discounting and the customer equity the horizon leaves)."""
    from cxsim.decide import explain  # not needed for the first page

    a, b = model.recorder.summary(), model.twin.recorder.summary()
    def shown(value, form: str) -> str:
        return "–" if value is None or np.isnan(value) else form.format(value)  # not measured yet: no journey done

    rows = [(label, shown(a[col], form), shown(b[col], form)) for label, col, form in COMPARED]
    runs = pd.DataFrame([{**a, "regime": model.regime.name}, {**b, "regime": model.twin.regime.name}])
    lines = explain.bridge(runs, model.regime.name, model.twin.regime.name)
    verb = "ends" if not model.running else "is"
    return rows, explain.in_words(lines, model.regime.name, model.twin.regime.name, verb=verb)


def heatmap_figure(model, scale: float = 1.0) -> Figure:
    """Handoff failure rate so far, from department (row) to department (column)."""
    r = model.recorder
    rate = np.divide(r.pair_failures, r.pair_attempts, out=np.full(r.pair_attempts.shape, np.nan),
                     where=r.pair_attempts > 0)
    names = [d.name for d in model.departments]
    fig = Figure(figsize=(7.5, 6))
    ax = fig.subplots()
    im = ax.imshow(rate, cmap="Reds", vmin=0, vmax=max(0.3, float(np.nanmax(rate)) if r.pair_attempts.any() else 0.3))
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=9 * scale)
    ax.set_yticks(range(len(names)), names, fontsize=9 * scale)
    ax.set_title("handoff failure rate so far: from (row) to (column)", fontsize=11 * scale)
    fig.colorbar(im, ax=ax, shrink=0.8)
    fig.tight_layout()
    return fig


def png_bytes(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def run_csv(model) -> str:
    """The run's daily table (with the twin's, if any) as CSV."""
    tables = [model.recorder.timeseries()]
    if getattr(model, "twin", None) is not None:
        tables.append(model.twin.recorder.timeseries())
    return pd.concat(tables, ignore_index=True).to_csv(index=False)
