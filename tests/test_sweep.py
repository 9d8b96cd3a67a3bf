"""Sweeps: the same under every launcher, failures recorded without stopping
the sweep, clear errors for bad names (kills and full disks: test_crash_safety)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from cxsim.config.composition import CONFIG_DIR, EXPERIMENTS_DIR
from cxsim.config.resolvers import derived_seed
from cxsim.runs.store import Store

SMALL = ["days=40", "org.customers=400"]


def sweep(folder: Path, *args: str, wait: bool = True):
    cmd = [sys.executable, "-m", "cxsim.runs.cli", "-m", *args, *SMALL, f"hydra.sweep.dir={folder}"]
    if not wait:
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    return subprocess.run(cmd, capture_output=True, text=True)


def summaries(folder: Path) -> pd.DataFrame:
    return Store(folder).table("summary").sort_values("run_id").reset_index(drop=True)


GRID = ["regime=ceo_led,no_owner", "replicate=range(0,8)", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]


def test_basic_and_joblib_launchers_give_identical_runs(tmp_path):
    grid = ["regime=coo_owned,everyone_owns", "replicate=0,1"]
    assert sweep(tmp_path / "basic", *grid, "hydra/launcher=basic").returncode == 0
    assert sweep(tmp_path / "joblib", *grid, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2").returncode == 0
    a, b = summaries(tmp_path / "basic"), summaries(tmp_path / "joblib")
    assert len(a) == 4
    assert_frame_equal(a, b)


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path):
    p = sweep(tmp_path, "mechanisms.handoff.base_friction=0.1,2.0", "replicate=0")
    assert p.returncode == 0, p.stderr
    store = Store(tmp_path)
    assert len(store.finished_ids()) == 1
    failed = store.failures()
    assert len(failed) == 1 and "mechanisms.handoff.base_friction" in failed.error.iloc[0]
    assert failed["coord.mechanisms.handoff.base_friction"].iloc[0] == "2.0"


def test_seeds_derive_from_master_seed_and_replicate_not_regime(tmp_path):
    assert sweep(tmp_path, "regime=ceo_led,no_owner", "replicate=0,1", "master_seed=7").returncode == 0
    s = summaries(tmp_path)
    by = s.groupby("coord.replicate").seed.nunique()
    assert (by == 1).all()  # every regime gets the replicate's seed: common random numbers
    assert set(s.seed) == {derived_seed(7, 0), derived_seed(7, 1)}
    assert derived_seed(7, 0) != derived_seed(8, 0)


def test_named_experiment_and_bad_names(tmp_path):
    from cxsim.runs.cli import sweep_main as main

    assert main(["no_such_experiment"]) == 2
    p = subprocess.run([sys.executable, "-m", "cxsim.runs.cli", "-m", "+experiments=no_such",
                        f"hydra.sweep.dir={tmp_path}"],
                       capture_output=True, text=True)
    assert p.returncode != 0 and "no_such" in p.stderr and "Traceback" not in p.stderr
    p = sweep(tmp_path / "bad", "regime=ceo_led", "bogus_key=1")
    assert p.returncode != 0 and "bogus_key" in p.stderr and "Traceback" not in p.stderr


@pytest.mark.parametrize("name", ["regime_showdown", "org_size", "ceo_attention", "cxo_authority",
                                  "accountability", "service_budget"])
def test_every_named_experiment_composes(name):
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from cxsim.config import schema
    from cxsim.config.composition import CONFIG_DIR

    schema.register()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
        cfg = compose("config", overrides=[f"+experiments={name}"], return_hydra_config=True)
    assert cfg.experiment == name
    assert cfg.hydra.sweep.dir == f"multirun/{name}"
    assert "joblib" in cfg.hydra.launcher._target_.lower()
    assert "replicate" in cfg.hydra.sweeper.params


def test_a_rerun_with_other_settings_is_reported_alone(tmp_path):
    """The folder keeps old runs, but tables and the report read the latest sweep's."""
    assert sweep(tmp_path, "regime=ceo_led", "replicate=0,1").returncode == 0
    done = sweep(tmp_path, "regime=ceo_led", "replicate=0,1", "mechanisms.escalation.exception_rate=0.2")
    assert done.returncode == 0
    store = Store(tmp_path)
    assert len(store.finished_ids()) == 4
    latest = store.table("summary")
    assert len(latest) == 2 and (latest["coord.mechanisms.escalation.exception_rate"] == "0.2").all()
    assert len(store.table("summary", everything=True)) == 4
    # rerunning the first sweep selects its two runs again, without running them
    p = sweep(tmp_path, "regime=ceo_led", "replicate=0,1")
    assert p.returncode == 0 and "2 runs done, 0 failed, of 2" in p.stderr
    assert "coord.mechanisms.escalation.exception_rate" not in store.table("summary")


def test_many_values_of_a_config_group_are_looked_up_not_all_composed_before_the_launch(tmp_path):
    """Twelve sampled-assumption files (`+sample=...`, as a calibration writes): a missing twelfth is
    refused before any run, naming it; a broken twelfth (a key the schema lacks) is composed only where
    its job runs: the sweep stops there naming file and key, and the eleven finished runs are kept
    (a rerun resumes, as every sweep: test_crash_safety)."""
    configs = tmp_path / "configs"
    (configs / "sample").mkdir(parents=True)
    names = [f"s{i:02d}" for i in range(12)]
    for i, name in enumerate(names):
        (configs / "sample" / f"{name}.yaml").write_text(f"# @package _global_\nlevers:\n  ceo_attention: {i + 1}\n")
    search = f"hydra.searchpath=[file://{configs}]"
    missing = sweep(tmp_path / "missing", f"+sample={','.join(names[:11])},s99", search, "days=5")
    assert missing.returncode != 0 and "Could not find 'sample/s99'" in missing.stderr
    assert not (tmp_path / "missing" / "runs").exists()

    (configs / "sample" / "s11.yaml").write_text("# @package _global_\nlevers:\n  ceo_atention: 2\n")
    broken = sweep(tmp_path / "broken", f"+sample={','.join(names)}", search, "days=5", "hydra/launcher=basic")
    assert broken.returncode != 0 and "sample/s11" in broken.stderr and "ceo_atention" in broken.stderr
    assert len(Store(tmp_path / "broken").finished_ids()) == 11  # in order (one process): s11 comes last


def test_a_finished_sweep_reruns_without_composing_a_job_and_a_changed_file_composes_again(tmp_path):
    """Every finished job's key (its overrides and the files it reads, `cxsim.runs.resume`) names its run:
    a rerun of a finished sweep composes no job (Hydra makes a job's folder only when it composes it)
    and runs nothing. A changed org file changes the keys of the jobs that read it: they are composed
    and run again, into new runs; the old ones stay."""
    configs = tmp_path / "configs"
    (configs / "org").mkdir(parents=True)
    org = (CONFIG_DIR / "org" / "auto_insurer.yaml").read_text()
    (configs / "org" / "mine.yaml").write_text(org.replace("name: auto_insurer", "name: mine"))
    folder = tmp_path / "s"
    args = ["regime=ceo_led,no_owner", "replicate=0,1", "org=mine", f"hydra.searchpath=[file://{configs}]",
            "hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]
    assert sweep(folder, *args).returncode == 0
    job_folders = [p for p in folder.iterdir() if p.name[0].isdigit()]
    assert len(job_folders) == 4 and len(list((folder / "keys").iterdir())) == 4
    for p in job_folders:
        p.joinpath("cli.log").unlink()
        p.rmdir()
    again = sweep(folder, *args)
    assert again.returncode == 0 and "4 runs done, 0 failed, of 4" in again.stderr
    assert not [p for p in folder.iterdir() if p.name[0].isdigit()]  # no job composed
    assert len(Store(folder).finished_ids()) == 4
    (configs / "org" / "mine.yaml").write_text(org.replace("name: auto_insurer", "name: mine")
                                                .replace("prospects_per_day: 2.0", "prospects_per_day: 1.5"))
    changed = sweep(folder, *args)
    assert changed.returncode == 0 and len([p for p in folder.iterdir() if p.name[0].isdigit()]) == 4
    assert len(Store(folder).finished_ids()) == 8


def test_a_finished_sweep_launched_from_code_starts_no_process_and_a_new_job_does(tmp_path, capsys):
    """`sweep.launch` (comparisons, reorgs, calibrations) lists the jobs as Hydra's sweeper does and
    finds each one's run by the key Hydra's jobs recorded (`resume.finished_jobs`): a finished sweep is
    marked and reported without a process (no launch log is written). One job more, and Hydra runs."""
    from cxsim.runs import resume
    from cxsim.runs import sweep as sweeps

    configs = tmp_path / "configs"
    (configs / "org").mkdir(parents=True)
    org = (CONFIG_DIR / "org" / "auto_insurer.yaml").read_text()
    (configs / "org" / "mine.yaml").write_text(org.replace("name: auto_insurer", "name: mine"))
    folder = tmp_path / "s"
    grid = ["regime=ceo_led,no_owner", "replicate=range(0,2)", "org=mine", *SMALL]
    sweeps.launch(folder, grid, configs, jobs=2)
    store = Store(folder)
    found = resume.finished_jobs(store, grid, configs)
    assert found is not None and sorted(found) == store.selected_ids() and len(found) == 4
    (folder / "launch.log").unlink()
    capsys.readouterr()
    sweeps.launch(folder, grid, configs, jobs=2)
    assert not (folder / "launch.log").exists() and "4 runs done, 0 failed, of 4 in 0 s" in capsys.readouterr().err
    assert resume.finished_jobs(store, grid, None) is None  # another search path: other keys
    assert resume.finished_jobs(store, [*grid, "hydra.searchpath=[file:///x]"], configs) is None
    more = ["regime=ceo_led,no_owner", "replicate=range(0,3)", "org=mine", *SMALL]
    assert resume.finished_jobs(store, more, configs) is None
    sweeps.launch(folder, more, configs, jobs=2)
    assert (folder / "launch.log").exists() and len(store.selected_ids()) == 6


def test_a_jobs_key_ignores_the_options_of_a_big_group_it_does_not_pick(tmp_path):
    """A calibration writes the next generation's samples into the folder its finished jobs read: their
    keys must not change. The file a job picks, and every file of a small group, do count."""
    from cxsim.runs import resume

    sample = tmp_path / "sample"
    sample.mkdir()
    for i in range(resume.BIG_GROUP + 1):
        (sample / f"s{i:02d}.yaml").write_text(f"replicate: {i}\n")
    sources = [{"path": str(tmp_path), "schema": "file", "provider": "test"}]
    job = ["+sample=s00", "days=40"]
    before = resume.key(sources, job)
    (sample / "s99.yaml").write_text("replicate: 99\n")
    assert resume.key(sources, job) == before
    (sample / "s00.yaml").write_text("replicate: 100\n")
    assert resume.key(sources, job) != before
    assert resume.key(sources, ["+sample=s00", "days=41"]) != resume.key(sources, job)
    (tmp_path / "org").mkdir()
    picked = resume.key(sources, job)
    (tmp_path / "org" / "x.yaml").write_text("name: x\n")  # a file of a small group: any job may read it
    assert resume.key(sources, job) != picked


# ------------------------------------------------------------ composition once per worker
def same_configs_as_hydra(master_overrides: list[str], params: dict[str, str] | None = None,
                          extra_dirs: tuple = ()) -> int:
    """Every job of a sweep, composed by Hydra (`load_sweep_config`) and by the worker's cache
    (`_compose`), compared key by key (the `hydra` node included; the task's values also resolved).
    Returns the number of jobs compared."""
    from hydra import initialize_config_dir
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from cxsim.config import schema
    from cxsim.config.composition import CONFIG_DIR
    from hydra_plugins.cxsim_fast_sweep import _compose

    schema.register()
    search = [f"hydra.searchpath=[{','.join('file://' + str(d) for d in extra_dirs)}]"] if extra_dirs else []
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
        loader = GlobalHydra.instance().config_loader()
        master = loader.load_configuration("config", [*search, *master_overrides], RunMode.MULTIRUN)
        declared = master.hydra.sweeper.params
        swept = {**(OmegaConf.to_container(declared) if declared is not None else {}), **(params or {})}
        parser = OverridesParser.create(config_loader=loader)
        grid = parser.parse_overrides([f"{k}={v}" for k, v in swept.items()] + list(master_overrides))
        jobs = BasicSweeper.split_arguments(grid, None)[0]
        _compose._cache.clear()
        for job in jobs:
            ref, mine = loader.load_sweep_config(master, job), _compose.compose(loader, master, job)
            a, b = OmegaConf.to_container(ref), OmegaConf.to_container(mine)
            assert a == b, (job, [k for k in set(a) | set(a["hydra"]) if a.get(k) != b.get(k)])
            del ref.hydra, mine.hydra
            assert OmegaConf.to_container(ref, resolve=True) == OmegaConf.to_container(mine, resolve=True), job
        assert len(_compose._cache) < len(jobs)  # the cache did the work for most jobs
    return len(jobs)


EXPERIMENTS = sorted(p.stem for p in EXPERIMENTS_DIR.glob("*.yaml"))
assert EXPERIMENTS, EXPERIMENTS_DIR  # an empty list would leave the test below with nothing to check


def first_two_regimes(name: str) -> str:
    from omegaconf import OmegaConf

    from cxsim.config.composition import available

    swept = str(OmegaConf.load(EXPERIMENTS_DIR / f"{name}.yaml")
                .hydra.sweeper.params.regime)
    regimes = [r for r in available("regime") if not r.endswith("_schema")] if swept.startswith("glob") \
        else swept.split(",")
    return ",".join(regimes[:2])


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_job_of_a_named_experiment_is_composed_as_hydra_composes_it(name):
    """The experiment's grid, every value of every swept parameter, for its first two regimes and two
    replicates (a regime is a group choice like the others, a replicate a plain value like the others:
    the whole grid would compose 2,000 configs the slow way, a CPU-minute the suite cannot spare)."""
    assert same_configs_as_hydra([f"+experiments={name}"], {"regime": first_two_regimes(name),
                                                           "replicate": "range(0,2)"}) >= 8


def test_every_job_of_a_company_comparison_is_composed_as_hydra_composes_it(tmp_path):
    """The example company's comparison sweep as `cxsim-reorg` launches it (its org and sampled
    assumptions in a folder on the search path), for its first two options and four samples, every
    replicate."""
    from cxsim.decide.company import load as load_company
    from cxsim.decide.reorg import designs, prepare

    company = load_company(Path(__file__).resolve().parents[1] / "cxsim" / "examples" / "mid_size_insurer.yaml")
    lhs, morris, *_ = designs(company)
    points = {**lhs.to_dict("index"), **(morris.to_dict("index") if morris is not None else {})}
    common = prepare(company, tmp_path, points)
    regimes = list(dict.fromkeys([company.today, *company.candidates]))[:2]
    n = same_configs_as_hydra(common, {"regime": ",".join(regimes), "+sample": ",".join(lhs.index[:4]),
                                       "replicate": f"range(0,{company.seeds})"}, (tmp_path / "configs",))
    assert n == 4 * company.seeds * len(regimes)


def test_a_config_copied_and_saved_the_fast_way_is_omegaconfs():
    """`cxsim.config.serial` (pickle for copies, libyaml for files) against OmegaConf's own deepcopy
    and YAML, for every regime on every org: equal configs, the same text byte for byte, and a copy
    that does not share a node with the original."""
    from omegaconf import OmegaConf

    from cxsim.config import serial
    from cxsim.config.composition import available, compose

    orgs = [o for o in available("org") if not o.endswith("_schema")]
    regimes = [r for r in available("regime") if not r.endswith("_schema")]
    for org in orgs:
        for regime in regimes:
            config = compose([f"regime={regime}", f"org={org}"])
            copy = serial.copy_of(config)
            assert copy == config.copy() and OmegaConf.is_struct(copy) == OmegaConf.is_struct(config)
            copy.days, copy.org.customers = config.days + 1, config.org.customers + 1
            assert copy.days != config.days and copy.org.customers != config.org.customers
            assert serial.to_yaml(config) == OmegaConf.to_yaml(config), (org, regime)


def test_without_omegaconfs_private_dumper_the_yaml_is_omegaconfs_own(monkeypatch):
    """`serial` borrows a private part of OmegaConf (its string representer); an OmegaConf without it
    gets OmegaConf's public `to_yaml`, not an error (issue 34: private parts with a way out)."""
    from omegaconf import OmegaConf

    from cxsim.config import serial
    from cxsim.config.composition import compose

    config = compose(["regime=ceo_led", "org=auto_insurer"])
    calls = []
    monkeypatch.setattr(serial, "OmegaConfDumper", None)
    monkeypatch.setattr(OmegaConf, "to_yaml", lambda c, to_yaml=OmegaConf.to_yaml: calls.append(1) or to_yaml(c))
    assert serial.to_yaml(config) == OmegaConf.to_yaml(config) and len(calls) == 2


def test_a_job_run_the_lean_way_returns_and_sees_what_hydras_run_job_gives(tmp_path):
    """`_job.run_job` (fewer copies of the config) against `hydra.core.utils.run_job` on the same sweep
    job: the task sees the same config and the same HydraConfig, and the job's return (config, hydra
    node, overrides, working folder, status, value) and its output folder are the same."""

    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.hydra_config import HydraConfig
    from hydra.core.utils import run_job, setup_globals
    from hydra.types import HydraContext, RunMode
    from omegaconf import OmegaConf, open_dict

    from cxsim.config import schema
    from cxsim.config.composition import CONFIG_DIR
    from hydra_plugins.cxsim_fast_sweep import _job

    schema.register()
    seen = []

    def task(cfg):
        seen.append((OmegaConf.to_container(cfg, resolve=True), OmegaConf.to_container(HydraConfig.get()),
                     os.getcwd()))
        return cfg.seed

    returns = []
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
        setup_globals()
        loader = GlobalHydra.instance().config_loader()
        for way, folder in (("hydra", tmp_path / "a"), ("lean", tmp_path / "b")):
            master = loader.load_configuration("config", [f"hydra.sweep.dir={folder}"], RunMode.MULTIRUN)
            job = loader.load_sweep_config(master, ["regime=coo_owned", "replicate=3"])
            with open_dict(job):
                job.hydra.job.id, job.hydra.job.num = "cli_4", 4
            context = HydraContext(config_loader=loader, callbacks=type("NoCallbacks", (), {
                "on_job_start": lambda *a, **k: None, "on_job_end": lambda *a, **k: None})())
            ret = (run_job(hydra_context=context, config=job, task_function=task, job_dir_key="hydra.sweep.dir",
                           job_subdir_key="hydra.sweep.subdir") if way == "hydra" else _job.run_job(context, job, task))
            returns.append(ret)
    (cfg_a, hydra_a, cwd_a), (cfg_b, hydra_b, cwd_b) = seen
    assert cfg_a == cfg_b and cwd_a == cwd_b
    for node in (hydra_a, hydra_b):  # the sweep folders differ by design: a/ and b/
        node["sweep"]["dir"] = node["runtime"]["output_dir"] = node["overrides"]["hydra"] = None
    assert hydra_a == hydra_b
    a, b = returns
    assert OmegaConf.to_container(a.cfg) == OmegaConf.to_container(b.cfg)
    nodes = [OmegaConf.to_container(r.hydra_cfg.hydra) for r in returns]
    for node in nodes:
        node["sweep"]["dir"] = node["runtime"]["output_dir"] = node["overrides"]["hydra"] = None
    assert nodes[0] == nodes[1]
    assert a.overrides == b.overrides == ["regime=coo_owned", "replicate=3"]
    assert a.status == b.status and a.return_value == b.return_value and a.working_dir == b.working_dir
    assert a.task_name == b.task_name
    assert sorted(p.relative_to(tmp_path / "a").as_posix() for p in (tmp_path / "a").rglob("*")) == \
        sorted(p.relative_to(tmp_path / "b").as_posix() for p in (tmp_path / "b").rglob("*"))
