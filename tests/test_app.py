"""End to end: the classroom app in a real headless Chromium, with no internet.

Starts `cxsim-app` on a free local port, loads the page, picks a regime,
resets and steps the model, checks that the organisation picture and the
charts change, that a bad parameter shows a message, and that the page asked
nothing of any host but this one. Saves a screenshot.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlparse

import pytest

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "cxsim.app.server", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("cxsim-app did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_app_binds_localhost_by_default():
    from cxsim.app.server import parser

    assert parser().parse_args([]).host == "127.0.0.1"


def test_students_can_pick_a_regime_step_and_see_the_picture_change(app_url, tmp_path):
    from playwright.sync_api import sync_playwright

    hosts = set()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda r: hosts.add(urlparse(r.url).hostname) if r.url.startswith("http") else None)
        page.goto(app_url)
        step = page.get_by_role("button", name="Step", exact=True)
        step.wait_for(timeout=60_000)
        images = lambda: page.eval_on_selector_all("img", "els => els.map(e => e.src)")  # noqa: E731
        page.wait_for_function("() => document.querySelectorAll('img').length >= 8", timeout=30_000)

        page.get_by_text("ceo_led").first.click()
        page.get_by_role("option", name="coo_owned").click()
        page.get_by_role("button", name="Reset", exact=True).click()
        page.wait_for_function("() => document.body.innerText.includes('Time: 0')", timeout=30_000)
        time.sleep(1)
        before = images()
        for _ in range(4):
            step.click()
            time.sleep(0.5)
        page.wait_for_function("() => document.body.innerText.includes('Time: 4')", timeout=30_000)
        deadline = time.monotonic() + 30  # the pictures redraw after the counter, later on a busy machine
        after = images()
        while sum(a != b for a, b in zip(before, after)) < 8 and time.monotonic() < deadline:
            time.sleep(0.5)
            after = images()
        assert len(after) >= 8
        changed = sum(a != b for a, b in zip(before, after))
        assert changed >= 8, f"only {changed} of {len(after)} pictures changed after stepping"
        page.screenshot(path=str(tmp_path / "app.png"), full_page=True)

        # one click loads a lesson
        page.get_by_role("button", name="The CEO owns CX: commitment or bottleneck?").click()
        page.get_by_text("Lesson: The CEO owns CX").wait_for(timeout=30_000)
        page.wait_for_function("() => document.body.innerText.includes('Time: 0')", timeout=30_000)
        page.screenshot(path=str(tmp_path / "lesson.png"), full_page=True)

        # export: the run as CSV and the charts as PNG
        step.click()
        page.wait_for_function("() => document.body.innerText.includes('Time: 1')", timeout=30_000)
        with page.expect_download() as dl:
            page.get_by_text("Run data (CSV)").click()
        csv = dl.value.path().read_text()
        assert csv.startswith("day,regime,") and len(csv.splitlines()) >= 2
        with page.expect_download() as dl:
            page.get_by_text("Charts (PNG)").click()
        assert dl.value.path().read_bytes()[:4] == b"\x89PNG"

        # side by side: a second regime on the same seed, on the second page
        page.get_by_text("(none)").first.click()
        page.get_by_role("option", name="no_owner").click()
        page.get_by_role("button", name="Reset", exact=True).click()
        for _ in range(3):
            step.click()
            time.sleep(0.5)
        page.get_by_role("tab", name="Page 1").click()
        page.wait_for_function("() => document.body.innerText.includes('Time: 3')", timeout=30_000)
        # page 1 renders both organisations and the overlay: wait for them (a loaded machine is slow)
        page.wait_for_function("() => [...document.querySelectorAll('img')].filter(i => i.offsetParent !== null"
                               " && i.naturalWidth > 0).length >= 3", timeout=60_000)
        page.screenshot(path=str(tmp_path / "side_by_side.png"), full_page=True)
        assert page.locator("img:visible").count() >= 3

        page.get_by_role("tab", name="Page 0").click()
        seed = page.get_by_role("textbox", name="Seed", exact=True)
        hostile = "<img src=x onerror=window.pwned=1>"  # shown as text, never as an element
        seed.fill(hostile)
        seed.press("Enter")
        page.get_by_role("button", name="Reset", exact=True).click()
        page.get_by_text("These parameters do not work").wait_for(timeout=30_000)
        body = page.inner_text("body")
        assert "Traceback" not in body and f"seed: must be a whole number, got '{hostile}'" in body
        assert page.locator("img[src='x']").count() == 0 and page.evaluate("() => window.pwned") is None
        browser.close()
    assert hosts <= {"127.0.0.1"}, f"the app fetched from elsewhere: {hosts}"
    assert (tmp_path / "app.png").stat().st_size > 20_000


def test_classroom_model_reorg_moment_and_bad_input_fallback():
    from cxsim.app.app import ClassroomModel, heatmap_figure, organisation_figure

    m = ClassroomModel(regime="no_owner", seed=2, customers=800, reorg_day=10, reorg_to="ceo_led")
    for _ in range(15):
        m.step()
    assert m.error is None and m.regime.name == "ceo_led"
    assert m.recorder.timeseries().routine_fit.iloc[10] < 1.0  # routines broken at the switch
    organisation_figure(m), heatmap_figure(m)  # draw without error
    bad = ClassroomModel(regime="ceo_led", seed=1, service_budget=-1.0)
    assert bad.error and "service_budget" in bad.error and bad.regime.name == "ceo_led"


def test_every_lesson_loads_runs_and_uses_only_app_parameters():
    from cxsim.app.app import LESSONS, ClassroomModel, model_params

    assert len(LESSONS) >= 5
    for name, lesson in LESSONS.items():
        assert {"title", "question", "params", "then", "observe"} <= set(lesson), name
        assert set(lesson["params"]) <= set(model_params), name
        m = ClassroomModel(lesson=name, seed=3, customers=500)
        for _ in range(10):
            m.step()
        assert m.error is None, (name, m.error)
        assert m.regime_name_at_start == lesson["params"]["regime"]


def test_side_by_side_twin_shares_the_seed_and_exports():
    from cxsim.app.app import ClassroomModel, charts_figure, png_bytes, run_csv

    m = ClassroomModel(regime="ceo_led", compare_with="no_owner", seed=4, customers=600)
    for _ in range(6):
        m.step()
    assert m.twin.regime.name == "no_owner" and m.twin.day == m.day == 6
    assert m.twin.cfg.seed == m.cfg.seed
    # common random numbers: the same customers on day 0
    assert [c.segment.annual_value for c in m.customers[:600]] == [c.segment.annual_value for c in m.twin.customers[:600]]
    csv = run_csv(m)
    assert "ceo_led" in csv and "no_owner" in csv
    assert png_bytes(charts_figure(m))[:4] == b"\x89PNG"


def test_two_students_do_not_share_a_model(app_url):
    """Each browser session has its own model: one student's lesson is not another's."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        a, b = browser.new_context().new_page(), browser.new_context().new_page()
        for page in (a, b):
            page.goto(app_url)
            page.get_by_role("button", name="Step", exact=True).wait_for(timeout=60_000)
        a.get_by_role("button", name="The reorganisation J-curve").click()
        a.get_by_text("Lesson: The reorganisation J-curve").wait_for(timeout=30_000)
        b.get_by_role("button", name="Step", exact=True).click()
        b.wait_for_function("() => document.body.innerText.includes('Time: 1')", timeout=30_000)
        assert "Lesson:" not in b.inner_text("body")
        browser.close()


def test_a_long_student_session_does_not_grow_memory():
    """Six resets of 250 steps each (1,500 steps, a twin alongside), pictures drawn as the app
    draws them: every old model is freed, and the live objects after the last reset are within
    2% of those after the first (tracemalloc would make this minutes). Within one model the
    history is bounded by its horizon (`days`)."""
    import gc
    import weakref

    from cxsim.app.app import ClassroomModel, charts_figure, heatmap_figure, organisation_figure, png_bytes

    old, live = [], []
    for session in range(6):
        m = ClassroomModel(regime="ceo_led", compare_with="no_owner", seed=session, customers=500, days=250)
        old.append(weakref.ref(m))
        while m.running:
            m.step()
            if m.day == 125:
                for figure in (organisation_figure, heatmap_figure, charts_figure):
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
    from cxsim.app.app import REGIME_OWN, ClassroomModel, lever_values

    assert lever_values({"ceo_attention": REGIME_OWN, "journey_kpi": "0.3", "regime": "x"}) == {
        "journey_kpi": 0.3, "regime": "x"}
    m = ClassroomModel(regime="ceo_with_cxo", ceo_attention=REGIME_OWN, cxo_backing=REGIME_OWN,
                       journey_kpi=REGIME_OWN, days=5, customers=100)
    assert m.error is None and m.governance.owners[0].attention == 2.0
    assert {round(d.journey_kpi, 12) for d in m.departments} == {0.3}
