"""Every lesson's claims, checked: what a teacher reads out as "what students should observe" is
what the model does (issue 35). Each claim is a paired test over its seeds at its horizon
(`cxsim.app.lessons`); the runs are made once for all lessons, on two processes.

    pytest -m lessons            # these alone
    cxsim-lessons --write        # after a model change: measure again, and update what the app shows
"""

from __future__ import annotations

import pytest
import runs_library
import yaml
from runs_library import Run

from cxsim.app import lessons
from cxsim.app.classroom import LESSONS, MEASURED
from cxsim.config.errors import ConfigError

pytestmark = pytest.mark.lessons


def from_the_library(todo: list[tuple]) -> list[dict]:
    """The lessons' runs from the test session's library (`runs_library`): a lesson's run that another
    test reads too (the default comparison's COO-owned runs, the CFO's cost view) is made once."""
    runs = []
    for (keywords, days), seed in todo:
        keywords = dict(keywords)
        runs.append(Run.of(keywords.pop("regime", "ceo_led"), seed, keywords.pop("org", "auto_insurer"),
                           keywords.pop("overrides", ()), days=days, **keywords))
    return [{"summary": record.summary, "daily": record.daily[lessons.DAILY].to_numpy()}
            for record in runs_library.records(None, runs)]


@pytest.fixture(scope="module")
def results() -> list[lessons.Result]:
    """Every lesson's checks, measured on the session's shared runs."""
    return lessons.check_all(made=from_the_library)


def test_every_lesson_backs_its_text_with_checks():
    for name, lesson in LESSONS.items():
        checks = lessons.checks_of(name, lesson)
        assert checks, f"lesson {name}: its observe text has no checks"
        assert all(c.seeds >= 20 for c in checks), name  # the evidence standard: >= 20 paired seeds


@pytest.mark.slow
def test_every_lessons_claim_holds(results):
    failed = [f"{r.check.lesson}: {r.check.claim}: {r.sentence()}" for r in results if not r.holds]
    assert not failed, "\n".join(failed)


@pytest.mark.slow
def test_the_app_shows_what_was_measured(results):
    """The file the app reads under each lesson's text is what these runs measure now (else: run
    `cxsim-lessons --write` after the model changed)."""
    assert yaml.safe_load(MEASURED.read_text()) == lessons.measured_table(results)


@pytest.mark.slow
def test_a_claim_that_is_false_fails():
    """The checks can fail: the busy-CEO lesson's first claim turned around does not hold."""
    lesson = {**LESSONS["busy_ceo"]}
    first = dict(lesson["checks"][0])
    first["higher"], first["lower"] = first["lower"], first["higher"]
    lesson["checks"] = [first]
    (result,) = lessons.check_all({"busy_ceo": lesson}, jobs=2)  # the tool's own runs, as `cxsim-lessons` makes them
    assert not result.holds and result.held_in < result.check.seeds // 2


@pytest.mark.parametrize(("check", "named"), [
    ({"claim": "x", "measure": "fixes", "higer": {}, "lower": {}}, "check 1: unknown key higer"),
    ({"claim": "x", "measure": "fixe", "higher": {}, "lower": {}}, "check 1: measure: no outcome named 'fixe'"),
    ({"claim": "x", "measure": "fixes", "higher": {}}, "check 1: higher needs lower"),
    ({"claim": "x", "measure": "profit", "days": 200, "higher": {"window": [150, 250]}, "lower": {}},
     r"window: must be \[from, to\) within the run's 200 days"),
    ({"claim": "x", "measure": "fixes", "higher": {"ceo_atention": 2}, "lower": {}}, "'x': .*'ceo_atention'"),
    ({"claim": "x", "measure": "fixes", "higher": {"regime": "nobody"}, "lower": {}}, "'x': regime: no config named"),
])
def test_a_check_with_a_typo_gets_one_line_naming_it_before_any_run(check, named):
    lesson = {**LESSONS["busy_ceo"], "checks": [check]}
    with pytest.raises(ConfigError, match=f"lesson busy_ceo.*{named}") as error:
        lessons.make_runs(lessons.checks_of("busy_ceo", lesson), jobs=1)
    assert "\n" not in str(error.value)


@pytest.mark.slow
def test_a_handout_opens_for_every_lesson_on_one_printed_page(tmp_path):
    """`cxsim-lessons --handouts DIR`: one HTML sheet per lesson, offline (nothing fetched), its charts
    drawn, its measured claims and question to discuss on it, one A4 page when printed (its printed
    height within A4's 297 mm less the page's margins)."""
    from playwright.sync_api import sync_playwright

    lessons.main(["--handouts", str(tmp_path)])
    paths = sorted(tmp_path.glob("*.html"))
    assert [p.stem for p in paths] == sorted(LESSONS)
    a4_printable_px = (297 - 2 * 14) / 25.4 * 96
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        for path in paths:
            page = browser.new_page(viewport={"width": round((210 - 2 * 14) / 25.4 * 96), "height": 1000})
            fetched = []
            page.on("request", lambda r, seen=fetched: seen.append(r.url) if not r.url.startswith(("file:", "data:"))
                    else None)
            page.emulate_media(media="print")
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            width = page.eval_on_selector("img", "e => e.complete ? e.naturalWidth : 0")
            body = page.inner_text("body")
            lesson = LESSONS[path.stem]
            assert width > 500 and not fetched, (path.stem, width, fetched)
            assert lesson["question"] in body and lesson["discuss"] in body and "It holds: in " in body
            height = page.evaluate("() => document.documentElement.scrollHeight")
            assert height <= a4_printable_px, (path.stem, height)
            page.screenshot(path=str(tmp_path / f"{path.stem}.png"), full_page=True)
            page.close()
        browser.close()
