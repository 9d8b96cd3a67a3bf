"""Untrusted names (issue 7, part): names from users' files never become paths as they are, and are escaped in HTML."""

from __future__ import annotations

import html
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.api import simulate
from cxsim.names import file_name
from cxsim.report import build
from cxsim.store import Store, run_id

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
    p = subprocess.run([sys.executable, "-m", "cxsim.cli", "days=5", "org.customers=100",
                        "org.name='../../x/<b>'"], capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    made = [q for q in tmp_path.rglob("*") if q.is_file()]
    assert made and all((tmp_path / "outputs") in q.parents for q in made), made


def test_an_unwritable_output_folder_is_refused_in_one_line_before_any_run(tmp_path):
    """A file where the output folder should be: each command names the folder, no traceback, no work lost."""
    blocker = tmp_path / "a_file"
    blocker.write_text("in the way")
    commands = [
        ["-m", "cxsim.cli", "-m", "days=5", "org.customers=100", f"hydra.sweep.dir={blocker}/sweep"],
        ["-m", "cxsim.compare", "--seeds", "2", "--regimes", "ceo_led", "--out", f"{blocker}/c", "days=5"],
        ["-m", "cxsim.report", str(tmp_path), "--out", f"{blocker}/r"],
    ]
    (tmp_path / "runs").mkdir()  # a sweep folder for the report command
    for args in commands:
        p = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=tmp_path)
        assert p.returncode == 2, (args, p.stderr)
        assert "cannot write results here" in p.stderr and str(blocker) in p.stderr, p.stderr
        assert "Traceback" not in p.stderr
