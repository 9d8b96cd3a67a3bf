"""Two costs of Hydra's joblib launcher that a sweep of short runs feels.

1. Its worker processes start when the first job is sent, each a new
   interpreter that then imports Mesa, numpy and pandas (about 1.3 CPU-s)
   before any work. `start_workers` starts them while the main process still
   validates the sweep, forked from a server process that has imported those
   once (`fork_from_a_server`).
2. It pickles the same Hydra context, config, task function and global state
   with every job (about 95 KB: 19 ms in the main process, 13 ms in the
   worker, per job). `launch` pickles them once, sends the bytes, and each
   worker unpickles them once and keeps them, as the launcher's own
   one-process mode keeps the same objects for every job. The configs the
   sweeper composed when it validated the sweep go with them (`_compose`).

Both keep the launcher's settings (n_jobs, batch_size, ...) and the way each
job runs (`execute_job` of the joblib launcher, step by step), so results do
not change. Three more steps of that function are ours: a job whose key names a
finished run is not composed (`cxsim.runs.resume`; the key of one that is not
goes on to its run, which records it), a job's config comes from the worker's
composition cache (`_compose`), equal to Hydra's, and Hydra's `run_job` is
`_job.run_job`: its steps with fewer copies of the config.
"""

from __future__ import annotations

import gc
import importlib
import logging
import multiprocessing
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, JobStatus, configure_log, filter_overrides, setup_globals

log = logging.getLogger(__name__)


def is_joblib(launcher: Any) -> bool:
    return type(launcher).__name__ == "JoblibLauncher" and hasattr(launcher, "joblib")


# What every job imports anyway: pandas and Parquet for the store, the model (Mesa, numpy); and this module
PRELOAD = ["pandas", "pyarrow.parquet", "cxsim.runs.api", __name__]


def imports() -> None:
    """`PRELOAD`, imported (nothing to do in a worker forked from the server that preloaded it)."""
    for module in PRELOAD:
        importlib.import_module(module)


def fork_from_a_server() -> None:
    """Have loky start this process's workers by forking them from a server process that imported
    the model once (Python's `forkserver` start method, Python's default from 3.14), not each as a new
    interpreter importing it again (loky's own method). A sweep of two short runs on two workers: 4.3
    CPU-s, now 2.9. The server is one process started from a short stack, without this process's
    threads, so forking from it is safe. A start method this process chose before is kept."""
    from hydra_plugins.cxsim_fast_sweep._hydra_private import loky_start_method

    context = loky_start_method()
    if context is None or context.get_start_method() is not None:
        return
    multiprocessing.set_forkserver_preload(PRELOAD)
    context.set_start_method("forkserver")


def import_the_model() -> None:
    """`imports`, from a thread of its own. Mesa reads the whole call stack when it is imported
    (`mesa.mesa_logging.method_logger`: the source of every frame), so the import costs more the
    deeper it starts: 1.1-1.4 s 45 frames deep, as in a job under Hydra, against 0.85 s from a new
    thread's short stack (the same modules loaded before)."""
    thread = threading.Thread(target=imports)
    thread.start()
    thread.join()


def warm_worker() -> None:
    """A worker's head start: the model imported, and frozen (`gc.freeze`: the collector's full passes
    then walk the runs' objects alone, not every module's too; only in a worker, never the caller's)."""
    import_the_model()
    gc.freeze()


def start_workers(launcher: Any) -> threading.Thread | None:
    """Start the launcher's workers in the background and import the model in them (one worker,
    `n_jobs=1`: the jobs run in this process, and the model is imported here now, from a short stack).

    joblib keeps one reusable loky executor per process and hands it to the
    next `Parallel` with the same settings, so the launcher's call finds these
    workers ready. A failure here costs nothing: the launcher starts its own.
    """
    if not is_joblib(launcher):
        return None
    if launcher.joblib.get("n_jobs") in (None, 1):
        import_the_model()
        return None
    fork_from_a_server()
    settings = dict(launcher.joblib)

    def warm() -> None:
        from joblib import Parallel, delayed

        try:
            n = Parallel(n_jobs=settings["n_jobs"])._effective_n_jobs()
            Parallel(n_jobs=n, backend="loky", temp_folder=settings.get("temp_folder"),
                     max_nbytes=settings.get("max_nbytes"), mmap_mode=settings.get("mmap_mode", "r"))(
                delayed(warm_worker)() for _ in range(n))
        except Exception:  # noqa: BLE001 - only a head start
            log.debug("could not start the workers early", exc_info=True)

    thread = threading.Thread(target=warm, daemon=True)
    thread.start()
    return thread


class Shared:
    """What every job of a batch gets, pickled once; unpickled once per worker.

    In the main process (n_jobs=1 runs the jobs there) nothing is pickled:
    the jobs use the objects themselves, as the launcher's own code does.
    """

    _loaded: dict[str, tuple] = {}  # per process: batch key -> objects

    def __init__(self, *objects: Any):
        self.key = uuid.uuid4().hex
        self.data: bytes | None = None
        Shared._loaded[self.key] = objects

    def __getstate__(self) -> dict:
        if self.data is None:  # the first job sent to a worker pickles it; the rest reuse the bytes
            import cloudpickle

            self.data = cloudpickle.dumps(Shared._loaded[self.key])
        return {"key": self.key, "data": self.data}

    def load(self) -> tuple:
        if self.key not in Shared._loaded:
            import pickle

            from hydra_plugins.cxsim_fast_sweep import _compose

            Shared._loaded.clear()  # a worker keeps one batch's state at a time
            Shared._loaded[self.key] = objects = pickle.loads(self.data)
            _compose.install(objects[1], objects[4])  # the configs the sweeper composed, for this worker's master
        return Shared._loaded[self.key]


def execute_shared(idx: int, overrides: Sequence[str], shared: Shared, sweep_dir: str) -> JobReturn:
    """`hydra_joblib_launcher._core.execute_job`, but a finished job (by its key) is skipped and the
    job's config comes from the worker's composition cache (`_compose`)."""
    from omegaconf import open_dict

    from hydra_plugins.cxsim_fast_sweep import _compose, _job

    hydra_context, config, task_function, singleton_state, _ = shared.load()
    done = finished(config, overrides, sweep_dir)
    if done is not None:
        return done
    setup_globals()
    Singleton.set_state(singleton_state)
    sweep_config = _compose.compose(hydra_context.config_loader, config, overrides)
    with open_dict(sweep_config):
        sweep_config.hydra.job.id = f"{sweep_config.hydra.job.name}_{idx}"
        sweep_config.hydra.job.num = idx
    # (execute_job sets HydraConfig here too; run_job sets it first thing: a copy of the hydra node less)
    return _job.run_job(hydra_context, sweep_config, task_function)


def finished(config, overrides: Sequence[str], sweep_dir: str) -> JobReturn | None:
    """A job whose key names a finished run in the store: marked as the sweep's, not composed, not run."""
    from cxsim.runs import resume
    from cxsim.runs.store import Store

    store = Store(sweep_dir)
    rid = store.run_of_key(resume.for_the_run(config.hydra.runtime.config_sources, list(overrides)))
    if rid is None:
        return None  # it runs next, and its run reuses the key
    resume.forget()
    return already_done(store, rid, overrides)


def already_done(store, rid: str, overrides: Sequence[str]) -> JobReturn:
    """A finished run, marked as this sweep's: the job's return without running it."""
    store.mark_current(rid)
    log.info("already done: %s", " ".join(overrides))
    return JobReturn(overrides=list(overrides), status=JobStatus.COMPLETED, _return_value=None)


def launch(launcher: Any, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
    """`hydra_joblib_launcher._core.launch`, sending the shared state once per worker."""
    from hydra_plugins.hydra_joblib_launcher._core import process_joblib_cfg
    from joblib import Parallel, delayed

    from hydra_plugins.cxsim_fast_sweep import _compose

    setup_globals()
    fork_from_a_server()  # (done already when the sweeper started the workers early)
    configure_log(launcher.config.hydra.hydra_logging, launcher.config.hydra.verbose)
    sweep_dir = Path(str(launcher.config.hydra.sweep.dir))
    sweep_dir.mkdir(parents=True, exist_ok=True)
    joblib_cfg = launcher.joblib
    joblib_cfg["backend"] = "loky"  # as the launcher: threads are incompatible with Hydra
    process_joblib_cfg(joblib_cfg)
    log.info("Joblib.Parallel(%s) is launching %d jobs",
             ",".join(f"{k}={v}" for k, v in joblib_cfg.items()), len(job_overrides))
    log.info("Launching jobs, sweep output dir : %s", sweep_dir)
    for idx, overrides in enumerate(job_overrides):
        log.info("\t#%d : %s", idx, " ".join(filter_overrides(overrides)))

    shared = Shared(launcher.hydra_context, launcher.config, launcher.task_function, Singleton.get_state(),
                    _compose.entries(launcher.config))
    runs = Parallel(**joblib_cfg)(
        delayed(execute_shared)(initial_job_idx + idx, overrides, shared, str(sweep_dir))
        for idx, overrides in enumerate(job_overrides)
    )
    assert all(isinstance(run, JobReturn) for run in runs)
    return runs
