"""Shared helpers: run a regime over many seeds and compare paired outcomes.

Pattern tests are statistical: every claim is checked over several seeds on
common random numbers (the same seed gives the same customers and arrivals
whatever the regime), with a one-sided paired t-test or a stated tolerance.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import runs_library
from runs_library import Record, Run
from scipy import stats

from cxsim.analysis.statistics import ci_of_mean
from cxsim.config.composition import available

DAYS = 365  # one year is enough for the patterns that do not involve culture


def outcomes(regime: str, seeds, days: int = DAYS, overrides=(), **keywords) -> pd.DataFrame:
    """One summary row per seed, indexed by seed (from the session's library of runs)."""
    made = runs_library.records(None, [Run.of(regime, s, overrides=overrides, days=days, **keywords) for s in seeds])
    return pd.DataFrame([record.summary for record in made]).set_index("seed")


def series(regime: str, seed: int, days: int = DAYS, overrides=(), **keywords) -> pd.DataFrame:
    """The per-day outcomes of one run (from the session's library of runs)."""
    (record,) = runs_library.records(None, [Run.of(regime, seed, overrides=overrides, days=days, **keywords)])
    return record.daily


def paired(a: pd.Series, b: pd.Series) -> tuple[float, float, float]:
    """Mean of a - b over seeds, and the 95% CI of that mean (t)."""
    d = (a - b).astype(float)
    return (float(d.mean()), *ci_of_mean(d))


def greater(a: pd.Series, b: pd.Series, alpha: float = 0.01) -> bool:
    """One-sided paired t-test: is a greater than b over seeds?"""
    d = (a - b).astype(float)
    if np.allclose(d, d.iloc[0]):
        return bool(d.iloc[0] > 0)
    return bool(stats.ttest_1samp(d, 0.0, alternative="greater").pvalue < alpha)


def equivalent(d: pd.Series, margin: float, alpha: float = 0.05) -> bool:
    """Equivalence (TOST, paired): is the mean of d within +-margin? Both one-sided
    t-tests must reject at alpha, i.e. the (1 - 2 alpha) CI lies inside the margin."""
    d = np.asarray(d, dtype=float)
    below = stats.ttest_1samp(d, -margin, alternative="greater").pvalue
    above = stats.ttest_1samp(d, margin, alternative="less").pvalue
    return bool(max(below, above) < alpha)


@pytest.fixture(scope="session")
def seeds():
    return range(8)


@pytest.fixture(scope="session")
def many_seeds():
    """The evidence standard of the model's second generation: >= 20 seeds."""
    return range(20)


# ------------------------------------------------- the default comparison, shared
SEEDS = range(20)
REGIMES = [r for r in available("regime") if not r.endswith("_schema")]
ABLATIONS = {
    "no_deputy": ("ceo_with_cxo", ["regime.owners.ceo.deputy.role=null"]),
    "no_conflict": ("rival_owners", ["mechanisms.governance.conflicting_directives=false"]),
    "fifo": ("ceo_led", ["mechanisms.governance.triage=false"]),
    "ceo_ample": ("ceo_led", ["levers.ceo_attention=12"]),  # pattern 2
    "ceo_scarce": ("ceo_led", ["levers.ceo_attention=0.5"]),
    "no_acquisition_kpi": ("marketing_owned", ["regime.owners.cmo.acquisition_kpi=false"]),
    "no_initiatives": ("ceo_led", ["mechanisms.initiatives.enabled=false"]),  # issue 17: the portfolio off
    "cxo_unbacked": ("cxo_facilitator", ["levers.cxo_backing=0.3"]),  # programmes without the CEO's backing
    "cxo_full_authority": ("cxo_facilitator", ["levers.cxo_authority=1.0"]),
    "teams_without_identity": ("journey_teams", ["mechanisms.diffusion.cohesion=0"]),  # model v3: cohesion off
    "no_forum": ("everyone_owns", ["mechanisms.governance.forum=false"]),  # model v3: nobody coordinates
}


SERIES = ("coo_owned", "no_owner")  # their daily series are kept too: the cost-centre trap's uncut runs


@pytest.fixture(scope="session", autouse=True)
def runs_library_folder(tmp_path_factory):
    """The session's one library of runs (`runs_library`), in the folder all xdist workers share."""
    runs_library.FOLDER = tmp_path_factory.getbasetemp().parent


def library(tmp_path_factory, runs: list[Run]) -> list[Record]:
    """The runs asked for, from the session's one library of runs (`runs_library`): each made once
    whichever fixture or test asks for it first."""
    return runs_library.records(tmp_path_factory.getbasetemp().parent, runs)


@pytest.fixture(scope="session")
def default_comparison(tmp_path_factory) -> pd.DataFrame:
    """Every regime on the default insurer, default horizon, 20 seeds, and the ablations and levers the
    tests need on the same seeds: one summary row per run; `variant` is the regime, or the ablation's
    name (the rows of the regimes in SERIES carry what the stylized facts read: `Record.facts_row`)."""
    return default_runs(tmp_path_factory)[0]


@pytest.fixture(scope="session")
def default_series(tmp_path_factory) -> dict[tuple[str, int], pd.DataFrame]:
    """The daily series of the default comparison's runs of the regimes in SERIES, by (regime, seed)."""
    return default_runs(tmp_path_factory)[1]


def default_runs(tmp_path_factory) -> tuple[pd.DataFrame, dict[tuple[str, int], pd.DataFrame]]:
    cases = [(r, r, []) for r in REGIMES] + [(name, r, o) for name, (r, o) in ABLATIONS.items()]
    made = library(tmp_path_factory, [Run.of(regime, s, overrides=o) for _, regime, o in cases for s in SEEDS])
    jobs = [(name, regime, bool(o), s) for name, regime, o in cases for s in SEEDS]
    rows = [record.facts_row() if regime in SERIES and not changed else record.summary
            for (_, regime, changed, _), record in zip(jobs, made)]
    daily = {(regime, s): record.daily for (_, regime, changed, s), record in zip(jobs, made)
             if regime in SERIES and not changed}
    return pd.DataFrame(rows).assign(variant=[name for name, *_ in jobs]), daily


# The slow tier (`make test-fast` leaves it out): the statistical pattern tests, and the end-to-end
# tests that launch sweeps, reorg or calibration pipelines, or a browser.
SLOW_MODULES = {"test_patterns", "test_cfo_and_initiatives", "test_regimes", "test_robust", "test_calibrate",
                "test_app", "test_company",
                "test_crash_safety", "test_sweep", "test_transition", "test_crossover", "test_facts", "test_readme",
                "test_wheel"}


def pytest_collection_finish(session):
    """What collection imported (pytest, the test modules, pandas, the model) is kept for the session:
    frozen out of the collector's full passes (`gc.freeze`), which otherwise walk all of it each time a
    test's objects set one off (7% of the fast tier's CPU, measured with `gc.callbacks`)."""
    gc.freeze()


def pytest_configure(config):
    """The session's own cache of composed configs (`cxsim.config.cache`): shared by the xdist workers
    and every process the tests start (they inherit it), empty at the start, the user's left alone."""
    if not hasattr(config, "workerinput"):  # the controller, before the workers start
        os.environ["CXSIM_CACHE_DIR"] = tempfile.mkdtemp(prefix="cxsim-composed-")


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput"):
        shutil.rmtree(os.environ.pop("CXSIM_CACHE_DIR", ""), ignore_errors=True)


# The longest tests first (seconds of a worker, `--durations`, session 22), so that the two xdist workers
# end together on short tests rather than one waiting for the other's long one: xdist hands out the
# tests one by one in this order (`--dist loadgroup --no-loadscope-reorder`, pyproject.toml), except
# that a module with a module- or class-scoped fixture goes to one worker whole (GROUPED: split, its
# fixture would be made on both). Only the schedule: a test missing here, or one that got faster,
# costs time, never a result. A shared fixture's runs are paid by the first test that asks for them,
# so that test is named.
LONGEST_FIRST = (
    "test_readme.py::test_a_documented_block_of_commands_runs[docs/tutorials/strategist.md]",  # 160 s
    "test_patterns.py::test_diffusion_everyone_owns_loses_ground",  # 161 s: the diffusion runs
    "test_cfo_and_initiatives.py::test_initiatives_lower_failure_demand",  # 140 s: the default comparison
    "test_lessons.py::",  # 99 + 24 s (a whole module: its module-scoped fixtures are made once)
    "test_readme.py::test_a_documented_block_of_commands_runs[docs/tutorials/company.md]",  # 92 s
    "test_wheel.py::",  # 40 + 27 + 20 + 14 + 12 s
    "test_readme.py::test_a_documented_block_of_commands_runs[docs/tutorials/teacher.md]",  # 35 s
    "test_facts.py::test_the_defaults_reproduce_every_stylized_fact[auto_insurer-front_line_failure_demand_share]",
    "test_calibrate.py::test_the_default_sequential_fit_recovers_the_insurers_friction",  # 34 s
    "test_calibrate.py::test_calibrate_end_to_end_resumes_and_feeds_the_reorg",  # 34 s
    "test_robust.py::test_when_ceo_attention_straddles_the_crossover",  # 33 s
    "test_cfo_and_initiatives.py::test_the_cost_view_cuts_the_desk",  # 30 s: the CFO's runs
    "test_readme.py::test_a_documented_block_of_commands_runs[docs/own-files.md]",  # 30 s
    "test_robust.py::test_an_ample_ceo_with_powerless_rivals",  # 30 s
    "test_readme.py::test_a_documented_block_of_commands_runs[docs/calibration/README.md]",  # 29 s
    "test_calibrate.py::test_known_parameters_are_recovered",  # 31 s
)


GROUPED = {"test_app", "test_crash_safety", "test_explain", "test_lessons", "test_regimes", "test_report",
           "test_wheel"}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1]
        if module in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        if module in GROUPED:
            item.add_marker(pytest.mark.xdist_group(module))

    def rank(item) -> int:
        return next((i for i, name in enumerate(LONGEST_FIRST) if name in item.nodeid), len(LONGEST_FIRST))

    items.sort(key=rank)  # stable: the rest keep pytest's order


# ------------------------------------------- the CFO's budget round (issue 17), shared
CFO_SEEDS = range(20)
CFO_VARIANTS = {  # no owner, service on a cost-centre budget of 75%, 730 days
    "cost": [], "value": ["mechanisms.finance.cfo_view=value"], "none": ["mechanisms.finance.cfo_view=none"],
    # the loop cut: staff trimmed by the target, cost unread
    "cost_no_feedback": ["mechanisms.finance.cut_overspend=false"],
}


@pytest.fixture(scope="session")
def cfo_runs(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per run: the summary, the service desk's quarterly books, and the daily series of the cost view."""
    jobs = [(v, s) for v in CFO_VARIANTS for s in CFO_SEEDS]
    made = library(tmp_path_factory, [Run.of("no_owner", s, overrides=CFO_VARIANTS[v], service_budget=0.75)
                                      for v, s in jobs])
    summary = pd.DataFrame([record.summary for record in made]).assign(variant=[v for v, _ in jobs])
    books = pd.concat([record.books.query("cost_centre").assign(variant=v, run_seed=s)
                       for (v, s), record in zip(jobs, made)], ignore_index=True)
    daily = pd.concat([record.daily.assign(run_seed=s) for (v, s), record in zip(jobs, made) if v == "cost"],
                      ignore_index=True)
    return summary, books, daily


# ------------------------------------------- the stylized facts, size and staffing (issue 16), shared
FACT_SEEDS = range(20)
SIZE_SEEDS = range(10)


@pytest.fixture(scope="session")
def facts_runs(tmp_path_factory) -> pd.DataFrame:
    """No owner on both default orgs, 730 days: as designed (20 seeds; on the insurer, the default
    comparison's runs), 30% understaffed (20 seeds), and three times the design size with staffing
    scaled (10 seeds): `Record.facts_row` of each run, with its `variant`."""
    variants = {"design": [], "understaffed": ["org.staffing=0.7"]}
    runs, labels = [], []
    for org in ("auto_insurer", "telecom"):
        for variant, overrides in variants.items():
            runs += [Run.of("no_owner", s, org, overrides) for s in FACT_SEEDS]
            labels += [variant] * len(FACT_SEEDS)
        customers = 3 * int(available_org_customers(org))
        runs += [Run.of("no_owner", s, org, [f"org.customers={customers}"]) for s in SIZE_SEEDS]
        labels += ["triple"] * len(SIZE_SEEDS)
    rows = [record.facts_row() for record in library(tmp_path_factory, runs)]
    return pd.DataFrame(rows).assign(variant=labels)


def available_org_customers(org: str) -> int:
    from cxsim.config.composition import compose

    return int(compose([f"org={org}"]).org.customers)


# ------------------------------------------- initiatives and the CEO's backing (pattern 8), shared
BACKING_SEEDS = range(20, 60)  # with the default comparison's 20: 60 seeds


@pytest.fixture(scope="session")
def backing_runs(tmp_path_factory) -> pd.DataFrame:
    """A CXO at the preset's backing and at 0.3, on 40 more seeds than the default comparison's: a run
    starts about 8 initiatives, so its success rate moves in eighths and 20 seeds cannot tell 12% from
    21% at alpha 0.01 (measured under model v3)."""
    cases = {"cxo_facilitator": ("cxo_facilitator", []), "cxo_unbacked": ABLATIONS["cxo_unbacked"]}
    made = library(tmp_path_factory, [Run.of(regime, s, overrides=overrides)
                                      for regime, overrides in cases.values() for s in BACKING_SEEDS])
    return pd.DataFrame([record.summary for record in made]).assign(
        variant=[name for name in cases for _ in BACKING_SEEDS])


# ------------------------------------------- pattern 1 (diffusion of responsibility), shared
DIFFUSION_LEVELS = ("group", "individual", "none")  # fitted on real groups (default), the alternative, off


@pytest.fixture(scope="session")
def diffusion_runs(tmp_path_factory) -> pd.DataFrame:
    """Everyone-owns and a CEO with attention to spare (ceo_attention 100), at 6 and 18 departments
    (every department split in three), at each diffusion level of DIFFUSION_LEVELS; at the default level
    also everyone-owns without its forum and no owner; 20 seeds, one year: the handoff failure rate of
    each run, with its `level` and whether a forum could meet (`forum`)."""
    cases = [(regime, level, True) for level in DIFFUSION_LEVELS for regime in ("everyone_owns", "ceo_led")]
    cases += [("everyone_owns", "group", False), ("no_owner", "group", True)]
    jobs = [(regime, level, forum, split, seed) for regime, level, forum in cases for split in (1, 3) for seed in SEEDS]
    made = library(tmp_path_factory, [
        Run.of(regime, seed, overrides=[f"mechanisms.diffusion.level={level}",
                                        f"mechanisms.governance.forum={str(forum).lower()}"],
               days=DAYS, split_departments=split, ceo_attention=100)
        for regime, level, forum, split, seed in jobs])
    return pd.DataFrame([{"regime": regime, "seed": seed, "split": split, "level": level, "forum": forum,
                          "handoff_failure_rate": record.summary["handoff_failure_rate"]}
                         for (regime, level, forum, split, seed), record in zip(jobs, made)])


# ------------------------------------------- pattern 6 (the reorg's J-curve), shared
REORG_DISRUPTIONS = (0.5, 0.0)  # on (the default), off


@pytest.fixture(scope="session")
def reorg_runs(tmp_path_factory) -> pd.DataFrame:
    """No owner switching to CEO-led on day 200, at each disruption of REORG_DISRUPTIONS, 20 seeds,
    730 days: the daily series (the runs that stay put are the default comparison's: a run with no
    reorg never reads the disruption)."""
    jobs = [(d, seed) for d in REORG_DISRUPTIONS for seed in SEEDS]
    made = library(tmp_path_factory, [
        Run.of("no_owner", seed, overrides=[f"mechanisms.culture.reorg_disruption={d}", "reorg.day=200",
                                            "reorg.to=ceo_led"], days=730) for d, seed in jobs])
    return pd.concat([record.daily.assign(disruption=d, run_seed=seed) for (d, seed), record in zip(jobs, made)],
                     ignore_index=True)


# ------------------------------------------- artefacts named at the end of the run
SESSION_START = time.time()


def pytest_terminal_summary(terminalreporter):
    """Name the browser tests' screenshots and the app's start time (tests/test_app.py writes them;
    a passing test's own output is not shown, least of all from an xdist worker)."""
    folder = Path(os.environ.get("CXSIM_ARTIFACTS", Path(__file__).resolve().parents[1] / "test-artifacts")) / "app"
    shots = sorted(p for p in folder.glob("*.png") if p.stat().st_mtime >= SESSION_START)  # this run's only
    if shots:
        terminalreporter.write_sep("-", "classroom app artefacts")
        start = folder / "start_seconds.txt"
        if start.exists():
            terminalreporter.write_line(f"cxsim-app: {start.read_text().strip()}")
        for shot in shots:
            terminalreporter.write_line(f"screenshot: {shot}")
