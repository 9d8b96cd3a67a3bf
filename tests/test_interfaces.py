"""The single-run command, the comparison command, the API, and Mesa's own tools."""

from __future__ import annotations

import subprocess
import sys

import mesa
import pandas as pd
import pytest

from cxsim.api import TABLES, simulate
from cxsim.decide.compare import main as compare_main
from cxsim.model import CXModel


def test_cli_writes_config_and_tables(tmp_path):
    p = subprocess.run([sys.executable, "-m", "cxsim.runs.cli", "regime=ceo_led", "org=auto_insurer", "seed=3",
                        "days=90", "org.customers=1000", f"hydra.run.dir={tmp_path}"],
                       capture_output=True, text=True, check=True)
    assert "regime=ceo_led" in p.stdout and "handoff failure rate" in p.stdout
    assert "Step 1 at time" not in p.stdout + p.stderr  # Mesa's per-step log is silenced
    for name in TABLES:
        assert (tmp_path / f"{name}.parquet").exists()
    assert (tmp_path / ".hydra" / "config.yaml").exists() and (tmp_path / "cxsim_config.yaml").exists()
    summary = pd.read_parquet(tmp_path / "summary.parquet")
    assert len(summary) == 1 and summary.seed.iloc[0] == 3 and summary.regime.iloc[0] == "ceo_led"
    ts = pd.read_parquet(tmp_path / "timeseries.parquet")
    assert len(ts) == 90 and ts.day.tolist() == list(range(90))


def test_cli_multirun_sweeps(tmp_path):
    subprocess.run([sys.executable, "-m", "cxsim.runs.cli", "-m", "regime=ceo_led,no_owner", "days=30",
                    "org.customers=500", f"hydra.sweep.dir={tmp_path}"], capture_output=True, check=True)
    from cxsim.runs.store import Store

    assert len(Store(tmp_path).finished_ids()) == 2  # a multirun writes into the sweep's store


def test_api_returns_tables_and_saves(tmp_path):
    r = simulate(regime="journey_teams", org="telecom", seed=2, days=60, customers=1000)
    assert set(r.handoffs.columns) >= {"from_department", "to_department", "handoffs", "failures", "failure_rate"}
    assert set(r.journeys.journey) == {"sign_up", "fault_repair", "bill_dispute", "move_house", "upgrade"}
    r.save(tmp_path)
    assert pd.read_parquet(tmp_path / "journeys.parquet").equals(r.journeys)


def a_table(regimes=("ceo_led", "no_owner", "journey_teams")) -> pd.DataFrame:
    """A comparison table as `cxsim-compare` writes it (every column of COLUMNS with its interval)."""
    from cxsim.decide.compare import COLUMNS

    rows = []
    for i, regime in enumerate(regimes):
        row = {"rank_group": i + 1, "regime": regime}
        for c in COLUMNS:
            row |= {c: 1000.0 * (3 - i), f"{c}_lo": 900.0 * (3 - i), f"{c}_hi": 1100.0 * (3 - i)}
        rows.append(row)
    return pd.DataFrame(rows)


def test_the_table_fits_the_terminal_and_keeps_the_decision_columns():
    """In 80 columns: group, regime, the metric ranked on and handoff failure always, as many more as fit,
    and a line naming the rest; --wide (width None) every column; a pipe gets no escape codes."""
    from cxsim.decide.compare import COLUMNS, render

    table = a_table()
    narrow = render(table, "value", 80)
    lines = narrow.splitlines()
    assert lines[0].split()[:4] == ["group", "regime", "value", "handoff"] and "profit" in lines[0]
    assert all(len(line) <= 80 for line in lines)
    assert "more columns in comparison.csv; --wide shows them here" in lines[-1]
    wide = render(table, "value", None)
    assert all(label in wide for label, _ in COLUMNS.values()) and "more columns" not in wide
    assert "\x1b[" not in narrow + wide
    assert render(table, "profit", 80).splitlines()[0].split()[2] == "profit"
    assert "\x1b[" in render(table, "value", 80, terminal=True)  # a terminal gets bold headers


def test_compare_prints_a_ranked_table(tmp_path, capsys):
    rc = compare_main(["--seeds", "2", "--jobs", "2", "--regimes", "ceo_led,no_owner", "--out", str(tmp_path),
                       "--no-crossover", "days=60", "org.customers=800"])  # the crossover: test_crossover.py
    assert rc == 0
    out = capsys.readouterr().out
    assert "ceo_led" in out and "no_owner" in out and "profit" in out
    table = pd.read_csv(tmp_path / "comparison.csv")
    assert set(table.regime) == {"ceo_led", "no_owner"} and (table.runs == 2).all()
    assert len(pd.read_csv(tmp_path / "runs.csv")) == 4
    assert {"rank_group", "value_vs_best", "p_vs_best"} <= set(table.columns) and table.rank_group.iloc[0] == 1
    assert any(line.startswith("group  regime") for line in out.splitlines()) and "Holm-corrected" in out
    assert "in rank groups by value (discounted at 10% a year" in out
    assert "is the best on value" in out or "not told apart on value" in out
    top = table[table.rank_group == 1].value.max()
    assert top == table.value.max()  # the groups are made on value, best first


def test_compare_ranks_on_profit_when_asked(tmp_path, capsys):
    rc = compare_main(["--seeds", "2", "--jobs", "2", "--regimes", "ceo_led,no_owner", "--out", str(tmp_path),
                       "--no-crossover", "--metric", "profit", "days=60", "org.customers=800"])
    out = capsys.readouterr().out
    table = pd.read_csv(tmp_path / "comparison.csv")
    assert rc == 0 and "in rank groups by profit" in out and "profit_vs_best" in table.columns


def test_mesa_is_imported_without_reading_the_stacks_source_and_logs_as_before():
    """`cxsim.mesa_import`: Mesa's logging helpers get their names from the frames (not from a scan of
    every module per frame), `inspect` is put back afterwards, and Mesa's loggers say what they said."""
    script = """
import inspect, io, logging
import cxsim.mesa_import
import mesa.mesa_logging, mesa.model
restored = all(f.__module__ == "inspect" and f.__code__.co_filename == inspect.__file__
               for f in (inspect.getouterframes, inspect.getmodule))
stream = io.StringIO()
logging.getLogger("MESA").addHandler(logging.StreamHandler(stream))
logging.getLogger("MESA").setLevel(logging.DEBUG)
from cxsim.model import CXModel
CXModel(days=2, customers=50)
print(restored, sorted(mesa.mesa_logging._module_loggers), "calling Model.__init__ with" in stream.getvalue())
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines() == ["True ['mesa.mesa_logging', 'mesa.model'] True"], done.stdout + done.stderr


def test_the_models_data_collector_keeps_what_mesas_own_would():
    """`DailyCollector` skips Mesa's deep copy of each day's values: the same table and steps."""
    ours = CXModel(days=60, customers=500, seed=3)
    mesas = CXModel(days=60, customers=500, seed=3)
    mesas.datacollector = mesa.DataCollector(model_reporters=mesas.datacollector.model_reporters)
    ours.run(), mesas.run()
    pd.testing.assert_frame_equal(ours.datacollector.get_model_vars_dataframe(),
                                  mesas.datacollector.get_model_vars_dataframe())
    assert ours.datacollector._collection_steps == mesas.datacollector._collection_steps == list(range(1, 61))


def test_mesa_batch_run_drives_the_model_unchanged():
    results = mesa.batch_run(CXModel, parameters={"regime": ["ceo_led", "coo_owned"], "days": 20,
                                                  "customers": 300, "ceo_attention": 5.0},
                             rng=[1], max_steps=20, number_processes=1, display_progress=False)
    assert {r["regime"] for r in results} == {"ceo_led", "coo_owned"}
    assert all(0 <= r["handoff_failure_rate"] <= 1 and r["active"] > 0 for r in results)


def test_mesa_batch_run_iterations_are_distinct_replicates_each_rerunnable_from_its_seed():
    """`iterations=3` (Mesa passes seed=None to each): three different seeds and runs, as in Mesa;
    each run's seed is in its config, and that seed reruns it exactly. The run's totals so far
    (`*_to_date`) come beside each day's values, and at the last step they are the summary's."""
    import warnings

    params = {"regime": "ceo_led", "days": 30, "customers": 300}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Mesa deprecates `iterations` for `rng=[None] * n`
        results = mesa.batch_run(CXModel, parameters=params, iterations=3, max_steps=30, number_processes=1,
                                 data_collection_period=-1, display_progress=False)
    assert len(results) == 3 and len({r["seed"] for r in results}) == 3
    assert len({(r["profit_to_date"], r["handoffs_to_date"]) for r in results}) == 3
    again = CXModel(**params, seed=results[0]["seed"]).run()
    summary = again.recorder.summary()
    assert summary["seed"] == results[0]["seed"]
    assert summary["profit"] == pytest.approx(results[0]["profit_to_date"], rel=1e-12)  # summed in another order
    counted = again.recorder.timeseries().query("day >= @again.recorder.counting_from")
    assert counted.handoffs.sum() == results[0]["handoffs_to_date"]
    assert summary["handoff_failure_rate"] == results[0]["handoff_failure_rate_to_date"]
    assert summary["churned"] == results[0]["churned_to_date"]
    assert CXModel(**params).cfg.seed == CXModel(**params).cfg.seed  # no seed at all: the config's, every time


def test_mid_run_reorg_switches_owners():
    m = CXModel(regime="no_owner", seed=1, days=40, customers=500,
                overrides=["reorg.day=20", "reorg.to=ceo_led"]).run()
    ts = m.recorder.timeseries()
    assert ts.regime.iloc[19] == "no_owner" and ts.regime.iloc[20] == "ceo_led"
    assert [o.role for o in m.governance.owners] == ["CEO"]
    assert ts.routine_fit.iloc[20] < ts.routine_fit.iloc[19]


def test_composed_configs_are_kept_per_process_as_independent_copies(tmp_path, monkeypatch):
    """compose() keeps what Hydra composed (0.3 s) and hands out copies (15 ms): a change to one
    copy does not reach the next, and an edited config file is composed again."""
    import shutil

    from cxsim.config import composition

    shutil.copytree(composition.CONFIG_DIR, tmp_path / "configs")
    monkeypatch.setattr(composition, "CONFIG_DIR", tmp_path / "configs")
    first = composition.compose(["regime=ceo_led"])
    first.days = 5
    again = composition.compose(["regime=ceo_led"])
    assert again.days == 730 and again is not first
    org = tmp_path / "configs" / "org" / "auto_insurer.yaml"
    org.write_text(org.read_text().replace("customers: 5000", "customers: 4321"))
    assert "customers: 4321" in org.read_text()
    assert composition.compose(["regime=ceo_led"]).org.customers == 4321


def test_a_composed_config_is_kept_on_disk_for_the_next_process(tmp_path, monkeypatch):
    """What Hydra composed is kept on disk (`cxsim.config.cache`): another process gets it without
    Hydra, equal key by key and with its seed resolvable; a damaged file is composed again; with
    CXSIM_CACHE_DIR=off Hydra composes."""
    import subprocess
    import sys

    from omegaconf import OmegaConf

    from cxsim.config import composition

    monkeypatch.setenv("CXSIM_CACHE_DIR", str(tmp_path / "kept"))
    composition.cached.cache_clear()
    by_hydra, composed = [], composition.composed
    monkeypatch.setattr(composition, "composed", lambda overrides: by_hydra.append(overrides) or composed(overrides))
    case = ["regime=coo_owned", "org=telecom", "days=40"]
    first = OmegaConf.to_yaml(composition.compose(case))
    assert by_hydra == [("regime=coo_owned", "org=telecom")] and len(list((tmp_path / "kept").iterdir())) == 2
    code = ("from cxsim.config import composition; composition.composed = None; "  # Hydra unreachable
            f"c = composition.compose({case!r}); print(c.days, c.seed, c.regime.name)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.split() == ["40", "1484405855", "coo_owned"], done.stderr[-2000:]
    for kept in (tmp_path / "kept").iterdir():  # damaged: one byte changed
        data = bytearray(kept.read_bytes())
        data[-1] ^= 1
        kept.write_bytes(bytes(data))
    composition.cached.cache_clear()
    assert OmegaConf.to_yaml(composition.compose(case)) == first and len(by_hydra) == 2
    monkeypatch.setenv("CXSIM_CACHE_DIR", "off")
    composition.cached.cache_clear()
    assert OmegaConf.to_yaml(composition.compose(case)) == first and len(by_hydra) == 3


def test_values_set_on_the_composed_choices_give_hydras_config(monkeypatch):
    """compose() sets plain `key=value` overrides on the config its group choices compose to; the result
    is Hydra's composition of the whole list, key by key (or the same one-line error), for every assumption
    of the uncertainty set at both ends of its range (the regimes' own with their regime chosen), every
    structural alternative and mechanism switch, and values the schema converts or refuses; and Hydra
    composes each set of group choices once, not each set of values."""
    import yaml
    from omegaconf import OmegaConf

    from cxsim.config import composition
    from cxsim.config.errors import ConfigError
    from cxsim.decide.compare import alternatives

    ranges = yaml.safe_load((composition.CONFIG_DIR / "uncertainty" / "default.yaml").read_text())
    cases = [[f"{key}={bounds[end]}" for key, bounds in ranges["mechanisms"].items()] for end in (0, 1)]
    cases += [[f"regime={regime}", *(f"{key}={bounds[end]}" for key, bounds in keys.items())]
              for regime, keys in ranges["regimes"].items() if keys for end in (0, 1)]
    cases += [[f"regime={regime}", "org=telecom", *switches] for regime, switches in
              zip(("ceo_led", "coo_owned", "no_owner", "everyone_owns", "journey_teams", "cxo_facilitator",
                   "marketing_owned"), alternatives().values(), strict=True)]
    cases += [["days=365", "org.customers=2000", "seed=3"], ["org.customers='2000'"], ["days=abc"],
              ["org.nope=1"], ["regime=coo_owned", "reorg.day=200", "reorg.to=ceo_led"], ["days=0"]]

    def outcome(make):
        try:
            return OmegaConf.to_yaml(make())
        except ConfigError as exc:
            return f"ConfigError: {exc}"

    hydra = [outcome(lambda case=case: composition.composed(tuple(case))) for case in cases]
    composition.cached.cache_clear()
    monkeypatch.setenv("CXSIM_CACHE_DIR", "off")  # what this process composes, not what another kept
    by_hydra, composed = [], composition.composed
    monkeypatch.setattr(composition, "composed", lambda overrides: by_hydra.append(overrides) or composed(overrides))
    assert [outcome(lambda case=case: composition.compose(case)) for case in cases] == hydra
    refused = {case[0] for case, text in zip(cases, hydra, strict=True) if text.startswith("ConfigError")}
    assert refused == {"days=abc", "org.nope=1", "days=0"}, refused
    choices = {tuple(o for o in case if o.split("=")[0] in ("regime", "org")) for case in cases}
    assert len(by_hydra) == len(choices) + len(refused)  # each set of choices once; each refusal in Hydra's words


def test_promises_raise_only_the_expectations_of_the_customers_they_won():
    """The customers of day 0 were won before the regime: no inflated expectation. A CMO measured on
    acquisition, short of its target (few paid prospects), inflates the promise; the customers won then
    expect it, for good. After the switch to the COO (who is not measured on acquisition) nobody pushes the
    promise: it decays, and the customers won late expect a small fraction of it."""
    m = CXModel(regime="marketing_owned", seed=2, days=240, customers=600,
                overrides=["reorg.day=60", "reorg.to=coo_owned", "org.prospects_per_day=1.0"])
    initial = len(m.customers)
    counts = []
    while m.running:
        m.step()
        counts.append(len(m.customers))  # customers created up to the end of each day
    before = [c.promised for c in m.customers[initial:counts[58]]]  # won on days 0..58, under marketing
    late = [c.promised for c in m.customers[counts[179]:]]  # won from day 180 on, under the COO
    assert before and late
    assert all(c.promised == 0.0 for c in m.customers[:initial])
    assert max(before) > 0.01 and m.promises.pressure == 0.0
    assert max(late) < 0.1 * max(before)  # 0.75 per week for 17 weeks: under 1%


def test_only_an_owner_who_does_not_answer_for_delivery_inflates_promises():
    """The CMO (little authority after the sale) is under pressure to inflate; a CEO measured on
    acquisition commands delivery too and is not; a regime with nobody measured on it has no pressure."""
    cap = CXModel(regime="marketing_owned", seed=0, days=1).mech.promises.cap
    assert 0.5 * cap < CXModel(regime="marketing_owned", seed=0, days=1).promises.pressure < cap
    assert CXModel(regime="ceo_led", seed=0, days=1,
                   overrides=["regime.owners.ceo.acquisition_kpi=true"]).promises.pressure == 0.0
    assert CXModel(regime="coo_owned", seed=0, days=1).promises.pressure == 0.0
