"""Same config and seed, same results: in one process and in a new one."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
from pandas.testing import assert_frame_equal

from cxsim.api import TABLES, simulate


def test_same_seed_same_run_in_process():
    a = simulate(regime="cxo_facilitator", seed=5, days=150, customers=2000)
    b = simulate(regime="cxo_facilitator", seed=5, days=150, customers=2000)
    assert_frame_equal(a.timeseries, b.timeseries)
    assert_frame_equal(a.handoffs, b.handoffs)
    assert_frame_equal(a.summary, b.summary)


def test_different_seed_different_run():
    a = simulate(seed=1, days=100, customers=2000).timeseries
    b = simulate(seed=2, days=100, customers=2000).timeseries
    assert not a.equals(b)


def test_seed_none_means_a_fresh_seed_everywhere_and_no_seed_the_configs():
    """One meaning of `seed=None` in `simulate` and `CXModel`: a fresh seed (as in Mesa), kept in the run's
    summary so it reruns; no seed at all: the config's, the same run every time."""
    from cxsim.model import CXModel

    kw = dict(days=20, customers=300)
    assert simulate(**kw).summary.seed.iloc[0] == simulate(**kw).summary.seed.iloc[0]  # the config's
    fresh = [simulate(seed=None, **kw).summary for _ in range(2)]
    assert fresh[0].seed.iloc[0] != fresh[1].seed.iloc[0]
    assert CXModel(seed=None, **kw).cfg.seed != CXModel(seed=None, **kw).cfg.seed
    again = simulate(seed=int(fresh[0].seed.iloc[0]), **kw).summary
    assert_frame_equal(again, fresh[0])


def test_same_seed_same_run_in_new_processes(tmp_path):
    """Two CLI runs in fresh interpreters (different hash seeds) write identical tables."""
    outs = []
    for i, hashseed in enumerate(("1", "2")):
        out = tmp_path / f"run{i}"
        subprocess.run([sys.executable, "-m", "cxsim.runs.cli", "regime=journey_teams", "org=telecom", "seed=7",
                        "days=120", "org.customers=1500", f"hydra.run.dir={out}"],
                       check=True, capture_output=True, env={"PYTHONHASHSEED": hashseed, "PATH": "/usr/bin:/bin"})
        outs.append(out)
    for table in TABLES:
        assert_frame_equal(pd.read_parquet(outs[0] / f"{table}.parquet"),
                           pd.read_parquet(outs[1] / f"{table}.parquet"))


def test_regimes_share_common_random_numbers():
    """The initial customer base is the same under every regime for a given seed."""
    a = simulate(regime="ceo_led", seed=4, days=1, customers=500).model
    b = simulate(regime="no_owner", seed=4, days=1, customers=500).model
    assert [c.segment.annual_value for c in a.customers[:500]] == [c.segment.annual_value for c in b.customers[:500]]


def test_the_test_sessions_library_names_one_setting_one_run():
    """The tests' shared runs (`tests/runs_library.py`) are named by what differs from the regime's config:
    a keyword, its override and the default itself name one run, and that run is the same run bit for bit;
    a setting that differs names another."""
    from runs_library import Run

    from cxsim.model import CXModel

    spellings = [Run.of("coo_owned", 3), Run.of("coo_owned", 3, service_budget=1.0, days=730),
                 Run.of("coo_owned", 3, overrides=["mechanisms.finance.service_budget=1.0", "days=730"])]
    assert len({run.name() for run in spellings}) == 1
    others = [Run.of("coo_owned", 3, service_budget=0.75), Run.of("coo_owned", 4), Run.of("no_owner", 3),
              Run.of("coo_owned", 3, org="telecom"), Run.of("coo_owned", 3, ceo_attention=2.0)]
    assert len({run.name() for run in [spellings[0], *others]}) == 1 + len(others)
    runs = [CXModel(regime="coo_owned", seed=3, days=60, service_budget=1.0),
            CXModel(regime="coo_owned", seed=3, days=60, overrides=["mechanisms.finance.service_budget=1.0"]),
            CXModel(regime="coo_owned", seed=3, days=60)]
    tables = [m.run().recorder.timeseries() for m in runs]
    for table in tables[1:]:
        assert_frame_equal(table, tables[0])
