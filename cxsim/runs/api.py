"""The Python API for notebooks and scripts: build, run, get DataFrames.

>>> from cxsim.runs.api import simulate
>>> result = simulate(regime="coo_owned", org="telecom", seed=3)
>>> result.summary, result.timeseries, result.handoffs, result.journeys, result.departments
>>> result.budgets, result.initiatives
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig

from cxsim.config import serial
from cxsim.model import CXModel
from cxsim.model.model import CONFIG_SEED

TABLES = ("summary", "timeseries", "handoffs", "journeys", "departments", "budgets", "initiatives")


@dataclass
class Result:
    model: CXModel
    summary: pd.DataFrame  # one row, every outcome of the run
    timeseries: pd.DataFrame  # one row per day
    handoffs: pd.DataFrame  # one row per department boundary
    journeys: pd.DataFrame  # one row per journey
    departments: pd.DataFrame  # one row per department
    budgets: pd.DataFrame  # one row per department per budget round (the CFO's books)
    initiatives: pd.DataFrame  # one row per CX initiative funded

    @classmethod
    def of(cls, model: CXModel) -> Result:
        r = model.recorder
        return cls(model, pd.DataFrame([r.summary()]), r.timeseries(), r.handoff_table(), r.journey_table(),
                   r.department_table(), r.budget_table(), r.initiative_table())

    @property
    def config(self) -> DictConfig:
        return self.model.cfg

    def tables(self) -> dict[str, pd.DataFrame]:
        """The run's tables by name, in the order of TABLES."""
        return {name: getattr(self, name) for name in TABLES}

    def save(self, folder: str | Path) -> Path:
        """Write the config and one Parquet file per table; each file appears whole or not at all."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, table in self.tables().items():
            write_atomic(table, folder / f"{name}.parquet")
        serial.save(self.model.cfg, folder / "cxsim_config.yaml")
        return folder


def write_atomic(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    df.to_parquet(tmp, index=False)
    tmp.replace(path)


@functools.cache
def outcome_names() -> frozenset[str]:
    """The outcomes a run reports (the columns of summary.parquet), from a one-day run of ten customers."""
    return frozenset(CXModel(days=1, customers=10).run().recorder.summary())


def simulate(regime: str = "ceo_led", org: str = "auto_insurer", seed: int | None = CONFIG_SEED,
             config: DictConfig | None = None, **kwargs) -> Result:
    """Run one simulation to its horizon and return its tables. `seed` means what it means for `CXModel`:
    left out, the config's seed (the same run every time); None, a fresh one (as in Mesa), kept in the
    result's config and summary so the run can be made again."""
    return Result.of(CXModel(regime=regime, org=org, seed=seed, config=config, **kwargs).run())
