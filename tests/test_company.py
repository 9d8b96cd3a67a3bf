"""A company's own file: the worked example loads; mistakes name the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxsim.config.errors import ConfigError
from cxsim.decide.company import load
from cxsim.model import CXModel

EXAMPLE = Path(__file__).parent.parent / "cxsim" / "examples" / "mid_size_insurer.yaml"


def test_worked_example_loads_and_runs():
    c = load(EXAMPLE)
    assert c.today == "no_owner" and "ceo_led" in c.candidates
    assert c.uncertain["levers.ceo_attention"] == (0.5, 8.0)
    assert c.targets["annual_churn_rate"] == {"max": 0.12}
    s = CXModel(config=c.config, days=30).run().recorder.summary()
    assert s["org"] == "mid_size_insurer" and 0 <= s["handoff_failure_rate"] <= 1


def line_of(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), start=1) if needle in ln)


@pytest.mark.parametrize("old,new,key,needle", [
    ("capacity: 6,  cost_per_capacity: 120", "capacity: -6,  cost_per_capacity: 120",
     "org.departments.claims.capacity", "claims:"),
    ("- {department: claims, moment_of_truth: true}", "- {department: legal, moment_of_truth: true}",
     "org.journeys.accident_claim.stages.2.department", "department: legal"),
    ("today: no_owner", "today: chaos", "today", "today: chaos"),
    ("  levers.cxo_authority: [0.2, 0.8]", "  levers.cxo_authority: [0.8, 0.2]",
     "uncertain.levers.cxo_authority", "levers.cxo_authority"),
    ("  levers.ceo_attention: [0.5, 8]", "  levers.ceo_atention: [0.5, 8]",
     "uncertain.levers.ceo_atention", "ceo_atention"),
    ("  levers.ceo_attention: [0.5, 8]", "  org.friction.service.legal: [0.1, 0.4]",
     "uncertain.org.friction.service.legal: no such parameter", "service.legal"),
    ("  levers.ceo_attention: [0.5, 8]", "  org.friction.service.agency: [0.1, 1.4]",
     "uncertain.org.friction.service.agency: 1.4 is not a valid value", "service.agency"),
    ("    standard: {share: 0.8,", "    standard: {share: 0.5,", "org.segments", "segments:"),
    ("seeds: 3 ", "seed: 3 ", "seed", "seed: 3"),
    ("  customers: 8000", "  customers: lots", "org.customers", "customers: lots"),
    ("  annual_churn_rate: {max: 0.12}", "  churn: {max: 0.12}", "targets.churn", "churn: {max"),
    ("  annual_churn_rate: {max: 0.12}", "  annual_churn_rate: {max: low}", "targets.annual_churn_rate",
     "{max: low}"),
    ("base_friction: [0.10, 0.30]", "base_friction: [0.10, 1.30]", "uncertain.mechanisms.handoff.base_friction",
     "base_friction: [0.10, 1.30]"),
    ("switch_day: 90 ", "switch_day: 900 ", "switch_day", "switch_day: 900"),
])
def test_mistakes_name_line_and_key(tmp_path, old, new, key, needle):
    text = EXAMPLE.read_text()
    assert old in text
    bad = text.replace(old, new, 1)
    f = tmp_path / "my_org.yaml"
    f.write_text(bad)
    with pytest.raises(ConfigError) as err:
        load(f)
    msg = str(err.value)
    assert "\n" not in msg and key in msg
    assert msg.startswith(f"{f}:{line_of(bad, needle)}:"), msg


def test_broken_yaml_names_the_line(tmp_path):
    f = tmp_path / "broken.yaml"
    f.write_text("name: x\norg: [unclosed\n")
    with pytest.raises(ConfigError, match=r"broken.yaml:\d+: not valid YAML"):
        load(f)


def test_reorg_end_to_end_small_with_a_report_that_opens_in_chromium(tmp_path, capsys):
    """`cxsim-compare FILE.yaml` runs the reorg comparison; the decision report is self-contained,
    opens in headless Chromium with every plot loaded, and a bad file ends in one line."""
    import pandas as pd
    from playwright.sync_api import sync_playwright

    from cxsim.decide.compare import main

    text = (EXAMPLE.read_text().replace("days: 730", "days: 60").replace("customers: 8000", "customers: 1500")
            .replace("switch_day: 90 ", "switch_day: 20 "))
    f = tmp_path / "small.yaml"
    f.write_text(text)
    out = tmp_path / "out"
    assert main([str(f), "--samples", "3", "--seeds", "1", "--trajectories", "1", "--switch-day", "20",
                 "--jobs", "2", "--out", str(out)]) == 0
    report = out / "report"
    table = pd.read_csv(report / "robustness.csv")
    assert set(table.regime) == {"no_owner", "ceo_led", "coo_owned", "cxo_facilitator", "journey_teams"}
    assert abs(table.p_best.sum() - 1) < 1e-9
    for name in ("runs.csv", "samples.csv", "sensitivity.csv", "scenarios.csv", "transition.csv"):
        assert (report / name).exists(), name
    assert len(pd.read_csv(report / "runs.csv")) == 3 * 5
    page_text = (report / "decision.html").read_text()
    assert "Recommendation:" in page_text and "http://" not in page_text and "https://" not in page_text
    best, runner_up = table.regime.iloc[:2]  # why the recommendation beats the runner-up: the P&L bridge
    assert f"Why {best} beats {runner_up}" in page_text and "the largest lines" in page_text
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.goto((report / "decision.html").as_uri())
        page.wait_for_load_state("load")
        sizes = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])")
        assert len(sizes) == 6 and all(c and w > 100 and h > 100 for c, w, h in sizes), sizes
        assert page.locator(".summary").inner_text().startswith("Recommendation:")
        browser.close()

    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("today: no_owner", "today: anarchy"))
    assert main([str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:" in err and "Traceback" not in err
