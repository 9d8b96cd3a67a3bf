"""The sweep report: statistics, every plot, escaped names, and it opens in a real browser."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from cxsim.analysis.report import build
from cxsim.analysis.statistics import paired_differences, tidy
from cxsim.api import simulate
from cxsim.runs.store import Store, run_id

EVIL = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    store = Store(folder)
    for regime in ("ceo_led", "no_owner"):
        for attention in (1.0, 20.0):
            for seed in range(3):
                kw = dict(regime=regime, seed=seed, days=60, customers=600, ceo_attention=attention)
                if regime == "no_owner":
                    kw["overrides"] = [f"regime.name=\"{EVIL}\""]
                coords = {"regime": regime, "levers.ceo_attention": str(attention), "replicate": str(seed)}
                store.write(run_id(coords), simulate(**kw), coords, {"seed": seed, "replicate": seed})
    return folder, build(folder)


def test_report_is_self_contained_with_every_plot_and_escaped_names(report):
    folder, path = report
    page = path.read_text()
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,', page)
    assert {"comparison_auto_insurer", "over_time_auto_insurer", "heatmap_auto_insurer",
            "funnel_auto_insurer", "response_levers.ceo_attention"} <= set(images)
    assert EVIL not in page and html.escape(EVIL) in page
    assert "http://" not in page and "https://" not in page  # nothing to fetch
    for name in ("runs.csv", "regime_stats.csv", "paired_differences.csv"):
        assert (path.parent / name).exists()
    assert (path.parent / "figures" / "comparison_auto_insurer.svg").exists()


def test_ranking_pairs_on_seeds_and_flags_ties(report):
    folder, _ = report
    summary = tidy(Store(folder).table("summary"))
    d = paired_differences(summary, "profit")
    assert set(d.columns) >= {"regime", "rank", "rank_group", "diff_to_best", "diff_lo", "diff_hi", "p_vs_best"}
    for _, g in d.groupby(["org", "coord.levers.ceo_attention"]):
        assert g.iloc[0].diff_to_best == 0 and (g.diff_to_best <= 0).all()
        assert g.rank_group.is_monotonic_increasing
        assert (g.replicates == 3).all()


def test_report_opens_in_headless_chromium_with_every_plot_visible(report, tmp_path):
    from playwright.sync_api import sync_playwright

    _, path = report
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        sizes = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])")
        assert len(sizes) >= 5 and all(c and w > 100 and h > 100 for c, w, h in sizes), sizes
        assert page.locator("h1").inner_text().startswith("cxsim sweep report")
        assert page.evaluate("() => document.querySelectorAll('script').length") == 0
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_the_report_can_carry_the_crossover_line_rerunning_the_stored_runs(report, tmp_path, capsys):
    """`cxsim-report --crossover`: the crossover line of the first scenario (ceo_attention 1.0) on the page
    and the console, the screening beside it; a stored run rerun from its own config gives the same
    profit, so the screening's moved runs are comparable with the stored ones."""
    from cxsim.decide.sweep_report import main
    from cxsim.runs.evaluator import run_stored

    folder, _ = report
    store = Store(folder)
    summary = store.table("summary")
    first = summary.iloc[0]
    again = run_stored(((store.runs / first.run_id / "config.yaml").read_text(), []))
    assert again["profit"] == first.profit
    u = tmp_path / "u.yaml"
    u.write_text("mechanisms:\n  mechanisms.handoff.base_friction: [0.1, 0.3]\n"
                 "  mechanisms.governance.executive_pay.CXO: [66000, 154000]\n"  # no CXO here: never read
                 "regimes:\n  ceo_led:\n    regime.owners.ceo.judgement: [0.6, 1.0]\n")
    assert main([str(folder), "--out", str(tmp_path / "r"), "--crossover", "--uncertainty", str(u),
                 "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    line = [ln for ln in out.splitlines() if ln.startswith("crossover:")]
    assert len(line) == 1
    assert re.search(r"runs made; [1-9][\d,]* not needed", out), out  # the stored runs stand in
    page = (tmp_path / "r" / "report.html").read_text()
    assert "<h2>Crossover</h2>" in page and "levers.ceo_attention=1.0" in page and EVIL not in page
    screening = pd.read_csv(tmp_path / "r" / "crossover.csv")
    assert {"mechanisms.handoff.base_friction"} <= set(screening.assumption)
    unread = dict(zip(screening.assumption, screening.unread_by.fillna("")))
    assert "ceo_led" in unread["mechanisms.governance.executive_pay.CXO"]
    assert unread["mechanisms.handoff.base_friction"] == ""


def test_the_report_refuses_a_crossover_it_cannot_make_in_one_line(tmp_path, capsys):
    from cxsim.decide.sweep_report import main

    folder = tmp_path / "one"
    store = Store(folder)
    coords = {"regime": "ceo_led", "replicate": "0"}
    store.write(run_id(coords), simulate(regime="ceo_led", seed=0, days=20, customers=300), coords, {"seed": 0})
    assert main([str(folder), "--crossover"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["cxsim-report: error: --crossover: the sweep's first scenario has fewer than two regimes"]
