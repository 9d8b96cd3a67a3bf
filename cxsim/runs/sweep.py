"""Sweeps: Hydra multirun jobs that write into a results store, with progress.

    cxsim-sweep regime_showdown                       # a named experiment (cxsim/conf/experiments/*.yaml)
    cxsim-sweep ceo_attention hydra.launcher.n_jobs=2
    cxsim-sweep ceo_attention org=my_org.yaml         # on your own org file (any path ending in .yaml)
    cxsim -m +experiments=regime_showdown             # the same, through Hydra directly
    cxsim -m regime='glob(*,exclude=*_schema)' replicate='range(0,5)'   # ad hoc

Each job runs one simulation. Its seed derives from the sweep's master seed
and its replicate number, so every regime meets the same customers for a
replicate (common random numbers) and a rerun is identical. Finished runs are
skipped on a rerun, so a killed sweep resumes where it stopped (named
experiments keep their store at `multirun/NAME`). A run that raises is
recorded in `failed/` and the sweep goes on.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import logging
import os
import platform
import shutil
import sys
import threading
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Glob
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from cxsim.config import files
from cxsim.config.composition import available
from cxsim.config.errors import ConfigError, OutputError
from cxsim.runs import resume
from cxsim.runs.store import Store, cannot_write, ensure_writable

log = logging.getLogger("cxsim.runs.sweep")


def coordinates() -> dict[str, str]:
    """The job's overrides: what makes this run differ from the sweep's others."""
    out = {}
    for item in HydraConfig.get().overrides.task:
        key, _, value = item.partition("=")
        out[key.lstrip("+~")] = value
    return out


def config_id(cfg: DictConfig) -> str:
    """Identity of a run: a hash of its whole resolved config, so a changed
    experiment file or override never reuses a stale result."""
    text = json.dumps(OmegaConf.to_container(cfg, resolve=True), sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


@functools.cache
def versions() -> dict[str, str]:
    """Package versions, read once per process (importlib.metadata scans the environment)."""
    return {name: version(name) for name in ("cxsim", "mesa")}


def provenance(cfg: DictConfig, started: float, wall: float | None) -> dict:
    return {
        "seed": int(cfg.seed), "replicate": int(cfg.replicate), "master_seed": int(cfg.master_seed),
        "experiment": cfg.experiment, "overrides": list(HydraConfig.get().overrides.task),
        "cxsim_version": versions()["cxsim"], "mesa_version": versions()["mesa"],
        "python": platform.python_version(), "host": platform.node(),
        "started": datetime.fromtimestamp(started, UTC).isoformat(), "wall_seconds": wall,
    }


MIN_FREE_BYTES = 256 * 1024  # a run's files take 100-300 KB: below this a job stops before simulating
_failed: dict[Path, tuple[int, OutputError]] = {}  # per process: store -> (free bytes, error) of a failed write


def check_room(store: Store) -> None:
    """Refuse a job before its simulation when its run could not be saved: the disk is
    nearly full, or a write into this store already failed here and no room was made since."""
    free = shutil.disk_usage(store.folder).free
    if free < MIN_FREE_BYTES:
        raise cannot_write(store.folder, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    if store.folder in _failed and free < _failed[store.folder][0] + MIN_FREE_BYTES:
        raise _failed[store.folder][1]  # the same error again, whatever it was


def run_job(cfg: DictConfig) -> None:
    """One job of a multirun: skip it if it is done, else run it into the store.

    A store that cannot be written (a full disk) raises OutputError, which
    stops the sweep (`cxsim_sweeper`); a run that raises is recorded as failed
    and the sweep goes on.
    """
    from cxsim.runs.api import simulate

    hydra = HydraConfig.get()
    store = Store(hydra.sweep.dir)
    rid, coords = config_id(cfg), coordinates()
    store.mark_current(rid)
    key = resume.key(hydra.runtime.config_sources, list(hydra.overrides.task))
    if store.done(rid):
        log.info("already done: %s", coords)
        store.record_key(key, rid)  # a run finished before keys were kept: skipped uncomposed from now on
        return
    check_room(store)
    started = time.time()
    try:
        try:
            result = simulate(config=cfg)
        except Exception as exc:  # noqa: BLE001 - any failure is recorded, the sweep goes on
            store.write_failure(rid, coords, exc, provenance(cfg, started, time.time() - started))
            log.error("run failed %s: %s: %s", coords, type(exc).__name__, exc)
            return
        store.write(rid, result, coords, provenance(cfg, started, time.time() - started))
        store.record_key(key, rid)
    except OutputError as exc:
        _failed[store.folder] = (shutil.disk_usage(store.folder).free, exc)
        raise


# ------------------------------------------------------------------ progress
def sweep_size(config: DictConfig) -> int:
    """Number of jobs: the product of the sweep values over all swept keys."""
    params = {}
    for key, value in (OmegaConf.select(config, "hydra.sweeper.params") or {}).items():
        params[key] = f"{key}={value}"
    for item in config.hydra.overrides.task:
        params[item.partition("=")[0].lstrip("+~")] = item
    total = 1
    for override in OverridesParser.create().parse_overrides(list(params.values())):
        value = override.value()
        if isinstance(value, Glob):  # a glob over a config group: match its files
            total *= len(value.filter(available(override.key_or_group)))
        elif override.is_sweep_override():
            total *= len(list(override.sweep_string_iterator()))
    return total


def finished_line(store: Store, total: int, seconds: float) -> str:
    """The line a sweep ends with (read by the callers of `launch`)."""
    done, failed = store.current_counts()
    return f"cxsim-sweep: {done} runs done, {failed} failed, of {total} in {seconds:.0f} s; results in {store.folder}"


class SweepProgress(Callback):
    """Runs done, failed and ETA while a multirun works, from the store on disk.

    On a terminal it is a tqdm bar; elsewhere (CI, logs) a plain line every
    `every` seconds. It reads only the store, so it works with any launcher.
    """

    def __init__(self, every: float = 30.0):
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __getstate__(self) -> dict:
        # launchers pickle the callbacks into their workers: send the settings only
        return {"every": self.every}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        try:
            ensure_writable(config.hydra.sweep.dir)
        except ConfigError as exc:
            print(f"cxsim-sweep: error: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
        self.store = Store(config.hydra.sweep.dir)
        self.store.start_sweep()
        self.total = sweep_size(config)
        self.before = 0
        self.start = time.time()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        print(finished_line(self.store, self.total, time.time() - self.start), file=sys.stderr)

    def _watch(self) -> None:
        if sys.stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(total=self.total, initial=self.before, unit="run", desc="sweep")
            while not self._stop.wait(1.0):
                done, failed = self.store.current_counts()
                bar.n = done + failed
                bar.set_postfix(failed=failed)
                bar.refresh()
            bar.close()
            return
        while not self._stop.wait(self.every):
            done, failed = self.store.current_counts()
            new = done + failed - self.before
            elapsed = time.time() - self.start
            left = self.total - done - failed
            eta = f"{elapsed / new * left:.0f} s" if new > 0 else "?"
            print(f"cxsim-sweep: {done}/{self.total} done, {failed} failed, ETA {eta}", file=sys.stderr)


# ------------------------------------------------------------------ launching from code
def already_finished(store_dir: Path, overrides: list[str], configs: str | Path | None) -> bool:
    """True if every job of the sweep has finished (by its key, `resume.finished_jobs`): its runs are
    marked as the latest sweep's and the progress line printed, as a rerun through Hydra would, with no
    process started."""
    store = Store(store_dir)
    found = resume.finished_jobs(store, overrides, configs)
    if found is None:
        return False
    store.start_sweep()
    for rid in found:
        store.mark_current(rid)
    print(finished_line(store, len(found), 0.0), file=sys.stderr)
    return True


def quoted(value: str | Path) -> str:
    """A value for a Hydra override, quoted so spaces and commas stay literal."""
    text = str(value)
    if any(c in text for c in "'\\$"):
        raise ConfigError(f"{text!r}: a path with quotes, backslashes or $ cannot be passed to Hydra")
    return f"'{text}'"


def launch(store_dir: str | Path, overrides: list[str], configs: str | Path | None = None,
           jobs: int | None = None) -> None:
    """Run a Hydra multirun of `cxsim` into the store at `store_dir`, in a child process.

    `configs`: an extra config folder put on Hydra's search path (a company's
    org and sampled assumptions). Progress goes to stderr; Hydra's job list to
    `store_dir/launch.log`. Finished runs are skipped, so calling it again
    after an interruption resumes; if every job has finished, no process
    starts (`already_finished`) and the last launch log stays as it was.
    Raises ConfigError if Hydra refuses the sweep.
    """
    import subprocess

    store_dir = Path(store_dir).resolve()
    store_dir.mkdir(parents=True, exist_ok=True)
    if already_finished(store_dir, files.rewrite(overrides), configs):  # as the child will see them
        return
    cmd = [sys.executable, "-m", "cxsim.runs.cli", "-m", f"hydra.sweep.dir={quoted(store_dir)}", *overrides]
    if configs is not None:
        cmd.append(f"hydra.searchpath=[{quoted('file://' + str(Path(configs).resolve()))}]")
    if jobs:
        cmd.append(f"hydra.launcher.n_jobs={int(jobs)}")
    lines = []
    with open(store_dir / "launch.log", "w") as log_file:
        proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.PIPE, text=True)
        for line in proc.stderr:  # progress lines live, the rest kept for an error message
            if line.startswith("cxsim-sweep:"):
                print(line.rstrip(), file=sys.stderr, flush=True)
                if line.startswith("cxsim-sweep: error: "):  # e.g. a full disk: the reason it stopped
                    lines.append(line.removeprefix("cxsim-sweep: error: "))
            elif line.strip():
                lines.append(line)
        proc.wait()
    if proc.returncode != 0:
        (store_dir / "launch.err").write_text("".join(lines))
        last = next((ln for ln in reversed(lines) if not ln.startswith("Set the environment")), "no message")
        raise ConfigError(f"the sweep in {store_dir} stopped: {last.strip()} (full output: {store_dir / 'launch.err'})")
