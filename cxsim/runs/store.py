"""The results store of a sweep: one folder per finished run, nothing held in memory.

    SWEEP_DIR/
      runs/RUN_ID/            a finished run: complete, or not there at all
        summary.parquet       one row, every outcome
        timeseries.parquet    one row per day
        handoffs.parquet      one row per department boundary
        journeys.parquet      one row per journey
        run.json              coordinates and provenance
        config.yaml           the run's full config
      failed/RUN_ID.json      a run that raised: coordinates, error, traceback
      current/RUN_ID          marks the runs of the latest multirun into this folder
      keys/KEY                the RUN_ID a job's key names (cxsim.runs.resume): a rerun skips
                              a finished job by its key, without composing its config

A folder keeps every run it ever finished, so a sweep rerun with other
settings adds runs beside the old ones; `current/` says which belong to the
latest sweep, and the tables read only those unless asked for all.

A run is written into a temporary folder and renamed into `runs/` when every
file is there, so a sweep killed at any moment leaves only complete runs; a
rerun skips the runs already in `runs/` and does the rest. A run's id is a
hash of its coordinates (the overrides that make it differ from the others),
so the same run has the same id in every rerun.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from omegaconf import DictConfig

from cxsim.config import serial
from cxsim.config.errors import OutputError

if TYPE_CHECKING:  # pandas loads only where runs are written or read: a sweep's
    import pandas as pd  # main process (progress, marks) starts without it


class Run(Protocol):
    """What the store keeps of a finished run (`cxsim.runs.api.Result` is one)."""

    config: DictConfig  # the run's full config

    def tables(self) -> dict[str, pd.DataFrame]:  # name -> table, e.g. "summary" -> one row
        ...


def ensure_writable(folder: str | Path) -> Path:
    """Create `folder` and prove a file can be written there, before any work starts; a ConfigError
    with one line naming the folder otherwise (a file in the way, no permission, a full disk)."""
    folder = Path(folder)
    probe = folder / f".cxsim-write-test-{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"x" * 4096)
        probe.unlink()
    except OSError as exc:
        raise cannot_write(folder, exc) from None
    return folder


def cannot_write(folder: Path, exc: OSError) -> Exception:
    return OutputError(f"{folder}: cannot write results here: {exc.strerror or exc}")


def run_id(coordinates: dict[str, str]) -> str:
    text = json.dumps(coordinates, sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def with_coordinates(table: pd.DataFrame, rid: str, coordinates: dict) -> pd.DataFrame:
    """The table with the run's id and coordinates in front: `run_id`, then `coord.KEY`, the last
    coordinate first (the columns' order since the first store)."""
    import pandas as pd

    front = {"run_id": rid, **{f"coord.{key}": value for key, value in reversed(coordinates.items())}}
    return pd.concat([pd.DataFrame(front, index=table.index), table], axis=1)


class Store:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.runs = self.folder / "runs"
        self.failed = self.folder / "failed"
        self.current = self.folder / "current"
        self.keys = self.folder / "keys"

    def done(self, rid: str) -> bool:
        return (self.runs / rid).is_dir()

    def run_of_key(self, key: str) -> str | None:
        """The finished run a job's key names, if any (`cxsim.runs.resume`)."""
        try:
            rid = (self.keys / key).read_text().strip()
        except OSError:
            return None
        return rid if rid and self.done(rid) else None

    def record_key(self, key: str, rid: str) -> None:
        """Remember which run a job's key names (written whole or not at all)."""
        tmp = self.keys / f".{key}.{os.getpid()}.tmp"
        try:
            self.keys.mkdir(parents=True, exist_ok=True)
            tmp.write_text(rid)
            tmp.replace(self.keys / key)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise cannot_write(self.folder, exc) from None

    def finished_ids(self) -> list[str]:
        return sorted(p.name for p in self.runs.glob("*") if p.is_dir() and not p.name.startswith("."))

    def start_sweep(self) -> None:
        """A new multirun begins: forget which runs the previous one used."""
        shutil.rmtree(self.current, ignore_errors=True)
        self.current.mkdir(parents=True, exist_ok=True)

    def mark_current(self, rid: str) -> None:
        try:
            self.current.mkdir(parents=True, exist_ok=True)
            (self.current / rid).touch()
        except OSError as exc:
            raise cannot_write(self.folder, exc) from None

    def selected_ids(self, everything: bool = False) -> list[str]:
        """The latest sweep's finished runs (all finished runs if none is marked)."""
        done = self.finished_ids()
        marked = {p.name for p in self.current.glob("*")} if self.current.is_dir() else set()
        return done if everything or not marked else [r for r in done if r in marked]

    def current_counts(self) -> tuple[int, int]:
        """(finished, failed) runs of the sweep that is running now."""
        marked = {p.name for p in self.current.glob("*")} if self.current.is_dir() else set()
        return len(marked & set(self.finished_ids())), len(marked & set(self.failed_ids()))

    def failed_ids(self) -> list[str]:
        return sorted(p.stem for p in self.failed.glob("*.json"))

    def write(self, rid: str, result: Run, coordinates: dict, provenance: dict) -> Path:
        """Write every file of a run, then publish the folder in one rename."""
        tmp = self.runs / f".tmp-{rid}-{os.getpid()}"
        try:
            self.runs.mkdir(parents=True, exist_ok=True)
            for stale in self.runs.glob(f".tmp-{rid}-*"):  # left by a writer that was killed
                shutil.rmtree(stale, ignore_errors=True)
            tmp.mkdir()
            for name, table in result.tables().items():
                with_coordinates(table, rid, coordinates).to_parquet(tmp / f"{name}.parquet", index=False)
            serial.save(result.config, tmp / "config.yaml")
            (tmp / "run.json").write_text(json.dumps(
                {"run_id": rid, "coordinates": coordinates, **provenance}, indent=2, default=str))
        except OSError as exc:  # a full disk: give the space back, keep every finished run
            shutil.rmtree(tmp, ignore_errors=True)
            raise cannot_write(self.folder, exc) from None
        final = self.runs / rid
        try:
            tmp.rename(final)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if not final.is_dir():  # else another worker finished the same run first
                raise cannot_write(self.folder, exc) from None
        (self.failed / f"{rid}.json").unlink(missing_ok=True)
        return final

    def write_failure(self, rid: str, coordinates: dict, exc: BaseException, provenance: dict) -> None:
        record = {"run_id": rid, "coordinates": coordinates, "error": f"{type(exc).__name__}: {exc}",
                  "traceback": "".join(traceback.format_exception(exc)), **provenance}
        tmp = self.failed / f".{rid}.json.tmp"
        try:
            self.failed.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(record, indent=2, default=str))
            tmp.replace(self.failed / f"{rid}.json")
        except OSError as error:
            tmp.unlink(missing_ok=True)
            raise cannot_write(self.folder, error) from None

    # ------------------------------------------------------------ reading
    def table(self, name: str, everything: bool = False) -> pd.DataFrame:
        """One tidy table over the latest sweep's finished runs (`summary`, `timeseries`, ...)."""
        import pandas as pd

        files = [self.runs / rid / f"{name}.parquet" for rid in self.selected_ids(everything)]
        files = [f for f in files if f.exists()]  # a run written by an older cxsim may lack a newer table
        if not files:
            return pd.DataFrame()
        return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)

    def failures(self, everything: bool = False) -> pd.DataFrame:
        import pandas as pd

        marked = {p.name for p in self.current.glob("*")} if self.current.is_dir() else set()
        rows = [json.loads(p.read_text()) for p in sorted(self.failed.glob("*.json"))
                if everything or not marked or p.stem in marked]
        return pd.DataFrame([{"run_id": r["run_id"], "error": r["error"],
                              **{f"coord.{k}": v for k, v in r["coordinates"].items()}} for r in rows])

    def provenance(self, everything: bool = False) -> pd.DataFrame:
        import pandas as pd

        rows = [json.loads((self.runs / rid / "run.json").read_text()) for rid in self.selected_ids(everything)]
        return pd.json_normalize(rows)
