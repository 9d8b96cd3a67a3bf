"""Hydra's basic sweeper, validating a sample of the jobs instead of all.

The basic sweeper composes every job's config in the main process before it
launches any (0.1-0.2 s each: a minute for the 420 runs of regime_showdown,
all serial). This one composes the first job, and one more for each new value
of a config group (`regime=...`, `org=...`: a missing or broken file shows
there). Every other swept value (`replicate=3`, `days=abc`) is set on the
first job's composed config, where the schema checks its key and type in
microseconds. Every job is validated again where it runs, and a failure there
is recorded in the store.

With the joblib launcher, its workers start and import the model while this
validates, and each job's shared state is sent once per worker, not once per
job (`_joblib.py`). With any launcher, a job that cannot write its results
(a full disk) stops the sweep with one line; the finished runs stay.
"""

import functools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import OverrideType
from hydra.core.utils import JobReturn, JobStatus
from hydra.errors import ConfigCompositionException
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from cxsim.errors import OutputError
from cxsim.store import Store
from hydra_plugins.cxsim_searchpath import _joblib


def representatives(batch: Sequence[Sequence[str]], is_plain=lambda override: False) -> list[Sequence[str]]:
    """The first job, and the first job that carries each new override that is not plain."""
    seen: set[str] = set()
    picked = []
    for i, overrides in enumerate(batch):
        new = [o for o in overrides if o not in seen and not is_plain(o)]
        if new or i == 0:
            picked.append(overrides)
            seen.update(new)
    return picked


class CxsimSweeper(BasicSweeper):
    def setup(self, *, hydra_context, task_function, config) -> None:
        super().setup(hydra_context=hydra_context, task_function=task_function, config=config)
        self._warming = _joblib.start_workers(self.launcher)
        self.launcher = StoppingLauncher(self.launcher)

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        if not batch:
            return
        loader = self.hydra_context.config_loader if self.hydra_context is not None else self.config_loader
        parser = OverridesParser.create()

        @functools.cache  # asked for every override of every job
        def is_plain(text: str) -> bool:
            """A plain `key=value` (not a config group, not an addition or deletion)."""
            override = parser.parse_override(text)
            return override.type == OverrideType.CHANGE and not loader.repository.group_exists(override.key_or_group)

        picked = representatives(batch, is_plain)  # picked[0] is batch[0]
        first = loader.load_sweep_config(self.config, list(picked[0]))
        for overrides in picked[1:]:  # what Hydra's own check does, for the picked jobs only
            loader.load_sweep_config(self.config, list(overrides))
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


class StoppingLauncher:
    """The configured launcher, stopping the sweep when results cannot be written."""

    def __init__(self, launcher: Any):
        self._launcher = launcher

    def __getattr__(self, name: str) -> Any:
        return getattr(self._launcher, name)

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
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
    _target_: str = "hydra_plugins.cxsim_searchpath.cxsim_sweeper.CxsimSweeper"


ConfigStore.instance().store(group="hydra/sweeper", name="cxsim", node=CxsimSweeperConf, provider="cxsim")
