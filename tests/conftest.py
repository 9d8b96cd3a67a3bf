"""Shared helpers: run a regime over many seeds and compare paired outcomes.

Pattern tests are statistical: every claim is checked over several seeds on
common random numbers (the same seed gives the same customers and arrivals
whatever the regime), with a one-sided paired t-test or a stated tolerance.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxsim.analysis.statistics import ci_of_mean
from cxsim.config.composition import available
from cxsim.model import CXModel
from cxsim.runs.evaluator import pool, run_one

DAYS = 365  # one year is enough for the patterns that do not involve culture


def outcomes(regime: str, seeds, days: int = DAYS, **kwargs) -> pd.DataFrame:
    """One summary row per seed, indexed by seed."""
    rows = [CXModel(regime=regime, seed=s, days=days, **kwargs).run().recorder.summary() for s in seeds]
    return pd.DataFrame(rows).set_index("seed")


def series(regime: str, seed: int, days: int = DAYS, **kwargs) -> pd.DataFrame:
    """The per-day outcomes of one run."""
    return CXModel(regime=regime, seed=seed, days=days, **kwargs).run().recorder.timeseries()


def run_summary(job: tuple) -> dict:
    """One run's summary row, for a pool: `job` = (regime, seed, CXModel keywords)."""
    regime, seed, kwargs = job
    return CXModel(regime=regime, seed=seed, **kwargs).run().recorder.summary()


def run_series(job: tuple) -> pd.DataFrame:
    """One run's daily series, for a pool: `job` = (regime, seed, CXModel keywords)."""
    regime, seed, kwargs = job
    return CXModel(regime=regime, seed=seed, **kwargs).run().recorder.timeseries()


def on_pool(fn, jobs: list, chunksize: int = 2) -> list:
    """`fn` over the jobs on two processes (a shared fixture's runs: the other xdist worker waits or works)."""
    with pool(min(2, os.cpu_count() or 1)) as workers:
        return list(workers.map(fn, jobs, chunksize=chunksize))


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


@pytest.fixture(scope="session")
def default_comparison(tmp_path_factory) -> pd.DataFrame:
    """Every regime on the default insurer, default horizon, 20 seeds, and the ablations and levers the
    tests need on the same seeds: one summary row per run; `variant` is the regime, or the ablation's
    name. Made once per test session: the first xdist worker to ask makes the runs (on two processes)
    and stores them; the other waits on a file lock and reads them (the pattern pytest-xdist documents)."""
    return shared_runs(tmp_path_factory)[0]


@pytest.fixture(scope="session")
def default_series(tmp_path_factory) -> dict[tuple[str, int], pd.DataFrame]:
    """The daily series of the default comparison's runs of the regimes in SERIES, by (regime, seed)."""
    daily = shared_runs(tmp_path_factory)[1]
    return {(regime, int(seed)): t.drop(columns=["variant", "run_seed"]).reset_index(drop=True)
            for (regime, seed), t in daily.groupby(["variant", "run_seed"])}


def shared_runs(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    return shared(tmp_path_factory, "default_comparison", make_default_comparison)


def shared(tmp_path_factory, name: str, make) -> tuple[pd.DataFrame, ...]:
    """`make()`'s tables, made once per test session: the first xdist worker to ask makes them and
    stores them; the others wait on a file lock and read them (the pattern pytest-xdist documents)."""
    folder = tmp_path_factory.getbasetemp().parent  # one folder for all workers of this session
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        paths = sorted(folder.glob(f"{name}.*.parquet"))
        if not paths:
            for i, table in enumerate(make()):
                table.to_parquet(folder / f"{name}.{i}.parquet")
            paths = sorted(folder.glob(f"{name}.*.parquet"))
        return tuple(pd.read_parquet(p) for p in paths)


def shared_object(tmp_path_factory, name: str, make):
    """`make()`'s result (any picklable object), made once per test session as `shared` makes tables."""
    import pickle

    folder = tmp_path_factory.getbasetemp().parent
    path = folder / f"{name}.pickle"
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            path.write_bytes(pickle.dumps(make()))
        return pickle.loads(path.read_bytes())


def run_keeping_series(job: tuple) -> tuple[dict, pd.DataFrame | None]:
    """`batch.run_one`, and the daily series of a run of a regime in SERIES as configured (with
    what the stylized facts read of it: `facts_row`)."""
    regime, org, seed, overrides = job
    recorder = CXModel(regime=regime, org=org, seed=seed, overrides=overrides).run().recorder
    if regime in SERIES and not overrides:
        return facts_row(recorder), recorder.timeseries()
    return recorder.summary(), None


def facts_row(recorder) -> dict:
    """A run's summary, its mean customer base, and every journey's days to resolve
    (`journey:NAME:time_to_resolve`, as the facts file names them)."""
    journeys = recorder.journey_table().set_index("journey").time_to_resolve
    return {**recorder.summary(), "active_mean": float(recorder.timeseries().active.mean()),
            **{f"journey:{name}:time_to_resolve": value for name, value in journeys.items()}}


def make_default_comparison() -> tuple[pd.DataFrame, pd.DataFrame]:
    jobs = [(r, "auto_insurer", s, []) for r in REGIMES for s in SEEDS]
    variants = [r for r in REGIMES for _ in SEEDS]
    for name, (regime, overrides) in ABLATIONS.items():
        jobs += [(regime, "auto_insurer", s, overrides) for s in SEEDS]
        variants += [name] * len(SEEDS)
    done = on_pool(run_keeping_series, jobs, chunksize=4)
    daily = pd.concat([t.assign(variant=job[0], run_seed=job[2]) for job, (_, t) in zip(jobs, done)
                       if t is not None], ignore_index=True)
    return pd.DataFrame([row for row, _ in done]).assign(variant=variants), daily


# The slow tier (`make test-fast` leaves it out): the statistical pattern tests, and the end-to-end
# tests that launch sweeps, reorg or calibration pipelines, or a browser.
SLOW_MODULES = {"test_patterns", "test_cfo_and_initiatives", "test_regimes", "test_robust", "test_calibrate",
                "test_app", "test_company",
                "test_crash_safety", "test_sweep", "test_transition", "test_crossover", "test_facts", "test_readme",
                "test_wheel"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


# ------------------------------------------- the CFO's budget round (issue 17), shared
CFO_SEEDS = range(20)
CFO_VARIANTS = {  # no owner, service on a cost-centre budget of 75%, 730 days
    "cost": [], "value": ["mechanisms.finance.cfo_view=value"], "none": ["mechanisms.finance.cfo_view=none"],
    # the loop cut: staff trimmed by the target, cost unread
    "cost_no_feedback": ["mechanisms.finance.cut_overspend=false"],
}


def run_for_cfo(job: tuple) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    variant, seed = job
    model = CXModel(regime="no_owner", seed=seed, service_budget=0.75, overrides=CFO_VARIANTS[variant])
    recorder = model.run().recorder
    service = recorder.budget_table().query("cost_centre")
    return recorder.summary(), service, recorder.timeseries() if variant == "cost" else None


def make_cfo_runs() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per run: the summary, the service desk's quarterly books, and the daily series of the cost view."""
    jobs = [(v, s) for v in CFO_VARIANTS for s in CFO_SEEDS]
    done = on_pool(run_for_cfo, jobs)
    summary = pd.DataFrame([row for row, _, _ in done]).assign(variant=[v for v, _ in jobs])
    books = pd.concat([b.assign(variant=v, run_seed=s) for (v, s), (_, b, _) in zip(jobs, done)], ignore_index=True)
    daily = pd.concat([t.assign(run_seed=s) for (v, s), (_, _, t) in zip(jobs, done) if t is not None],
                      ignore_index=True)
    return summary, books, daily


@pytest.fixture(scope="session")
def cfo_runs(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return shared(tmp_path_factory, "cfo_runs", make_cfo_runs)


# ------------------------------------------- the stylized facts, size and staffing (issue 16), shared
FACT_SEEDS = range(20)
SIZE_SEEDS = range(10)


def run_for_facts(job: tuple) -> dict:
    """`facts_row` of one run of no owner."""
    org, seed, overrides = job
    return facts_row(CXModel(regime="no_owner", org=org, seed=seed, overrides=overrides).run().recorder)


def make_facts_runs(design_insurer: pd.DataFrame) -> tuple[pd.DataFrame]:
    """No owner on both default orgs, 730 days: as designed (20 seeds), 30% understaffed (20 seeds), and
    three times the design size with staffing scaled (10 seeds). The insurer as designed is the default
    comparison's no owner (`design_insurer`: the same runs)."""
    variants = {"design": [], "understaffed": ["org.staffing=0.7"]}
    jobs, labels = [], []
    for org in ("auto_insurer", "telecom"):
        for variant, overrides in variants.items():
            if (org, variant) != ("auto_insurer", "design"):
                jobs += [(org, s, overrides) for s in FACT_SEEDS]
                labels += [variant] * len(FACT_SEEDS)
        customers = 3 * int(available_org_customers(org))
        jobs += [(org, s, [f"org.customers={customers}"]) for s in SIZE_SEEDS]
        labels += ["triple"] * len(SIZE_SEEDS)
    rows = on_pool(run_for_facts, jobs)
    design = design_insurer[design_insurer.seed.isin(FACT_SEEDS)].drop(columns="variant")
    assert len(design) == len(FACT_SEEDS) and design["active_mean"].notna().all()
    return (pd.concat([design.assign(variant="design"), pd.DataFrame(rows).assign(variant=labels)],
                      ignore_index=True),)


def available_org_customers(org: str) -> int:
    from cxsim.config.composition import compose

    return int(compose([f"org={org}"]).org.customers)


@pytest.fixture(scope="session")
def facts_runs(tmp_path_factory) -> pd.DataFrame:
    def make():
        runs = shared_runs(tmp_path_factory)[0]  # (its lock is taken inside this one's, never the reverse)
        return make_facts_runs(runs[runs.variant == "no_owner"])

    return shared(tmp_path_factory, "facts_runs", make)[0]


# ------------------------------------------- initiatives and the CEO's backing (pattern 8), shared
BACKING_SEEDS = range(20, 60)  # with the default comparison's 20: 60 seeds


def make_backing_runs() -> tuple[pd.DataFrame]:
    """A CXO at the preset's backing and at 0.3, on 40 more seeds than the default comparison's: a run
    starts about 8 initiatives, so its success rate moves in eighths and 20 seeds cannot tell 12% from
    21% at alpha 0.01 (measured under model v3)."""
    cases = {"cxo_facilitator": ("cxo_facilitator", []), "cxo_unbacked": ABLATIONS["cxo_unbacked"]}
    jobs = [(regime, "auto_insurer", s, overrides) for regime, overrides in cases.values() for s in BACKING_SEEDS]
    rows = on_pool(run_one, jobs)
    return (pd.DataFrame(rows).assign(variant=[name for name in cases for _ in BACKING_SEEDS]),)


@pytest.fixture(scope="session")
def backing_runs(tmp_path_factory) -> pd.DataFrame:
    return shared(tmp_path_factory, "backing_runs", make_backing_runs)[0]


# ------------------------------------------- pattern 1 (diffusion of responsibility), shared
DIFFUSION_LEVELS = ("group", "individual", "none")  # fitted on real groups (default), the alternative, off


def make_diffusion_runs() -> tuple[pd.DataFrame]:
    """Everyone-owns and a CEO with attention to spare (ceo_attention 100), at 6 and 18 departments
    (every department split in three), at each diffusion level of DIFFUSION_LEVELS; at the default level
    also everyone-owns without its forum and no owner; 20 seeds, one year: the handoff failure rate of
    each run, with its `level` and whether a forum could meet (`forum`)."""
    cases = [(regime, level, True) for level in DIFFUSION_LEVELS for regime in ("everyone_owns", "ceo_led")]
    cases += [("everyone_owns", "group", False), ("no_owner", "group", True)]
    jobs = [(regime, seed, dict(days=DAYS, split_departments=split, ceo_attention=100,
                                overrides=[f"mechanisms.diffusion.level={level}",
                                           f"mechanisms.governance.forum={str(forum).lower()}"]))
            for regime, level, forum in cases for split in (1, 3) for seed in SEEDS]
    rows = on_pool(run_summary, jobs)
    return (pd.DataFrame([{"regime": r, "seed": s, "split": kw["split_departments"],
                           "level": kw["overrides"][0].split("=")[1], "forum": kw["overrides"][1].endswith("true"),
                           "handoff_failure_rate": row["handoff_failure_rate"]}
                          for (r, s, kw), row in zip(jobs, rows)]),)


@pytest.fixture(scope="session")
def diffusion_runs(tmp_path_factory) -> pd.DataFrame:
    return shared(tmp_path_factory, "diffusion_runs", make_diffusion_runs)[0]


# ------------------------------------------- pattern 6 (the reorg's J-curve), shared
REORG_DISRUPTIONS = (0.5, 0.0)  # on (the default), off


def make_reorg_runs() -> tuple[pd.DataFrame]:
    """No owner switching to CEO-led on day 200, at each disruption of REORG_DISRUPTIONS, 20 seeds,
    730 days: the daily series (the runs that stay put are the default comparison's: a run with no
    reorg never reads the disruption)."""
    jobs = [("no_owner", seed, dict(days=730, overrides=[f"mechanisms.culture.reorg_disruption={d}",
                                                         "reorg.day=200", "reorg.to=ceo_led"]))
            for d in REORG_DISRUPTIONS for seed in SEEDS]
    labels = [(d, seed) for d in REORG_DISRUPTIONS for seed in SEEDS]
    daily = on_pool(run_series, jobs)
    return (pd.concat([t.assign(disruption=d, run_seed=seed) for (d, seed), t in zip(labels, daily)],
                      ignore_index=True),)


@pytest.fixture(scope="session")
def reorg_runs(tmp_path_factory) -> pd.DataFrame:
    return shared(tmp_path_factory, "reorg_runs", make_reorg_runs)[0]


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
