"""The classroom app: cxsim in the browser, on Mesa's SolaraViz.

    cxsim-app                       # http://127.0.0.1:8765, no internet needed

Students pick a regime, an organisation and the key mechanism parameters,
then step or play the model: the organisation picture shows departments as
boxes (queue and culture inside), the boundaries between them as arrows, and
the handoffs that failed today in red; live charts follow satisfaction,
handoff failure, failure demand, churn, profit and culture. One click loads a
lesson (configs/lesson/); a second regime can run side by side on the same
seed (page 1); a reorg day switches regime mid-run; the charts (PNG) and the
run (CSV) can be downloaded. A bad combination of
parameters shows a message and keeps the default model; it never shows a
traceback.
"""

from __future__ import annotations

import io
import math

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["text.parse_math"] = False  # names are plain text: a "$" in a department name is not maths
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import solara  # noqa: E402
import yaml  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from mesa.visualization import SolaraViz, make_plot_component  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402

from cxsim.config.composition import CONFIG_DIR, available  # noqa: E402
from cxsim.config.errors import ConfigError  # noqa: E402
from cxsim.model import CXModel  # noqa: E402

REGIMES = [r for r in available("regime") if not r.endswith("_schema")]


def load_lessons() -> dict[str, dict]:
    """Lesson scenarios (configs/lesson/*.yaml): a question, app parameters, what to observe."""
    folder = CONFIG_DIR / "lesson"
    return {p.stem: yaml.safe_load(p.read_text()) for p in sorted(folder.glob("*.yaml"))}


LESSONS = load_lessons()
NO_LESSON = "(free play)"
NO_TWIN = "(none)"
REGIME_OWN = "as the regime sets it"  # a lever left alone: the regime file's value, or what its owners derive
LEVERS = ("ceo_attention", "cxo_backing", "journey_kpi")


def lever_values(kwargs: dict) -> dict:
    """The lever menus give text: a number, or REGIME_OWN (the lever is not set)."""
    out = dict(kwargs)
    for key in LEVERS:
        if key in out:
            value = out.pop(key)
            if value != REGIME_OWN:
                out[key] = float(value)
    return out


class ClassroomModel(CXModel):
    """CXModel that falls back to the defaults on bad parameters and says why.

    A lesson (a button in the app) sets its parameters over the sliders."""

    def __init__(self, lesson=NO_LESSON, compare_with=NO_TWIN, reorg_day=0, reorg_to=None, **kwargs):
        self.error = None
        self.twin = None
        self.lesson = LESSONS.get(lesson)
        if self.lesson:
            params = dict(self.lesson["params"])
            reorg_day = params.pop("reorg_day", reorg_day)
            reorg_to = params.pop("reorg_to", reorg_to)
            kwargs.update(params)
        if reorg_day:  # the reorg moment: switch regime mid-run and watch the culture lag
            kwargs.update(reorg_day=reorg_day, reorg_to=reorg_to)
        kwargs = lever_values(kwargs)
        try:
            super().__init__(**kwargs)
        except ConfigError as exc:
            self.error = str(exc)
            super().__init__(regime=kwargs.get("regime", "ceo_led") if kwargs.get("regime") in REGIMES else "ceo_led",
                             org="auto_insurer", days=kwargs.get("days"))
        if compare_with in REGIMES and self.error is None:  # side by side: same seed and settings
            self.twin = CXModel(**{**kwargs, "regime": compare_with})

    def step(self) -> None:
        super().step()
        if self.twin is not None and self.twin.running:
            self.twin.step()


ORGS = [o for o in available("org") if not o.endswith("_schema")]
FINANCE = yaml.safe_load((CONFIG_DIR / "mechanisms" / "default.yaml").read_text())["finance"]  # defaults of the controls

model_params = {
    "regime": {"type": "Select", "value": "ceo_led", "values": REGIMES, "label": "Who owns CX (regime)"},
    "compare_with": {"type": "Select", "value": NO_TWIN, "values": [NO_TWIN, *REGIMES],
                     "label": "Side by side with (same seed)"},
    "org": {"type": "Select", "value": "auto_insurer", "values": ORGS, "label": "Organisation"},
    "ceo_attention": {"type": "Select", "value": REGIME_OWN, "label": "CEO attention (CX decisions/day)",
                      "values": [REGIME_OWN, *map(str, (0.5, 1, 2, 4, 6, 8, 12, 20, 30))]},
    "cxo_backing": {"type": "Select", "value": REGIME_OWN, "label": "CEO's backing of a CXO",
                    "values": [REGIME_OWN, *map(str, (0.0, 0.2, 0.4, 0.6, 0.8, 1.0))]},
    "journey_kpi": {"type": "Select", "value": REGIME_OWN, "label": "Journey KPIs in every department",
                    "values": [REGIME_OWN, *map(str, (0.0, 0.1, 0.2, 0.3, 0.5, 0.8))]},
    "service_budget": {"type": "SliderFloat", "value": FINANCE["service_budget"], "min": 0.4, "max": 1.5,
                       "step": 0.05, "label": "Service budget (share of capacity)"},
    "cfo_view": {"type": "Select", "value": FINANCE["cfo_view"], "values": ["cost", "value", "none"],
                 "label": "How the CFO reads service at the budget round"},
    "split_departments": {"type": "SliderInt", "value": 1, "min": 1, "max": 4, "step": 1,
                          "label": "Silos per department"},
    "reorg_day": {"type": "SliderInt", "value": 0, "min": 0, "max": 720, "step": 30,
                  "label": "Reorg on day (0: never)"},
    "reorg_to": {"type": "Select", "value": "coo_owned", "values": REGIMES, "label": "Reorg to"},
    "seed": {"type": "InputText", "value": 1, "label": "Seed"},
    "days": 730,
}


def organisation_figure(model: CXModel) -> Figure:
    """Departments on a circle; arrows for boundaries, red and thick where handoffs failed today."""
    fig = Figure(figsize=(6.4, 5.6))
    ax = fig.subplots()
    depts = model.departments
    n = len(depts)
    pos = {d.index: (math.cos(2 * math.pi * i / n + math.pi / 2), math.sin(2 * math.pi * i / n + math.pi / 2))
           for i, d in enumerate(depts)}
    today = model.recorder.last_day_pairs
    for a, b in model.boundaries:
        (x0, y0), (x1, y1) = pos[a], pos[b]
        failed = today.get((a, b), 0)
        ax.annotate("", xy=(x1 * 0.82, y1 * 0.82), xytext=(x0 * 0.82, y0 * 0.82),
                    arrowprops=dict(arrowstyle="-|>", color="#C44E52" if failed else "#BBBBBB",
                                    lw=1 + min(failed, 6), shrinkA=14, shrinkB=14,
                                    connectionstyle="arc3,rad=0.12"))
    for d in depts:
        x, y = pos[d.index]
        ax.text(x, y, f"{d.name}\nworked {d.worked:.0f} of {d.capacity:.0f}\nwaiting {len(d.queue)}\n"
                      f"culture {d.culture:.2f}", ha="center", va="center",
                fontsize=7, bbox=dict(boxstyle="round", fc=(1 - 0.5 * d.culture, 1, 1 - 0.5 * d.culture),
                                       ec="#4C72B0" if d.load <= 1 else "#C44E52"))
    owners = ", ".join(o.role for o in model.governance.owners) or "nobody"
    p = model.portfolio
    outcomes = [i.outcome for i in p.done]
    ax.set_title(f"day {model.day} — {model.regime.name}: CX owned by {owners}\n"
                 f"red arrows: handoffs that failed today ({sum(today.values())}); CX initiatives: "
                 f"{len(p.running)} running, {outcomes.count('succeeded')} worked, {outcomes.count('failed')} failed",
                 fontsize=9)
    ax.set_xlim(-1.35, 1.35)
    ax.set_ylim(-1.3, 1.3)
    ax.axis("off")
    return fig


def heatmap_figure(model: CXModel) -> Figure:
    """Handoff failure rate so far, from department (row) to department (column)."""
    r = model.recorder
    rate = np.divide(r.pair_failures, r.pair_attempts, out=np.full(r.pair_attempts.shape, np.nan),
                     where=r.pair_attempts > 0)
    names = [d.name for d in model.departments]
    fig = Figure(figsize=(5.4, 4.6))
    ax = fig.subplots()
    im = ax.imshow(rate, cmap="Reds", vmin=0, vmax=max(0.3, float(np.nanmax(rate)) if r.pair_attempts.any() else 0.3))
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.set_title("handoff failure rate so far: from (row) to (column)", fontsize=9)
    fig.colorbar(im, ax=ax, shrink=0.8)
    fig.tight_layout()
    return fig


@solara.component
def Heatmap(model):
    update_counter.get()
    solara.FigureMatplotlib(heatmap_figure(model), format="png")


@solara.component
def Organisation(model):
    """The organisation picture (redrawn every step), with the lesson's question."""
    update_counter.get()  # Mesa bumps this after each step: re-render then
    if getattr(model, "error", None):
        solara.Error(f"These parameters do not work: {model.error}. Showing the default model instead.")
    lesson = getattr(model, "lesson", None)
    if lesson:
        solara.Markdown(f"**Lesson: {lesson['title']}**  \n{lesson['question']}  \n"
                        f"*Then:* {lesson['then']} (set the sliders and press Reset)")
    solara.FigureMatplotlib(organisation_figure(model), format="png")


SERIES = ("satisfaction", "handoff_failure_rate", "failure_demand_share", "churned", "profit", "culture",
          "service_staffing", "backlog")


def charts_figure(model: CXModel) -> Figure:
    """The live series of the run (and of its twin, dashed) in one figure: for export and comparison."""
    fig = Figure(figsize=(14, 6))
    axes = fig.subplots(2, 4).flat
    runs = [(model.regime.name, model)]
    if getattr(model, "twin", None) is not None:
        runs.append((model.twin.regime.name, model.twin))
    for ax, col in zip(axes, SERIES):
        for (name, m), style in zip(runs, ("-", "--")):
            ts = m.recorder.timeseries()
            if len(ts):
                ax.plot(ts.day, ts[col], style, label=name)
        ax.set_title(col.replace("_", " "), fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7) if model.recorder.rows else None
    fig.suptitle(f"cxsim, seed {model.cfg.seed}, day {model.day}", fontsize=10)
    fig.tight_layout()
    return fig


def png_bytes(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def run_csv(model: CXModel) -> str:
    """The run's daily table (with the twin's, if any) as CSV."""
    tables = [model.recorder.timeseries()]
    if getattr(model, "twin", None) is not None:
        tables.append(model.twin.recorder.timeseries())
    return pd.concat(tables, ignore_index=True).to_csv(index=False)


@solara.component
def SideBySide(model):
    """Two regimes on the same seed: both organisations and their series overlaid."""
    update_counter.get()
    twin = getattr(model, "twin", None)
    if twin is None:
        solara.Info("Choose a regime in 'Side by side with' and press Reset to compare two regimes on the same seed.")
        return
    with solara.Row():
        solara.FigureMatplotlib(organisation_figure(model), format="png")
        solara.FigureMatplotlib(organisation_figure(twin), format="png")
    solara.FigureMatplotlib(charts_figure(model), format="png")


@solara.component
def Export(model):
    """Downloads for students' write-ups: the charts as PNG, the run as CSV."""
    update_counter.get()
    with solara.Row():
        solara.FileDownload(lambda: png_bytes(charts_figure(model)), filename=f"cxsim_day{model.day}.png",
                            label="Charts (PNG)", mime_type="image/png")
        solara.FileDownload(lambda: run_csv(model), filename=f"cxsim_day{model.day}.csv",
                            label="Run data (CSV)", mime_type="text/csv")


MODEL = solara.reactive(ClassroomModel(regime="ceo_led", org="auto_insurer", seed=1))


@solara.component
def Lessons(model):
    """One click loads a lesson: its question on top, its parameters in the model."""
    with solara.Row(style={"flex-wrap": "wrap"}):
        for name, lesson in LESSONS.items():
            solara.Button(lesson["title"], small=True, outlined=True,
                          on_click=lambda name=name: MODEL.set(ClassroomModel(lesson=name, seed=1)))


page = SolaraViz(
    MODEL,
    components=[
        Lessons,
        Organisation,
        Export,
        Heatmap,
        make_plot_component("satisfaction"),
        make_plot_component("handoff_failure_rate"),
        make_plot_component("failure_demand_share"),
        make_plot_component("churned"),
        make_plot_component("profit"),
        make_plot_component("culture"),
        make_plot_component("service_staffing"),
        (SideBySide, 1),
    ],
    model_params=model_params,
    name="cxsim: who should own customer experience?",
    play_interval=150,
)
