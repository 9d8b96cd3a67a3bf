"""Crash safety (issue 7): a sweep killed at random moments or stopped by a full
disk keeps every finished run complete, never shows a half-written one, and a
rerun ends with exactly the results of a sweep that was never interrupted.

The full-disk tests mount a small tmpfs (a real file system that fills up),
which needs root, as on these machines and in CI.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from omegaconf import OmegaConf
from pandas.testing import assert_frame_equal

from cxsim.api import TABLES, simulate
from cxsim.config.errors import OutputError
from cxsim.runs.store import Store, run_id

SMALL = ["days=40", "org.customers=400"]
GRID = ["regime=ceo_led,no_owner", "replicate=range(0,8)", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]
RUNS = 16
FILES = {f"{t}.parquet" for t in TABLES} | {"run.json", "config.yaml"}
QUARTERLY = {"budgets", "initiatives"}  # no row before the first budget round (day 91): a 40-day run's are empty


def sweep(folder: Path, wait: bool = True):
    cmd = [sys.executable, "-m", "cxsim.runs.cli", "-m", *GRID, *SMALL, f"hydra.sweep.dir={folder}"]
    if not wait:
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    return subprocess.run(cmd, capture_output=True, text=True)


def tables(folder: Path) -> dict[str, pd.DataFrame]:
    store = Store(folder)  # rows of one run keep their order; runs in id order
    return {t: store.table(t).sort_values("run_id", kind="stable").reset_index(drop=True) for t in TABLES}


def assert_only_complete_runs(folder: Path) -> int:
    """Every run the store lists has all its files, each one readable; the tables read exactly those."""
    store = Store(folder)
    finished = store.finished_ids()
    for rid in finished:
        run = store.runs / rid
        assert {p.name for p in run.iterdir()} == FILES, rid
        for name in TABLES:
            table = pd.read_parquet(run / f"{name}.parquet")  # a half-written Parquet file does not read
            assert len(table) > 0 or (name in QUARTERLY and "run_id" in table), (rid, name)
        OmegaConf.load(run / "config.yaml")
        assert '"run_id"' in (run / "run.json").read_text()
    assert len(store.table("summary", everything=True)) == len(finished)  # half-written folders are never read
    return len(finished)


def assert_rerun_completes(folder: Path, uninterrupted: dict[str, pd.DataFrame]) -> None:
    """The same command again finishes the sweep, with every table equal to the uninterrupted one's."""
    p = sweep(folder)
    assert p.returncode == 0, p.stderr
    assert assert_only_complete_runs(folder) == RUNS
    resumed = tables(folder)
    for name in TABLES:
        assert_frame_equal(resumed[name], uninterrupted[name], obj=name)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> dict[str, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("whole")
    p = sweep(folder)
    assert p.returncode == 0, p.stderr
    assert len(Store(folder).finished_ids()) == RUNS
    return tables(folder)


def test_random_kills_leave_only_complete_runs_and_a_rerun_gives_the_same_results(tmp_path, uninterrupted):
    """Four SIGKILLs of the whole process group (launcher and workers) into one store, each at a
    random moment: during start-up, or after a random number of further runs plus a random delay
    (so mid-write is among the moments hit); then a rerun to the end."""
    rng = random.Random(20261122)  # the kill moments are random but the same in every test run
    folder, kills, landed = tmp_path / "killed", 0, []
    for trial in range(4):
        before = len(Store(folder).finished_ids()) if folder.exists() else 0
        proc = sweep(folder, wait=False)
        if trial == 0:  # in start-up: Hydra composing, workers importing
            time.sleep(rng.uniform(0.3, 2.5))
        else:
            target = min(RUNS - 1, before + rng.randint(1, 3))
            deadline = time.time() + 120
            while len(Store(folder).finished_ids()) < target and time.time() < deadline and proc.poll() is None:
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 0.5))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        landed.append(assert_only_complete_runs(folder) if (folder / "runs").exists() else 0)
    assert kills == 4 and landed[-1] < RUNS, f"every kill should land before the end: {landed}"
    print(f"kills survived: {kills}; finished runs after each: {landed}")

    assert_rerun_completes(folder, uninterrupted)


@contextlib.contextmanager
def small_disk(path: Path, size: str):
    """A real, tiny file system at `path` (tmpfs), unmounted afterwards."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True)
    assert mounted.returncode == 0, f"these tests mount a tmpfs and need root: {mounted.stderr.strip()}"
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_a_full_disk_stops_the_sweep_with_one_line_and_keeps_what_was_done(tmp_path, uninterrupted):
    with small_disk(tmp_path / "disk", "900k") as disk:
        folder = disk / "sweep"
        p = sweep(folder)
        assert p.returncode == 2
        errors = [line for line in p.stderr.splitlines() if "error" in line.lower()]
        assert len(errors) == 1 and "Traceback" not in p.stderr, p.stderr
        assert str(folder) in errors[0] and "No space left on device" in errors[0]
        kept = assert_only_complete_runs(folder)
        assert 0 < kept < RUNS
        assert not list((folder / "runs").glob(".tmp-*")), "a failed write gives its space back"
        assert f"the {kept} finished runs are kept" in errors[0]

        subprocess.run(["mount", "-o", "remount,size=4m", str(disk)], check=True)  # make room
        assert_rerun_completes(folder, uninterrupted)


def test_a_write_that_fills_the_disk_raises_one_line_and_leaves_no_partial_run(tmp_path):
    result = simulate(regime="ceo_led", seed=1, days=40, customers=400)
    with small_disk(tmp_path / "disk", "1m") as disk:
        store = Store(disk / "sweep")
        store.write(run_id({"r": "0"}), result, {"r": "0"}, {"seed": 1})
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        (disk / "ballast").write_bytes(b"\0" * (free - 20_000))  # room for a file or two, not a run
        with pytest.raises(OutputError, match=r"sweep: cannot write results here: .*No space left on device"):
            store.write(run_id({"r": "1"}), result, {"r": "1"}, {"seed": 1})
        assert store.finished_ids() == [run_id({"r": "0"})]
        assert not list(store.runs.glob(".tmp-*"))
        with pytest.raises(OutputError, match="No space left"):
            store.write_failure(run_id({"r": "2"}), {"r": "2"}, RuntimeError("x" * 50_000), {"seed": 1})
        assert not store.failed.exists() or not any(store.failed.iterdir())
        assert assert_only_complete_runs(store.folder) == 1
