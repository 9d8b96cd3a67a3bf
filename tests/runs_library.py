"""One library of runs for the whole test session: every shared fixture asks it for the runs it reads,
and a run two fixtures both read (the default comparison's COO-owned runs and a lesson's, the CFO's
cost view and a lesson's) is made once.

A run is named by what makes it: regime, org, seed and the settings that differ from that regime's
config on that org (a keyword such as `service_budget=1.0` and an override such as
`mechanisms.finance.service_budget=1.0` are the same setting; a setting equal to the default is no
setting). Two names that are equal are the same run, bit for bit: the model is a function of its
config and seed (`tests/test_determinism.py`).

Each run is kept whole enough for every reader: its summary, what the stylized facts add to it (the
mean customer base, each journey's days to resolve), its daily table and its quarterly books. The
runs live in the session's temporary folder, one file per run, behind one file lock (the pattern
pytest-xdist documents for session fixtures): the first worker to ask for a run makes it, on two
processes; the other waits and reads it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
import yaml


@dataclass(frozen=True)
class Run:
    """One run as a test asks for it: CXModel's keywords (`keywords`, sorted pairs) and overrides."""

    regime: str
    seed: int
    org: str = "auto_insurer"
    overrides: tuple[str, ...] = ()
    keywords: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, regime: str, seed: int, org: str = "auto_insurer", overrides=(), **keywords) -> Run:
        return cls(regime, int(seed), org, tuple(overrides), tuple(sorted(keywords.items())))

    def name(self) -> str:
        """What makes the run (see the module's text), as a file name."""
        text = repr((self.regime, self.org, self.seed, settings(self)))
        return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass
class Record:
    """What a run leaves for its readers."""

    summary: dict
    extras: dict  # the stylized facts' additions: active_mean, journey:NAME:time_to_resolve
    daily: pd.DataFrame = field(repr=False)
    books: pd.DataFrame = field(repr=False)  # the quarterly budget table

    def facts_row(self) -> dict:
        return {**self.summary, **self.extras}


@cache
def base_config(regime: str, org: str):
    from cxsim.config.composition import compose

    return compose([f"regime={regime}", f"org={org}"])


def settings(run: Run) -> tuple[str, ...]:
    """The run's settings that differ from its regime's config on its org, as sorted `path=value`."""
    from omegaconf import OmegaConf

    from cxsim.model.model import path_of

    base = base_config(run.regime, run.org)
    values = {}
    for override in run.overrides:
        path, text = override.split("=", 1)
        values[path] = yaml.safe_load(text)
    for key, value in run.keywords:
        if value is not None:
            values[path_of(key)] = value
    return tuple(sorted(f"{path}={value!r}" for path, value in values.items()
                        if path[0] in "+~" or OmegaConf.select(base, path, default=object()) != value))


def make(run: Run) -> Record:
    """One run, kept whole (a worker for the pool)."""
    from cxsim.model import CXModel

    recorder = CXModel(regime=run.regime, org=run.org, seed=run.seed, overrides=list(run.overrides),
                       **dict(run.keywords)).run().recorder
    daily = recorder.timeseries()
    journeys = recorder.journey_table().set_index("journey").time_to_resolve
    extras = {"active_mean": float(daily.active.mean()),
              **{f"journey:{name}:time_to_resolve": value for name, value in journeys.items()}}
    return Record(recorder.summary(), extras, daily, recorder.budget_table())


FOLDER: Path | None = None  # the session's folder that all xdist workers share (set by conftest)
IN_PROCESS = 3  # as few runs as this are made in the asking process: a pool's start costs more


def records(folder: Path | None, runs: list[Run]) -> list[Record]:
    """Every run asked for, made once per test session (those not yet made: on two processes, or here
    when there are few); `folder`, the session's shared folder (None: FOLDER)."""
    from cxsim.runs.evaluator import evaluate

    folder = FOLDER if folder is None else folder
    library = folder / "runs_library"
    library.mkdir(exist_ok=True)
    names = [run.name() for run in runs]
    with open(folder / "runs_library.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        todo = {name: run for name, run in zip(names, runs) if not (library / f"{name}.pickle").exists()}
        if todo:
            jobs = 1 if len(todo) <= IN_PROCESS else min(2, os.cpu_count() or 1)
            for name, record in zip(todo, evaluate(make, list(todo.values()), jobs=jobs), strict=True):
                (library / f"{name}.pickle").write_bytes(pickle.dumps(record))
    return [pickle.loads((library / f"{name}.pickle").read_bytes()) for name in names]
