"""Hydra's basic sweeper, validating a sample of the jobs instead of all.

The basic sweeper composes every job's config in the main process before it
launches any (0.1-0.2 s each: a minute for the 420 runs of regime_showdown,
all serial). This one composes only the first job that carries each swept
value, which still catches a bad key, group or value up front; every job is
validated again where it runs, and a failure there is recorded in the store.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.config_store import ConfigStore


def representatives(batch: Sequence[Sequence[str]]) -> list[Sequence[str]]:
    seen: set[str] = set()
    picked = []
    for overrides in batch:
        new = [o for o in overrides if o not in seen]
        if new:
            picked.append(overrides)
            seen.update(new)
    return picked


class CxsimSweeper(BasicSweeper):
    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        super().validate_batch_is_legal(representatives(batch))


@dataclass
class CxsimSweeperConf(BasicSweeperConf):
    _target_: str = "hydra_plugins.cxsim_searchpath.cxsim_sweeper.CxsimSweeper"


ConfigStore.instance().store(group="hydra/sweeper", name="cxsim", node=CxsimSweeperConf, provider="cxsim")
