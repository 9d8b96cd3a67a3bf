"""End to end: the classroom app in a real headless Chromium, with no internet.

Starts `cxsim-app` on a free local port and drives the page as a teacher would at the two
projector sizes (1280 x 720 and 1920 x 1080): the organisation picture fully in view with readable
text, every slider saying its value, a lesson putting its settings on the controls, customers'
dots moving as the model steps, side by side, downloads, a bad setting shown as one line, and no
request to any host but this one (the browser's requests and the server's log). Screenshots go
to `test-artifacts/app/` (or $CXSIM_ARTIFACTS/app); the time from start to the first answer is
printed and saved there.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("CXSIM_ARTIFACTS", ROOT / "test-artifacts")) / "app"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SIZES = {"1280x720": (1280, 720), "1920x1080": (1920, 1080)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(log: Path, *args: str, server: tuple[str, ...] = (sys.executable, "-m", "cxsim.app.server"),
              cwd: Path | None = None) -> tuple[subprocess.Popen, str, float]:
    """`cxsim-app` (`server`) on a free port, its output in `log`; the seconds until its first answer."""
    port = free_port()
    env = {**os.environ, "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}  # no way out
    started = time.monotonic()
    proc = subprocess.Popen([*server, "--port", str(port), *args], stdout=log.open("w"), stderr=subprocess.STDOUT,
                            env=env, cwd=cwd)
    url = f"http://127.0.0.1:{port}/"
    while time.monotonic() - started < 90:
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc, url, time.monotonic() - started
        except OSError:
            time.sleep(0.2)
    proc.kill()
    pytest.fail(f"cxsim-app did not start: {log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory, browser):
    """The app's URL and its server log; how long a teacher waits, from start to the first answer and
    to the organisation picture on the page, is printed and saved."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = tmp_path_factory.mktemp("app") / "server.log"
    started = time.monotonic()
    proc, url, answered = start_app(log)
    page = open_page(browser, url, SIZES["1280x720"], set(), [])
    shown = time.monotonic() - started
    page.context.close()
    timing = f"first answer {answered:.1f} s after start, the picture on the page after {shown:.1f} s"
    (ARTIFACTS / "start_seconds.txt").write_text(timing + "\n")
    print(f"\ncxsim-app: {timing}")
    yield url, log
    stop(proc)


def open_page(browser, url: str, size: tuple[int, int], hosts: set, paths: list):
    page = browser.new_context(viewport={"width": size[0], "height": size[1]}).new_page()

    def seen(request):
        if request.url.startswith("http"):
            hosts.add(urlparse(request.url).hostname)
            paths.append(urlparse(request.url).path)

    page.on("request", seen)
    page.goto(url)
    page.get_by_role("button", name="Step", exact=True).wait_for(timeout=60_000)
    page.locator("#organisation svg").wait_for(timeout=60_000)
    return page


def choose(page, current: str, option: str) -> None:
    """Pick `option` in the menu now showing `current`."""
    page.get_by_text(current, exact=True).first.click()
    page.get_by_role("option", name=option, exact=True).click()


def wait_for_time(page, day: int) -> None:
    page.wait_for_function(f"() => document.body.innerText.includes('Time: {day}')", timeout=30_000)


def dots(page, element: str = "organisation") -> list[tuple[str, str]]:
    found = page.eval_on_selector_all(f"#{element} #customers use",
                                      "els => els.map(e => [e.getAttribute('x'), e.getAttribute('y')])")
    return [tuple(xy) for xy in found]


def assert_picture_in_view(page, size: tuple[int, int]) -> None:
    """The picture inside the window (no scrolling, nothing cut off), its department text >= 12 px."""
    from cxsim.app.picture import FIGURE, TEXT

    box = page.locator("#organisation svg").bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= size[0] + 0.5 and box["y"] + box["height"] <= size[1] + 0.5, (box, size)
    text_px = TEXT * box["width"] / (FIGURE[0] * 72)  # the SVG's units are the figure's points
    assert text_px >= 12, f"department text {text_px:.1f} px at {size}"


def slider_labels_show_values(page) -> None:
    from cxsim.app.classroom import CLASSROOM

    body = page.inner_text("body")
    for control in CLASSROOM.controls.values():
        if control.widget == "slider":
            assert re.search(re.escape(control.label) + r" \([^)]*\): [0-9.]+", body), (control.label, body[:3000])


def assert_offline(hosts: set, paths: list, log: Path) -> None:
    assert hosts <= {"127.0.0.1"}, f"the page fetched from elsewhere: {hosts}"
    assert not [p for p in paths if "/_solara/cdn/" in p and "katex" in p], "the page asked for KaTeX"
    text = log.read_text()
    assert "Could not load URL" not in text and "Traceback" not in text, text[-3000:]


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_the_classroom_at_projector_sizes(app, browser, size):
    """A teacher opens the app, reads every control's value, clicks a lesson and sees its settings on
    the controls, steps and watches customers move and handoffs fail, all in view and offline."""
    url, log = app
    hosts, paths, dims = set(), [], SIZES[size]
    page = open_page(browser, url, dims, hosts, paths)
    assert_picture_in_view(page, dims)
    slider_labels_show_values(page)
    assert [t.inner_text().lower() for t in page.get_by_role("tab").all()] == [
        "one organisation", "side by side", "where handoffs fail"]

    choose(page, "(free play)", "The cost-centre spiral")
    page.get_by_text("The lesson set the controls below").wait_for(timeout=30_000)
    body = page.inner_text("body")
    assert "Service budget (share of capacity): 0.75" in body and "no_owner" in body
    page.get_by_text("What students should observe (for the teacher)").click()  # the claims, as measured
    page.get_by_text("Checked: Under the cost view the desk ends with less staff").wait_for(timeout=30_000)
    assert re.search(r"It holds: in \d+ of 20 seeds, 730 days", page.inner_text("body"))
    wait_for_time(page, 0)
    assert_picture_in_view(page, dims)  # the lesson's text does not push the picture out of view

    step = page.get_by_role("button", name="Step", exact=True)
    for day in (1, 2):  # the first needs start on day 1
        step.click()
        wait_for_time(page, day)
    page.wait_for_function("() => document.querySelectorAll('#organisation #customers use').length > 0",
                           timeout=30_000)
    before, bounced = dots(page), []
    for day in range(3, 6):
        step.click()
        wait_for_time(page, day)
        bounced.append(page.locator("#organisation #bounced use").count())  # failed handoffs drawn today
    assert max(bounced) > 0, f"no failed handoff drawn on days 3-5: {bounced}"
    deadline = time.monotonic() + 30  # the picture redraws after the counter, later on a busy machine
    while dots(page) == before and time.monotonic() < deadline:
        time.sleep(0.3)
    after = dots(page)
    assert before and after and set(after) != set(before), "the customers' dots did not move"
    page.get_by_text("Presenter mode (larger text)").click()  # for the back of the room: all text larger
    page.wait_for_function("() => getComputedStyle(document.documentElement).fontSize === '20px'", timeout=30_000)
    assert_picture_in_view(page, dims)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"classroom_{size}.png"
    page.screenshot(path=str(shot))
    print(f"\nscreenshot: {shot}")
    page.context.close()
    assert_offline(hosts, paths, log)


def test_side_by_side_downloads_and_a_bad_setting(app, browser):
    url, log = app
    hosts, paths = set(), []
    page = open_page(browser, url, SIZES["1920x1080"], hosts, paths)
    step = page.get_by_role("button", name="Step", exact=True)

    choose(page, "(none)", "no_owner")  # side by side: a second regime on the same seed
    page.get_by_role("button", name="Reset", exact=True).click()
    wait_for_time(page, 0)
    for day in range(1, 3):
        step.click()
        wait_for_time(page, day)
    page.get_by_role("tab", name="Side by side").click()
    page.locator("#organisation-right svg").wait_for(timeout=60_000)
    inside = ("() => ['left', 'right'].every(side => { const r = document.querySelector("
              "`#organisation-${side} svg`).getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth; })")
    page.wait_for_function(inside, timeout=10_000)  # both pictures in the window's width, once the tab has slid in
    page.get_by_text("Why, on day 2 of seed").wait_for(timeout=30_000)  # the two runs' measures, and why
    compared = page.locator(".cxsim-compared").inner_text()
    for measure in ("value (EUR", "governance cost", "front-line failure demand", "first-contact resolution",
                    "days to resolve a problem"):
        assert measure in compared, compared
    assert re.search(r"ceo_led is [\d,]+ (ahead of|behind) no_owner on value; the largest lines: ", compared)
    page.screenshot(path=str(ARTIFACTS / "side_by_side.png"))

    with page.expect_download() as dl:  # the run (both regimes) as CSV, the charts as PNG
        page.get_by_text("Run data (CSV)").click()
    csv = dl.value.path().read_text()
    assert csv.startswith("day,regime,") and "no_owner" in csv and "ceo_led" in csv
    with page.expect_download() as dl:
        page.get_by_text("Charts (PNG)").click()
    assert dl.value.path().read_bytes()[:4] == b"\x89PNG"

    page.get_by_role("tab", name="One organisation").click()
    seed = page.get_by_role("textbox", name=re.compile("^Seed"))
    hostile = "<img src=x onerror=window.pwned=1>"  # shown as text, never as an element
    seed.fill(hostile)
    seed.press("Enter")
    page.get_by_text(f"Reset applies {hostile}", exact=True).wait_for(timeout=30_000)  # the server holds it
    page.get_by_role("button", name="Reset", exact=True).click()
    page.get_by_text("These settings do not work").wait_for(timeout=30_000)
    body = page.inner_text("body")
    assert "Traceback" not in body and f"seed: must be a whole number, got '{hostile}'" in body
    assert page.locator("img[src='x']").count() == 0 and page.evaluate("() => window.pwned") is None
    page.context.close()
    assert_offline(hosts, paths, log)


def test_two_students_do_not_share_a_model(app, browser):
    """Each browser session has its own model: one student's steps and lesson are not another's."""
    url, _ = app
    a, b = (open_page(browser, url, SIZES["1280x720"], set(), []) for _ in range(2))
    step_a = a.get_by_role("button", name="Step", exact=True)
    for day in range(1, 3):
        step_a.click()
        wait_for_time(a, day)
    choose(a, "(free play)", "The reorganisation J-curve")
    a.get_by_text("The lesson set the controls below").wait_for(timeout=30_000)
    b.get_by_role("button", name="Step", exact=True).click()
    wait_for_time(b, 1)  # b's own model: a's two steps did not move it
    assert "The lesson set" not in b.inner_text("body")
    a.context.close()
    b.context.close()


def test_a_company_file_opens_the_app_on_its_organisation(browser, tmp_path):
    """`cxsim-app --company FILE`: the company's organisation and its regime of today are where the
    controls start, its candidates next in the regime menu; a bad file is one line and no server."""
    from cxsim.decide.company import load

    company = load(ROOT / "cxsim" / "examples" / "mid_size_insurer.yaml")
    example = ROOT / "cxsim" / "examples" / "mid_size_insurer.yaml"
    proc, url, _ = start_app(tmp_path / "server.log", "--company", str(example))
    try:
        page = open_page(browser, url, SIZES["1280x720"], set(), [])
        body = page.inner_text("body")
        assert company.name in body and company.today in body
        page.get_by_text(company.today, exact=True).first.click()
        options = [o.inner_text() for o in page.get_by_role("option").all()]
        assert options[:1 + len(company.candidates)] == [company.today, *company.candidates]
        page.keyboard.press("Escape")
        page.screenshot(path=str(ARTIFACTS / "company.png"))
        page.context.close()
        assert "Could not load URL" not in (tmp_path / "server.log").read_text()
        # the check of the log can fail: a file the server has not got is fetched (and, offline, fails)
        with pytest.raises(OSError):
            urllib.request.urlopen(url + "_solara/cdn/katex@0.16.9/dist/katex.min.css", timeout=60)
        assert "Could not load URL" in (tmp_path / "server.log").read_text()
    finally:
        stop(proc)
    bad = tmp_path / "bad.yaml"
    example = (ROOT / "cxsim" / "examples" / "mid_size_insurer.yaml").read_text()
    bad.write_text(example.replace("today: no_owner", "today: nobody"))
    p = subprocess.run([sys.executable, "-m", "cxsim.app.server", "--company", str(bad)], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert re.fullmatch(r"cxsim-app: error: .*bad\.yaml:\d+: today: no regime named 'nobody'.*\n", p.stderr), p.stderr


def test_app_binds_localhost_by_default():
    from cxsim.app.server import parser

    assert parser().parse_args([]).host == "127.0.0.1"


def test_classroom_model_reorg_moment_and_bad_input_fallback():
    from cxsim.app.charts import heatmap_figure
    from cxsim.app.classroom import ClassroomModel
    from cxsim.app.picture import inline_svg, organisation_figure

    m = ClassroomModel(regime="no_owner", seed=2, customers=800, reorg_day=10, reorg_to="ceo_led")
    for _ in range(15):
        m.step()
    assert m.error is None and m.regime.name == "ceo_led"
    assert m.recorder.timeseries().routine_fit.iloc[10] < 1.0  # routines broken at the switch
    svg = inline_svg(organisation_figure(m))
    assert svg.startswith("<svg") and 'id="customers"' in svg and 'id="bounced"' in svg
    heatmap_figure(m)
    bad = ClassroomModel(regime="ceo_led", seed=1, service_budget=-1.0)
    assert bad.error and "service_budget" in bad.error and bad.regime.name == "ceo_led"
    typo = ClassroomModel(regime="no_owner", ceo_attention="high", days=5, customers=100)  # a lesson file's typo
    assert typo.error == "ceo_attention: must be a number or 'as the regime sets it', got 'high'"


def test_controls_start_where_the_configs_do():
    """No control's starting value is typed into the app: each is the composed config's."""
    from cxsim.app.classroom import CLASSROOM
    from cxsim.config.composition import compose

    cfg, c = compose([]), CLASSROOM.controls
    assert c["regime"].default == cfg.regime.name and c["org"].default == cfg.org.name
    assert c["service_budget"].default == cfg.mechanisms.finance.service_budget
    assert c["cfo_view"].default == cfg.mechanisms.finance.cfo_view and c["days"].default == cfg.days
    assert c["split_departments"].default == cfg.org.split_departments and c["seed"].default == cfg.seed
    assert c["ceo_attention"].item("as the regime sets it", "ceo_with_cxo") == "as the regime sets it (2)"
    assert c["ceo_attention"].item("as the regime sets it", "coo_owned") == "as the regime sets it"
    assert c["ceo_attention"].value_of("as the regime sets it (2)") == "as the regime sets it"


def test_every_lesson_sets_only_controls_and_runs_as_its_controls_say():
    from cxsim.app.classroom import CLASSROOM

    assert len(CLASSROOM.lessons) >= 9
    for name, lesson in CLASSROOM.lessons.items():
        assert {"title", "question", "params", "then", "observe"} <= set(lesson), name
        values = CLASSROOM.lesson_values(name)
        assert {k: values[k] for k in lesson["params"]} == lesson["params"], name
        m = CLASSROOM.model({**values, "customers": 500})
        for _ in range(10):
            m.step()
        assert m.error is None, (name, m.error)
        assert m.regime_name_at_start == lesson["params"]["regime"]
        if "compare_with" in lesson["params"]:
            assert m.twin.regime.name == lesson["params"]["compare_with"]


def test_side_by_side_twin_shares_the_seed_and_exports():
    from cxsim.app.charts import charts_figure, png_bytes, run_csv
    from cxsim.app.classroom import ClassroomModel

    m = ClassroomModel(regime="ceo_led", compare_with="no_owner", seed=4, customers=600)
    for _ in range(6):
        m.step()
    assert m.twin.regime.name == "no_owner" and m.twin.day == m.day == 6
    assert m.twin.cfg.seed == m.cfg.seed
    # common random numbers: the same customers on day 0
    values = [c.segment.annual_value for c in m.customers[:600]]
    assert values == [c.segment.annual_value for c in m.twin.customers[:600]]
    csv = run_csv(m)
    assert "ceo_led" in csv and "no_owner" in csv
    assert png_bytes(charts_figure(m))[:4] == b"\x89PNG"


def test_a_company_in_the_classroom_runs_its_own_organisation_under_any_regime():
    from cxsim.app.classroom import Classroom
    from cxsim.decide.company import load

    company = load("cxsim/examples/mid_size_insurer.yaml")
    classroom = Classroom.build(company)
    assert classroom.controls["org"].default == company.name and classroom.controls["regime"].default == company.today
    assert list(classroom.controls["regime"].values[:1 + len(company.candidates)]) == [company.today,
                                                                                        *company.candidates]
    m = classroom.model({**classroom.defaults(), "regime": "ceo_led", "compare_with": "coo_owned", "days": 5})
    assert m.error is None and m.regime.name == "ceo_led" and m.twin.regime.name == "coo_owned"
    assert [d.name for d in m.departments] == list(company.config.org.departments)
    assert m.initial_customers == company.config.org.customers


def test_a_long_student_session_does_not_grow_memory():
    """Six resets of 250 steps each (1,500 steps, a twin alongside), pictures drawn as the app
    draws them: every old model is freed, and the live objects after the last reset are within
    2% of those after the first (tracemalloc would make this minutes). Within one model the
    history is bounded by its horizon (`days`)."""
    import gc
    import weakref

    from cxsim.app.charts import charts_figure, heatmap_figure, png_bytes
    from cxsim.app.classroom import ClassroomModel
    from cxsim.app.picture import inline_svg, organisation_figure

    old, live = [], []
    for session in range(6):
        m = ClassroomModel(regime="ceo_led", compare_with="no_owner", seed=session, customers=500, days=250)
        old.append(weakref.ref(m))
        while m.running:
            m.step()
            if m.day == 125:
                inline_svg(organisation_figure(m))
                for figure in (heatmap_figure, charts_figure):
                    png_bytes(figure(m))
        assert m.day == 250 and len(m.recorder.timeseries()) == 250
        del m
        gc.collect()
        live.append(len(gc.get_objects()))
    assert sum(ref() is not None for ref in old) == 0, "a model outlived its session"
    assert live[-1] - live[0] < 0.02 * live[0], live


def test_lever_menus_leave_the_regime_alone_until_a_value_is_picked():
    """The app's lever menus start at 'as the regime sets it': a CEO-with-CXO regime keeps its own CEO
    attention, a derived journey KPI stays derived; a picked value is passed on as a number."""
    from cxsim.app.classroom import REGIME_OWN, ClassroomModel, model_keywords

    assert model_keywords({"ceo_attention": REGIME_OWN, "journey_kpi": "0.3", "regime": "x", "days": 5}) == {
        "journey_kpi": 0.3, "days": 5}
    m = ClassroomModel(regime="ceo_with_cxo", ceo_attention=REGIME_OWN, cxo_backing=REGIME_OWN,
                       journey_kpi=REGIME_OWN, days=5, customers=100)
    assert m.error is None and m.governance.owners[0].attention == 2.0
    assert {round(d.journey_kpi, 12) for d in m.departments} == {0.3}


def test_the_cxo_lessons_twin_is_the_deputys_ablation_to_the_customer():
    """The CEO-with-CXO lesson compares ceo_with_cxo with ceo_led at the same CEO attention: to every
    customer that is ceo_with_cxo with its deputy removed (the ablation of
    `test_regimes.py::test_a_deputy_carries_what_the_ceo_cannot`); only the CX office's cost differs, and
    the money that follows from it (profit, margin and value, whose terminal part carries the run-rate of
    governance per customer)."""
    from cxsim.app.classroom import LESSONS
    from cxsim.model import CXModel

    params = LESSONS["ceo_with_cxo"]["params"]
    twin = CXModel(regime=params["compare_with"], seed=3, days=120, ceo_attention=params["ceo_attention"])
    ablation = CXModel(regime=params["regime"], seed=3, days=120, overrides=["regime.owners.ceo.deputy.role=null"])
    a, b = twin.run().recorder.summary(), ablation.run().recorder.summary()
    differ = {k for k in a if a[k] != b[k] and a[k] == a[k]}
    assert differ == {"regime", "governance_cost", "profit", "operating_margin", "value", "value_cash",
                      "value_terminal"}, differ
