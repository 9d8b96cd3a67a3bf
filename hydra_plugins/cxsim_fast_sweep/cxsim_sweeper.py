"""Hydra's basic sweeper, validating a sample of the jobs instead of all.

The basic sweeper composes every job's config in the main process before it
launches any (0.1-0.2 s each: a minute for the 420 runs of regime_showdown,
all serial). This one composes the first job, and one more for each new value
of a config group (`regime=...`, `org=...`: a missing or broken file shows
there), when the group is swept over at most eight values; of a group swept
over more (the hundreds of sampled assumptions of a calibration,
`+sample=...`: 0.35 s each, serial) the first two are composed and the other
values looked up among the group's files, and each is composed where its job
runs (a broken one stops the sweep there, naming its file; the
finished runs are kept). Every other swept value (`replicate=3`, `days=abc`)
is set on the first job's composed config, where the schema checks its key
and type in microseconds. Every job is composed and validated again where it
runs; a run that fails after that is recorded in the store. A batch whose
jobs have all finished (a rerun: their keys, `cxsim.runs.resume`, name runs
in the store) is not validated again, and its jobs are not composed.

The configs composed here are kept for the jobs (`_compose.py`). With the
joblib launcher, its workers start and import the model while this
validates, and each job's shared state, those configs included, is sent once
per worker, not once per job (`_joblib.py`). With any launcher, a job that cannot write its results
(a full disk) stops the sweep with one line; the finished runs stay.
"""

import functools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import OverrideType
from hydra.core.utils import JobReturn, JobStatus
from hydra.errors import ConfigCompositionException
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from cxsim.config.errors import OutputError
from cxsim.runs.store import Store
from hydra_plugins.cxsim_fast_sweep import _compose, _joblib
from hydra_plugins.cxsim_fast_sweep._hydra_private import BasicSweeper, BasicSweeperConf

PER_GROUP = 8  # a config group swept over up to this many values has each composed before the launch (regimes)
FEW = 2  # of a group swept over more (a calibration's sampled assumptions), only this many; the rest looked up


def representatives(batch: Sequence[Sequence[str]], is_plain=lambda override: False,
                    option=lambda override: None) -> list[Sequence[str]]:
    """The first job, and the first job that carries each new override that is not plain. Of a config
    group swept over more than PER_GROUP values, only the first FEW are picked; another value is picked
    only if `option(override)` is False (its file is missing). `option` gives None for an override that
    is not a config group's."""
    values: dict[str, set[str]] = {}
    for overrides in batch:
        for o in overrides:
            if not is_plain(o) and option(o) is not None:
                values.setdefault(group_of(o), set()).add(o)
    seen: set[str] = set()
    composed: dict[str, int] = {}
    picked = []
    for i, overrides in enumerate(batch):
        heavy = False
        for o in overrides:
            if o in seen or is_plain(o):
                continue
            seen.add(o)
            found, group = option(o), group_of(o)
            few = len(values.get(group, ())) <= PER_GROUP or composed.get(group, 0) < FEW
            if not found or few:  # not a group's, its file missing, or one of the few composed in full
                heavy = True
                composed[group] = composed.get(group, 0) + 1
        if heavy or i == 0:
            picked.append(overrides)
    return picked


def group_of(override: str) -> str:
    return override.partition("=")[0].lstrip("+~")


class CxsimSweeper(BasicSweeper):
    def setup(self, *, hydra_context, task_function, config) -> None:
        super().setup(hydra_context=hydra_context, task_function=task_function, config=config)
        self.launcher = StoppingLauncher(self.launcher)

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        self.launcher.finished = finished_runs(self.config, batch) if batch else None
        if not batch or self.launcher.finished is not None:
            return  # each was checked when it ran, and its key covers every file it reads
        self._warming = _joblib.start_workers(self.launcher.inner)
        loader = self.hydra_context.config_loader if self.hydra_context is not None else self.config_loader
        parser = OverridesParser.create()

        @functools.cache  # asked for every override of every job
        def is_plain(text: str) -> bool:
            """A plain `key=value` (not a config group, not an addition or deletion)."""
            override = parser.parse_override(text)
            return override.type == OverrideType.CHANGE and not loader.repository.group_exists(override.key_or_group)

        config_name = self.config.hydra.job.config_name
        searchpath = [str(o) for o in self.config.hydra.overrides.hydra]  # e.g. hydra.searchpath=[...]

        @functools.cache
        def options(group: str) -> frozenset[str]:
            """The files of a config group, on the search path the jobs will see (empty: no such group)."""
            return frozenset(loader.get_group_options(group, config_name=config_name, overrides=searchpath))

        @functools.cache  # asked for every override of every job, twice
        def option(text: str) -> bool | None:
            """Whether a config group override names a file of its group (None: not a group's)."""
            override = parser.parse_override(text)
            found = None if override.is_sweep_override() else options(override.key_or_group)
            return str(override.value()) in found if found else None

        picked = representatives(batch, is_plain, option)  # picked[0] is batch[0]
        # what Hydra's own check does, for the picked jobs only; kept for the jobs of the same shape (`_compose`)
        first = _compose.compose(loader, self.config, list(picked[0]))
        for overrides in picked[1:]:
            _compose.compose(loader, self.config, list(overrides))
        checked: set[str] = set(batch[0])
        for overrides in batch:
            for text in overrides:
                if text in checked or not is_plain(text):
                    continue
                checked.add(text)
                override = parser.parse_override(text)
                trial = first.copy()
                try:
                    OmegaConf.update(trial, override.key_or_group, override.value(), merge=True)
                except OmegaConfBaseException as exc:
                    raise ConfigCompositionException(f"Error merging override {text}") from exc
        if getattr(self, "_warming", None) is not None:  # the launch comes next: let it find them ready
            self._warming.join()
            self._warming = None


def finished_runs(config, batch: Sequence[Sequence[str]]) -> list[str] | None:
    """The run each job's key (`cxsim.runs.resume`) names in the sweep's store; None unless all have one."""
    from cxsim.runs import resume

    return resume.runs_of(Store(config.hydra.sweep.dir), config.hydra.runtime.config_sources, batch)


class StoppingLauncher:
    """The configured launcher, stopping the sweep when results cannot be written."""

    def __init__(self, launcher: Any):
        self._launcher = launcher
        self.finished: list[str] | None = None  # the batch's runs, if all have finished (a rerun): nothing to launch

    @property
    def inner(self) -> Any:
        return self._launcher

    def __getattr__(self, name: str) -> Any:
        return getattr(self._launcher, name)

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        if self.finished is not None:
            store = Store(self._launcher.config.hydra.sweep.dir)
            return [_joblib.already_done(store, rid, overrides) for rid, overrides in zip(self.finished, job_overrides)]
        if _joblib.is_joblib(self._launcher):
            runs = _joblib.launch(self._launcher, job_overrides, initial_job_idx)
        else:
            runs = self._launcher.launch(job_overrides, initial_job_idx=initial_job_idx)
        for run in runs:
            error = getattr(run, "_return_value", None)
            if run.status == JobStatus.FAILED and isinstance(error, OutputError):
                done, _ = Store(self._launcher.config.hydra.sweep.dir).current_counts()
                print(f"cxsim-sweep: error: {error}; the {done} finished runs are kept there: "
                      "make room and run the same command again to resume", file=sys.stderr)
                raise SystemExit(2)
        return runs


@dataclass
class CxsimSweeperConf(BasicSweeperConf):
    _target_: str = "hydra_plugins.cxsim_fast_sweep.cxsim_sweeper.CxsimSweeper"


ConfigStore.instance().store(group="hydra/sweeper", name="cxsim", node=CxsimSweeperConf, provider="cxsim")
