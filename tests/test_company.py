"""A company's own file: the worked example loads; mistakes name the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxsim.company import load
from cxsim.errors import ConfigError
from cxsim.model import CXModel

EXAMPLE = Path(__file__).parent.parent / "examples" / "mid_size_insurer.yaml"


def test_worked_example_loads_and_runs():
    c = load(EXAMPLE)
    assert c.today == "no_owner" and "ceo_led" in c.candidates
    assert c.uncertain["levers.ceo_attention"] == (2.0, 10.0)
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
    ("  levers.ceo_attention: [2, 10]", "  levers.ceo_atention: [2, 10]",
     "uncertain.levers.ceo_atention", "ceo_atention"),
    ("    standard: {share: 0.8,", "    standard: {share: 0.5,", "org.segments", "segments:"),
    ("seeds: 3 ", "seed: 3 ", "seed", "seed: 3"),
    ("  customers: 8000", "  customers: lots", "org.customers", "customers: lots"),
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


def test_cxsim_reorg_end_to_end_small(tmp_path, capsys):
    import pandas as pd

    from cxsim.reorg import main

    text = EXAMPLE.read_text().replace("days: 730", "days: 60").replace("customers: 8000", "customers: 1500")
    f = tmp_path / "small.yaml"
    f.write_text(text)
    assert main([str(f), "--samples", "2", "--seeds", "1", "--switch-day", "20", "--jobs", "2",
                 "--out", str(tmp_path / "out")]) == 0
    table = pd.read_csv(tmp_path / "out" / "robustness.csv")
    assert set(table.regime) == {"no_owner", "ceo_led", "coo_owned", "cxo_facilitator", "journey_teams"}
    assert abs(table.p_best.sum() - 1) < 1e-9
    assert (tmp_path / "out" / "transition.csv").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("today: no_owner", "today: anarchy"))
    assert main([str(bad)]) == 2
    assert "bad.yaml:" in capsys.readouterr().err
