"""docs/model.md stays true: every parameter in the schema is described there."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from cxsim.config import schema

DOC = (Path(__file__).parent.parent / "docs" / "model.md").read_text()


def fields(cls) -> list[str]:
    out = []
    for f in dataclasses.fields(cls):
        out.append(f.name)
    return out


SECTIONS = [schema.HandoffCfg, schema.EscalationCfg, schema.GovernanceCfg, schema.DiffusionCfg,
            schema.AccountabilityCfg, schema.CultureCfg, schema.CustomerCfg, schema.FinanceCfg,
            schema.RegimeCfg, schema.OwnerCfg, schema.JourneyLeadCfg]


@pytest.mark.parametrize("cls", SECTIONS, ids=lambda c: c.__name__)
def test_every_parameter_is_documented(cls):
    missing = [name for name in fields(cls) if not re.search(rf"\b{name}\b", DOC)]
    assert not missing, f"{cls.__name__}: not in docs/model.md: {missing}"


def test_every_documented_default_matches_the_config():
    """Spot-check: the defaults quoted in the doc are the config's."""
    from cxsim.config.composition import compose
    m = compose([]).mechanisms
    for text, value in [("(`act_prob` = 0.8", m.diffusion.act_prob), ("`beta` = 0.58", m.diffusion.beta),
                        ("`gamma` = 0.62", m.diffusion.gamma), ("`consensus` 0.9", m.governance.consensus),
                        ("`exception_rate` (0.10", m.escalation.exception_rate),
                        ("(`governance.persuasion` = 0.4)", m.governance.persuasion),
                        ("`base_friction` (0.20)", m.handoff.base_friction),
                        ("`neglect_drift` (0.03)", m.handoff.neglect_drift)]:
        assert text in DOC, text
        assert str(value) in text.replace("0.10", "0.1").replace("0.20", "0.2"), text


def test_every_lesson_has_a_teachers_guide():
    from cxsim.config.composition import CONFIG_DIR

    lessons = sorted((CONFIG_DIR / "lesson").glob("*.yaml"))
    assert len(lessons) >= 9
    guide = (Path(__file__).parent.parent / "docs" / "lessons.md").read_text()
    for lesson in lessons:
        assert f"(`{lesson.stem}`)" in guide, lesson.stem


def test_every_outcome_a_company_can_measure_is_listed_by_name():
    """The observed-data file and a company's targets name outcomes; the doc lists every one."""
    from cxsim.api import outcome_names
    from cxsim.calibration.observed import NOT_MEASURES

    missing = [name for name in outcome_names() - NOT_MEASURES if f"`{name}`" not in DOC]
    assert not missing, f"outcomes not listed in docs/model.md: {missing}"


def python_blocks(path: Path) -> list[str]:
    """The fenced ```python blocks of a Markdown file."""
    return re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S)


DRIVERS = Path(__file__).parent.parent / "docs" / "drivers.md"


@pytest.mark.parametrize("block", range(len(python_blocks(DRIVERS))),
                         ids=["batch_run", "ema_workbench", "salib"][:len(python_blocks(DRIVERS))])
def test_every_example_of_driving_cxsim_from_other_tools_runs_as_written(block):
    """Each example of docs/drivers.md in a fresh interpreter, as a reader would paste it (its own
    asserts check what it shows)."""
    import subprocess
    import sys

    code = python_blocks(DRIVERS)[block]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          cwd=DRIVERS.parent.parent)
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_teachers_guide_says_what_each_lesson_file_says():
    """docs/lessons.md repeats each lesson's `observe` text and its question to discuss word for word
    (the lesson file's checks back that text: tests/test_lessons.py), so the guide cannot drift."""
    import yaml

    from cxsim.config.composition import CONFIG_DIR

    guide = " ".join((Path(__file__).parent.parent / "docs" / "lessons.md").read_text().split())
    for path in sorted((CONFIG_DIR / "lesson").glob("*.yaml")):
        lesson = yaml.safe_load(path.read_text())
        assert f"(`{path.stem}`)" in guide, path.stem
        assert " ".join(lesson["observe"].split()) in guide, path.stem
        assert " ".join(lesson["discuss"].split()) in guide, path.stem


def test_the_sites_front_page_gives_the_readmes_two_commands():
    """docs/index.md (the site's front page) and README.md say the same about the two commands (their
    times included): the site's page once kept times three sessions old."""
    root = Path(__file__).parent.parent

    def two_commands(page: str) -> str:
        text = (root / page).read_text()
        return re.search(r"```bash\n(make compare.*?)```", text, flags=re.S).group(1)

    assert two_commands("docs/index.md") == two_commands("README.md")
