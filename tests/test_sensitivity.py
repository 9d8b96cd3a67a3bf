"""Morris screening names the assumption that drives an outcome, and not an inert one."""

from __future__ import annotations

import pandas as pd

from cxsim.analysis.sensitivity import main


def test_morris_names_ceo_attention_for_ceo_led_and_ignores_an_inert_lever(tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text("parameters:\n  levers.ceo_attention: [0.5, 30]\n  levers.cxo_authority: [0.0, 1.0]\n"
                      "  mechanisms.customer.promoter_above: [0.7, 0.75]\n")
    rc = main(["--regimes", "ceo_led", "--outcome", "handoff_failure_rate", "--days", "150",
               "--trajectories", "4", "--seeds", "1", "--jobs", "2", "--parameters", str(params),
               "--out", str(tmp_path / "out")])
    assert rc == 0
    r = pd.read_csv(tmp_path / "out" / "morris.csv").set_index("parameter")
    assert r.index[0] == "levers.ceo_attention"
    assert r.loc["levers.ceo_attention", "mu_star"] > 0.02  # a scarce CEO: many more failures
    assert r.loc["levers.cxo_authority", "mu_star"] == 0  # no CXO under CEO-led: no effect at all
    assert (tmp_path / "out" / "morris.png").exists() and (tmp_path / "out" / "morris.svg").exists()


def test_bad_sensitivity_input_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("parameters:\n  levers.ceo_attention: [5, 1]\n")
    assert main(["--parameters", str(bad)]) == 2
    assert "levers.ceo_attention" in capsys.readouterr().err
    assert main(["--regimes", "a,b,c"]) == 2
    assert main(["--outcome", "nope", "--regimes", "ceo_led"]) == 2
