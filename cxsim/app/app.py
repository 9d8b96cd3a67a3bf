"""The classroom app: cxsim in the browser, built from Mesa's SolaraViz parts.

    cxsim-app                       # http://127.0.0.1:8765, no internet needed
    cxsim-app --company FILE.yaml   # with a company's own organisation in the menus

The page is made for a projector. The side bar holds the lesson, Mesa's model controller (Reset,
play, Step), the controls, each showing what it is set to, and the downloads. The main area has
three named tabs: "One organisation" (the organisation picture, the largest thing on the page,
with customers moving through it, and the live charts beside or below it), "Side by side" (a
second regime on the same seed) and "Where handoffs fail" (the boundaries' failure rates). A
lesson puts its settings on the controls and restarts the model from them, so what the class sees
on the controls is what runs. Presenter mode enlarges all text.

Nothing is fetched from any host but this app's own server: text is plain (no Markdown, whose
maths would load KaTeX from a CDN), pictures are drawn on the server.
"""

from __future__ import annotations

import solara
from mesa.visualization.solara_viz import ModelController, ShowSteps
from mesa.visualization.utils import update_counter
from solara.toestand import KernelStoreFactory, Reactive

from cxsim.app import charts, handout, picture
from cxsim.app.classroom import CLASSROOM, SETTINGS, ClassroomModel

NO_LESSON = "(free play)"
ASPECT = picture.FIGURE[0] / picture.FIGURE[1]  # the picture's width over its height
CHARTS_EVERY = 5  # the charts are redrawn every this many days (a picture per day is what the eye follows)


def new_model() -> ClassroomModel:
    return CLASSROOM.model(CLASSROOM.defaults())


# Per browser session (each kernel gets its own value): the model, the controls' values, the lesson.
MODEL = Reactive(KernelStoreFactory(new_model, key="cxsim.app.model"))
VALUES = solara.reactive(CLASSROOM.defaults())
LESSON = solara.reactive(NO_LESSON)
PRESENTER = solara.reactive(False)


def scale() -> float:
    return float(SETTINGS["presenter_scale"]) if PRESENTER.value else 1.0


def set_control(key: str, value) -> None:
    VALUES.set({**VALUES.value, key: value})


def load_lesson(name: str) -> None:
    """Put the lesson's settings on the controls and restart the model from them."""
    LESSON.set(name)
    values = CLASSROOM.defaults() if name == NO_LESSON else CLASSROOM.lesson_values(name)
    VALUES.set(values)
    MODEL.set(CLASSROOM.model(values))


# ------------------------------------------------------------------- side bar
@solara.component
def Lesson():
    names = {NO_LESSON: NO_LESSON, **{lesson["title"]: name for name, lesson in CLASSROOM.lessons.items()}}
    title = next(t for t, n in names.items() if n == LESSON.value)
    solara.Select("Lesson", value=title, values=list(names), on_value=lambda t: load_lesson(names[t]))
    if LESSON.value == NO_LESSON:
        return
    lesson = CLASSROOM.lessons[LESSON.value]
    settings = ", ".join(f"{CLASSROOM.controls[k].label} = {v}" for k, v in lesson["params"].items())
    with solara.Card(lesson["title"], classes=["cxsim-lesson"]):
        paragraph(lesson["question"], bold=True)
        paragraph(f"The lesson set the controls below: {settings}.")
        paragraph(f"Then: {lesson['then']} (change the controls, then press Reset).")
        with solara.Details("What students should observe (for the teacher)"):
            paragraph(lesson["observe"])
            for check in CLASSROOM.measured.get(LESSON.value, []):  # cxsim-lessons measured each claim
                paragraph(f"Checked: {check['claim']}. It {check['measured']}.")


def paragraph(text: str, bold: bool = False):
    """Plain text in a paragraph (not Markdown: its maths would fetch KaTeX from a CDN)."""
    return solara.v.Html(tag="p", children=[text], style_="font-weight: bold" if bold else "")


@solara.component
def Control(key: str):
    """One control, its label saying what it is set to."""
    control, value, regime = CLASSROOM.controls[key], VALUES.value[key], VALUES.value["regime"]
    unit = f" ({control.unit})" if control.unit else ""
    if control.widget == "slider":
        low, high, step = control.bounds
        slider = solara.SliderInt if isinstance(step, int) else solara.SliderFloat
        solara.Text(f"{control.label}{unit}: {control.shown(value)}", style={"font-size": "0.8rem", "color": "#555"})
        slider("", value=value, min=low, max=high, step=step, on_value=lambda v: set_control(key, v))
    elif control.widget == "number":
        # Taken as typed. On Enter, Solara reads the field's value on the server, but the browser may
        # still hold that value back (ipywidgets sends a widget's next state only once the server has
        # answered the last), so on a busy server Enter, then Reset, ran the old seed. The hint shows
        # the value the server holds.
        solara.InputText(control.label, value=str(value), continuous_update=True,
                         on_value=lambda v: set_control(key, v), message=f"Reset applies {value}")
    else:  # a menu shows its value itself
        solara.Select(f"{control.label}{unit}", value=control.item(value, regime), values=control.items(value, regime),
                      on_value=lambda item: set_control(key, control.value_of(item)))


@solara.component
def Downloads(model):
    update_counter.get()
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.FileDownload(lambda: charts.png_bytes(charts.charts_figure(model)), filename=f"cxsim_day{model.day}.png",
                            label="Charts (PNG)", mime_type="image/png")
        solara.FileDownload(lambda: charts.run_csv(model), filename=f"cxsim_day{model.day}.csv",
                            label="Run data (CSV)", mime_type="text/csv")
        if LESSON.value != NO_LESSON:  # the lesson's one-page sheet for students (a run at its settings)
            solara.FileDownload(lambda: handout.handout(LESSON.value), filename=f"cxsim_{LESSON.value}.html",
                                label="Lesson handout (HTML)", mime_type="text/html")


@solara.component
def SideBar():
    play = solara.use_reactive(int(SETTINGS["play_interval_ms"]))
    render, threads = solara.use_reactive(1), solara.use_reactive(False)
    with solara.Sidebar(), solara.Column():
        Lesson()
        with solara.Card("Run"):
            ModelController(MODEL, model_parameters=VALUES, play_interval=play, render_interval=render,
                            use_threads=threads)
            ShowSteps(MODEL.value)
        with solara.Card("Controls (press Reset to apply)"):
            for key in CLASSROOM.controls:
                Control(key)
        with solara.Card("Downloads"):
            Downloads(MODEL.value)
        solara.Switch(label="Presenter mode (larger text)", value=PRESENTER)


# ------------------------------------------------------------------ main area
@solara.component
def Organisation(model, element_id: str = "organisation"):
    """The organisation picture, inline SVG sized to the screen: never wider than its column, never
    taller than the window has room for."""
    update_counter.get()
    svg = picture.inline_svg(picture.organisation_figure(
        model, dots=int(SETTINGS["customer_dots"]), bounces=int(SETTINGS["failed_dots"]), scale=scale()))
    solara.HTML(tag="div", unsafe_innerHTML=svg, attributes={"id": element_id},
                style=f"width: min(100%, calc((100vh - 172px) * {ASPECT})); margin: 0 auto;")


@solara.component
def Charts(model, columns: int = 2):
    update_counter.get()
    twin = getattr(model, "twin", None)
    every = 1 if model.day <= 2 * CHARTS_EVERY else CHARTS_EVERY  # the first days daily: they are quick
    image = solara.use_memo(lambda: charts.png_bytes(charts.charts_figure(model, columns=columns, scale=scale())),
                            [id(model), model.day // every, model.running, id(twin), PRESENTER.value])
    solara.Image(image, width="100%")


@solara.component
def Problem(model):
    if getattr(model, "error", None):
        solara.Error(f"These settings do not work: {model.error}. Showing the default model instead.")


TODAY = (  # the numbers beside the picture: (label, the model -> value, format)
    ("customers", lambda m: m.recorder.rows[-1]["active"], "{:,.0f}"),
    ("satisfaction (0 to 1)", lambda m: m.recorder.rows[-1]["satisfaction"], "{:.2f}"),
    ("handoffs failed today", lambda m: m.recorder.rows[-1]["handoff_failures"], "{:,.0f}"),
    ("failure demand today", lambda m: m.recorder.rows[-1]["failure_demand_share"], "{:.0%}"),
    ("waiting for a department", lambda m: m.recorder.rows[-1]["backlog"], "{:,.0f}"),
    ("left so far", lambda m: m.recorder.rows[-1]["churned"], "{:,.0f}"),
    ("profit so far (EUR)", lambda m: m.recorder.to_date["profit"], "{:,.0f}"),  # as the run's summary counts it
)


@solara.component
def Today(model):
    """The day's key numbers in large type, for the back of the room."""
    update_counter.get()
    size = 1.6 * scale()
    with solara.Column(style={"gap": "2px"}):
        solara.Text(f"Day {model.day}", style={"font-size": f"{size}rem", "font-weight": "bold"})
        for label, value, form in TODAY:
            shown = form.format(value(model)) if model.recorder.rows else "–"
            solara.Text(shown, style={"font-size": f"{size}rem", "line-height": "1.1"})
            solara.Text(label, style={"font-size": f"{0.55 * size}rem", "color": "#555", "margin-bottom": "6px"})


@solara.component
def OneOrganisation(model):
    """The picture as large as the screen allows, the day's numbers beside it, the charts below."""
    Problem(model)
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "flex-start", "gap": "12px"}):
        with solara.Column(style={"flex": "4 1 760px", "min-width": "0"}):
            Organisation(model)
        with solara.Column(style={"flex": "1 1 220px", "min-width": "0"}):
            Today(model)
    with solara.Column(style={"max-width": "1500px"}):
        Charts(model, columns=4)


@solara.component
def SideBySide(model):
    update_counter.get()
    twin = getattr(model, "twin", None)
    if twin is None:
        solara.Info(f"Choose a regime in '{CLASSROOM.controls['compare_with'].label}' and press Reset to run "
                    "a second regime on the same seed beside this one.")
        return
    # two columns where each picture keeps readable text, one above the other where not
    with solara.Div(style={"display": "grid", "gap": "8px", "width": "100%",
                           "grid-template-columns": "repeat(auto-fit, minmax(600px, 1fr))"}):
        for m, element in ((model, "organisation-left"), (twin, "organisation-right")):
            with solara.Div(style={"min-width": "0"}):
                Organisation(m, element_id=element)
    Compared(model)
    with solara.Column(style={"max-width": "1500px"}):
        Charts(model, columns=4)


@solara.component
def Compared(model):
    """The two runs' measures so far, and why one is ahead (the P&L bridge) in plain words."""
    update_counter.get()
    started = bool(model.recorder.rows)
    rows, why = solara.use_memo(lambda: charts.compared(model) if started else ([], ""),
                                [id(model), model.day // CHARTS_EVERY, started])
    if not started:
        return
    head = ["so far", model.regime.name, model.twin.regime.name]
    cell = "padding: 2px 12px; text-align: right"
    table = [solara.v.Html(tag="tr", children=[solara.v.Html(tag="th", children=[h], style_=cell) for h in head])]
    table += [solara.v.Html(tag="tr", children=[solara.v.Html(tag="td", children=[c], style_=cell) for c in row])
              for row in rows]
    with solara.Column(classes=["cxsim-compared"], style={"max-width": "1100px"}):
        solara.v.Html(tag="table", children=table)
        paragraph(f"Why, on day {model.day} of seed {model.cfg.seed}: {why}")


@solara.component
def Boundaries(model):
    update_counter.get()
    image = solara.use_memo(lambda: charts.png_bytes(charts.heatmap_figure(model, scale=scale())),
                            [id(model), model.day // CHARTS_EVERY, PRESENTER.value])
    with solara.Column(style={"max-width": "900px"}):
        solara.Image(image, width="100%")


@solara.component
def Page():
    model = MODEL.value
    solara.Title("cxsim classroom")
    if PRESENTER.value:
        solara.Style("html { font-size: 20px !important; } .v-application .v-label { font-size: 1.05rem; }")
    with solara.AppBar():
        solara.AppBarTitle("cxsim: who should own customer experience?")
    SideBar()
    with solara.lab.Tabs():
        with solara.lab.Tab("One organisation"):
            OneOrganisation(model)
        with solara.lab.Tab("Side by side"):
            SideBySide(model)
        with solara.lab.Tab("Where handoffs fail"):
            Boundaries(model)


page = Page

