"""Runs in parallel for the decision tools: one summary row per (regime, org, seed, overrides)."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pandas as pd


def run_one(job: tuple) -> dict:
    from cxsim.model import CXModel

    regime, org, seed, overrides = job
    return CXModel(regime=regime, org=org, seed=seed, overrides=overrides).run().recorder.summary()


def run_stored(job: tuple) -> dict:
    """A stored run's resolved config (YAML text) rerun with `key=value` settings on top."""
    import yaml
    from omegaconf import OmegaConf

    from cxsim.model import CXModel

    text, settings = job
    config = OmegaConf.create(text)
    for setting in settings:
        key, value = setting.split("=", 1)
        OmegaConf.update(config, key, yaml.safe_load(value), merge=False)
    return CXModel(config=config).run().recorder.summary()


def pool(jobs: int | None = None) -> ProcessPoolExecutor:
    """Worker processes for runs; spawn, not fork: forking a process that already runs threads can deadlock."""
    return ProcessPoolExecutor(max_workers=jobs or os.cpu_count(), mp_context=get_context("spawn"))


def run_all(regimes, org, seeds, overrides=(), jobs=None) -> pd.DataFrame:
    """One summary row per regime and seed; `regime` is the regime as asked for (a preset's name, or your
    own file's path, which the tools compose again), not the `name` inside the file."""
    todo = [(r, org, s, list(overrides)) for r in regimes for s in seeds]
    with pool(jobs) as workers:
        runs = pd.DataFrame(list(workers.map(run_one, todo)))
    runs["regime"] = [r for r, *_ in todo]
    return runs
