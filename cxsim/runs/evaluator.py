"""One way to run many models, as the EMA Workbench has one evaluator: serially, on a process pool,
or as a Hydra multirun into the results store.

Every tool that runs many models goes through this module:

* `evaluate` (or `run_all`, its table of summary rows): the runs in memory, serially (`jobs=1`) or on
  a process pool: the comparison, the crossover, the stress, the joint sample and the Shapley split
  (`cxsim.decide`), the Morris screening and the transition (`cxsim.analysis`), the lessons' checks
  (`cxsim.app`). A worker is a function of one picklable job (`run_one`: regime, org, seed, overrides;
  `run_stored`: a stored run's config with settings on top).
* `sweep`: a Hydra multirun of `cxsim` into a results store, resumable after a crash, on Hydra's
  launchers (joblib here; Ray or SLURM on a cluster): the reorg comparison, the calibration and the
  stylized facts, whose runs are worth keeping (`cxsim.runs.sweep` is its machinery).

No other module starts a pool or a sweep (`tests/test_layers.py`).
"""

from __future__ import annotations

import functools
import gc
import importlib
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context

import pandas as pd


def run_one(job: tuple, reads: set[str] | None = None) -> dict:
    """A run composed from a regime, an org, a seed and overrides; `reads`: see `CXModel`."""
    from cxsim.model import CXModel

    regime, org, seed, overrides = job
    return CXModel(regime=regime, org=org, seed=seed, overrides=overrides, reads=reads).run().recorder.summary()


def run_stored(job: tuple, reads: set[str] | None = None) -> dict:
    """A stored run's resolved config (YAML text) rerun with `key=value` settings on top."""
    import yaml
    from omegaconf import OmegaConf

    from cxsim.config import serial
    from cxsim.model import CXModel

    text, settings = job
    config = serial.copy_of(stored_config(text))
    for setting in settings:
        key, value = setting.split("=", 1)
        OmegaConf.update(config, key, yaml.safe_load(value), merge=False)
    return CXModel(config=config, reads=reads).run().recorder.summary()


@functools.lru_cache(maxsize=16)
def stored_config(text: str):
    """A stored run's config, parsed once in this process: the crossover reruns each stored run with
    every assumption at both ends of its range, and parsing the YAML took 30 of a short run's 50 ms."""
    from omegaconf import OmegaConf

    return OmegaConf.create(text)


@dataclass(frozen=True)
class Reading:
    """A worker (`run_one`, `run_stored`) whose runs also say which mechanism and regime parameters
    they read: `(summary row, the parameters' paths)`. A parameter a run never read cannot change it."""

    worker: Callable

    def __call__(self, job) -> tuple[dict, frozenset[str]]:
        reads: set[str] = set()
        row = self.worker(job, reads=reads)
        return row, frozenset(reads)


def sweep(store_dir, overrides: list[str], configs=None, jobs: int | None = None) -> None:
    """A Hydra multirun of `cxsim` with these overrides into the store at `store_dir` (finished runs are
    skipped: calling it again resumes); `configs`, a config folder on Hydra's search path; `jobs`, the
    launcher's workers. Raises ConfigError if Hydra refuses the sweep (`cxsim.runs.sweep.launch`)."""
    from cxsim.runs.sweep import launch  # Hydra's machinery: only for the tools that sweep

    launch(store_dir, overrides, configs, jobs)


WORKER_IMPORTS = ["cxsim.runs.api"]  # what every worker imports before its first run: the model, Mesa, numpy


def start_worker() -> None:
    """A worker's start: the imports (done already when it was forked from the server), then freeze
    them (`gc.freeze`): the collector's full passes, which a run of thousands of agents sets off, then
    walk the runs' objects alone, not every module's too (5% of a comparison's CPU)."""
    for module in WORKER_IMPORTS:
        importlib.import_module(module)
    gc.freeze()


def pool(jobs: int | None = None) -> ProcessPoolExecutor:
    """Worker processes for runs, forked from a server process that imported the model once (Python's
    `forkserver`, its default from 3.14): not `fork`, since forking a process that already runs threads
    can deadlock, and not `spawn`, where each worker is a new interpreter importing the model again
    (about 1.3 CPU-s a worker). Where there is no forkserver (Windows), spawn. The server starts with
    this process's first pool and keeps the environment of that moment: a variable set later (say
    `CXSIM_PURE`) reaches the workers of a later pool only in a new process."""
    if "forkserver" in get_all_start_methods():
        context = get_context("forkserver")
        context.set_forkserver_preload(WORKER_IMPORTS)  # read when the server starts: once per process
    else:
        context = get_context("spawn")
    return ProcessPoolExecutor(max_workers=jobs or os.cpu_count(), mp_context=context, initializer=start_worker)


_kept: dict[int, ProcessPoolExecutor] = {}  # this process's pool, by its number of workers (one at a time)


def kept_pool(jobs: int | None = None) -> ProcessPoolExecutor:
    """This process's pool of `jobs` workers (all cores by default), started on first use and kept until
    the process ends or another size is asked for. A worker's start is a fork (`pool`), after the
    model's import in the server it forks from (about 1.3 s of CPU), and a tool may evaluate many
    times (`cxsim-compare --structural`: the table, seven alternatives and the crossover; a test
    session, many more)."""
    n = jobs or os.cpu_count() or 1
    if n not in _kept:
        for old in _kept.values():
            old.shutdown(wait=True)  # idle workers: they exit at once
        _kept.clear()
        _kept[n] = pool(n)
    return _kept[n]


def evaluate(worker, todo: list, jobs: int | None = None, chunksize: int = 2, workers=None) -> list:
    """`worker(job)` for every job, in order: serially when `jobs` is 1 (no process started), else on
    this process's kept pool of `jobs` workers (all cores by default), or on `workers`, a pool of the
    caller's. A kept pool a worker's death broke is let go (the next call starts another), and the error
    raised."""
    if workers is None and (jobs == 1 or len(todo) <= 1):
        return [worker(job) for job in todo]
    workers = workers or kept_pool(jobs)
    try:
        return list(workers.map(worker, todo, chunksize=chunksize))
    except BrokenProcessPool:
        for n, kept in list(_kept.items()):
            if kept is workers:
                kept.shutdown(wait=True)  # before it is let go: a broken pool collected unjoined hangs the exit
                del _kept[n]
        raise


def run_all(regimes, org, seeds, overrides=(), jobs=None) -> pd.DataFrame:
    """One summary row per regime and seed; `regime` is the regime as asked for (a preset's name, or your
    own file's path, which the tools compose again), not the `name` inside the file."""
    todo = [(r, org, s, list(overrides)) for r in regimes for s in seeds]
    runs = pd.DataFrame(evaluate(run_one, todo, jobs, chunksize=1))
    runs["regime"] = [r for r, *_ in todo]
    return runs
