"""Untrusted names (issue 7, part): names from users' files never become paths as they are, and are escaped in HTML."""

from __future__ import annotations

import html
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.analysis.report import build
from cxsim.api import Result, simulate
from cxsim.config.composition import CONFIG_DIR
from cxsim.config.errors import ConfigError
from cxsim.config.names import file_name
from cxsim.decide.company import load as load_company
from cxsim.model import CXModel
from cxsim.runs.store import Store, run_id

EVIL_ORG = "../../escaped/<img src=x onerror=alert(1)>\"'é"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.text(max_size=80))
def test_file_names_are_safe_and_keep_names_apart(a, b):
    fa = file_name(a)
    assert "/" not in fa and "\\" not in fa and not fa.startswith(".") and fa.isascii() and fa
    if a != b:
        assert fa != file_name(b)
    assert file_name("auto_insurer") == "auto_insurer"  # plain names stay readable


def test_a_hostile_org_name_stays_inside_the_report_and_is_escaped(tmp_path):
    folder = tmp_path / "sweep"
    store = Store(folder)
    for seed in range(2):
        coords = {"regime": "ceo_led", "replicate": str(seed)}
        result = simulate(regime="ceo_led", seed=seed, days=20, customers=300,
                          overrides=[f"org.name='{EVIL_ORG.replace(chr(39), '')}'"])
        store.write(run_id(coords), result, coords, {"seed": seed, "replicate": seed})
    page = build(folder).read_text()
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(folder in p.parents for p in written), written  # nothing escaped the sweep folder
    assert "<img src=x" not in page and html.escape("<img src=x onerror=alert(1)>") in page


def test_a_hostile_org_name_in_a_single_run_stays_under_outputs(tmp_path):
    p = subprocess.run([sys.executable, "-m", "cxsim.runs.cli", "days=5", "org.customers=100",
                        "org.name='../../x/<b>'"], capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    made = [q for q in tmp_path.rglob("*") if q.is_file()]
    assert made and all((tmp_path / "outputs") in q.parents for q in made), made


def test_an_unwritable_output_folder_is_refused_in_one_line_before_any_run(tmp_path):
    """A file where the output folder should be: each command names the folder, no traceback, no work lost."""
    blocker = tmp_path / "a_file"
    blocker.write_text("in the way")
    commands = [
        ["-m", "cxsim.runs.cli", "-m", "days=5", "org.customers=100", f"hydra.sweep.dir={blocker}/sweep"],
        ["-m", "cxsim.decide.compare", "--seeds", "2", "--regimes", "ceo_led", "--out", f"{blocker}/c", "days=5"],
        ["-m", "cxsim.analysis.report", str(tmp_path), "--out", f"{blocker}/r"],
    ]
    (tmp_path / "runs").mkdir()  # a sweep folder for the report command
    for args in commands:
        p = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=tmp_path)
        assert p.returncode == 2, (args, p.stderr)
        assert "cannot write results here" in p.stderr and str(blocker) in p.stderr, p.stderr
        assert "Traceback" not in p.stderr


HOSTILE = {"marketing": "<img src=x onerror=alert(1)>", "claims": 'Claims "$\\frac{" ✓ Служба',
           "service": "../../etc/passwd", "finance": "fin\\ance' OR '1'='1"}


def hostile_company(tmp_path) -> Path:
    """The auto insurer with hostile department, journey and org names (HTML, quotes, maths, paths, unicode)."""
    org = yaml.safe_load((CONFIG_DIR / "org" / "auto_insurer.yaml").read_text())
    org["name"] = "<script>alert('org')</script> $x^$"
    org["departments"] = {HOSTILE.get(k, k): v for k, v in org["departments"].items()}
    journeys = {}
    for name, journey in org["journeys"].items():
        for stage in journey["stages"]:
            stage["department"] = HOSTILE.get(stage["department"], stage["department"])
        if journey.get("lead"):
            journey["lead"] = HOSTILE.get(journey["lead"], journey["lead"])
        journeys[f"<b>{name}</b> ../{name}"] = journey
    org["journeys"] = journeys
    org["failure_journey"] = f"<b>{org['failure_journey']}</b> ../{org['failure_journey']}"
    org["customers"] = 500
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump({"name": "hostile", "org": org, "today": "no_owner", "candidates": ["ceo_led"],
                                    "days": 30}, allow_unicode=True))
    return path


def test_hostile_department_and_journey_names_are_drawn_as_text_and_escaped_in_the_report(tmp_path):
    from cxsim.app.charts import charts_figure, heatmap_figure, png_bytes
    from cxsim.app.picture import inline_svg, organisation_figure

    config = load_company(hostile_company(tmp_path)).config
    assert HOSTILE["marketing"] in config.org.departments
    folder, store = tmp_path / "sweep", Store(tmp_path / "sweep")
    for seed in range(2):
        model = CXModel(config=config, seed=seed).run()
        for figure in (heatmap_figure, charts_figure):  # "$" is not maths: no error
            assert png_bytes(figure(model))[:4] == b"\x89PNG"
        svg = inline_svg(organisation_figure(model))  # names are drawn as glyph outlines: no markup from them
        assert "<img" not in svg and "<script" not in svg and HOSTILE["marketing"] not in svg
        coords = {"replicate": str(seed)}
        store.write(run_id(coords), Result.of(model), coords, {"seed": seed, "replicate": seed})
    page = build(folder).read_text()
    assert "<img src=x" not in page and "<script>" not in page and "<b>buy_policy" not in page
    assert html.escape(config.org.name) in page  # in the headings, escaped; department names only in pictures
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(tmp_path in p.parents for p in written) and not any("passwd" in str(p) for p in written)


def test_a_company_file_may_not_read_the_environment(tmp_path):
    path = tmp_path / "env.yaml"
    path.write_text("name: x\norg:\n  name: ${oc.env:HOME}\ntoday: no_owner\ncandidates: [ceo_led]\n")
    with pytest.raises(ConfigError, match=r"env.yaml:3: org.name: '\$\{...\}' is not allowed"):
        load_company(path)
