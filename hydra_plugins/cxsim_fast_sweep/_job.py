"""Hydra's `run_job` for a sweep job, step by step, with its copies made by pickle.

`hydra.core.utils.run_job` copies a job's config four times: two masked
copies of the `hydra` node (`HydraConfig.set_config`, before and after the
output folder is set), a `copy.deepcopy` of the whole config for the task
and one of the masked copy for the job's return; about 45 ms a job, a
twentieth of a two-year run. Here the output folder is set first, so the
`hydra` node is masked once, the job's return holds that masked copy (made
for this job alone and read-only), and the task's copy is a pickle round
trip (`cxsim.config.serial.copy_of`: an equal config in a fifth of the time). Every
other step is Hydra's, in its order: the job's folder, the working directory
(`hydra.job.chdir`), the job's logging, Hydra's copy of the config
(`hydra.output_subdir`), `hydra.job.env_set`, the callbacks, the return and
its status, and the state restored afterwards. A job whose output folder
needs the `hydra` resolver (`${hydra:...}`) in `hydra.sweep.dir` or its
`subdir` is run by Hydra's own `run_job`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.core.utils import JobReturn, JobRuntime, JobStatus, configure_log, env_override
from hydra.core.utils import run_job as hydra_run_job
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from cxsim.config.serial import copy_of
from hydra_plugins.cxsim_fast_sweep._hydra_private import _flush_loggers, _save_config


def uses_hydra_resolver(config: DictConfig) -> bool:
    """True if the job's output folder (`hydra.sweep.dir`, `.subdir`, as written) asks the `hydra`
    resolver, which reads the HydraConfig Hydra sets before it resolves them."""
    raw = OmegaConf.to_container(config.hydra.sweep, resolve=False)
    return any("${hydra:" in str(raw.get(key)) for key in ("dir", "subdir"))


def run_job(hydra_context: Any, config: DictConfig, task_function: Any) -> JobReturn:
    """`hydra.core.utils.run_job(..., job_dir_key="hydra.sweep.dir", job_subdir_key="hydra.sweep.subdir")`."""
    if uses_hydra_resolver(config):
        return hydra_run_job(hydra_context=hydra_context, config=config, task_function=task_function,
                             job_dir_key="hydra.sweep.dir", job_subdir_key="hydra.sweep.subdir")
    callbacks = hydra_context.callbacks
    old_cwd = os.getcwd()
    orig_hydra_cfg = HydraConfig.instance().cfg
    output_dir = os.path.abspath(os.path.join(str(OmegaConf.select(config, "hydra.sweep.dir")),
                                              str(OmegaConf.select(config, "hydra.sweep.subdir"))))
    with read_write(config.hydra.runtime), open_dict(config.hydra.runtime):
        config.hydra.runtime.output_dir = output_dir
    HydraConfig.instance().set_config(config)
    _chdir = None
    try:
        ret = JobReturn()
        task_cfg = task_config(config)
        ret.cfg = task_cfg
        hydra_cfg = HydraConfig.instance().cfg  # this job's own masked copy, read-only: Hydra copies it again
        ret.hydra_cfg = hydra_cfg
        ret.overrides = OmegaConf.to_container(config.hydra.overrides.task)
        Path(output_dir).mkdir(parents=True, exist_ok=True)
        _chdir = bool(hydra_cfg.hydra.job.chdir)  # cxsim's version_base: None means False (Hydra >= 1.2)
        if _chdir:
            os.chdir(output_dir)
            ret.working_dir = output_dir
        else:
            ret.working_dir = os.getcwd()
        configure_log(config.hydra.job_logging, config.hydra.verbose)
        if config.hydra.output_subdir is not None:
            hydra_output = Path(config.hydra.runtime.output_dir) / Path(config.hydra.output_subdir)
            _save_config(task_cfg, "config.yaml", hydra_output)
            _save_config(hydra_cfg, "hydra.yaml", hydra_output)
            _save_config(config.hydra.overrides.task, "overrides.yaml", hydra_output)
        with env_override(hydra_cfg.hydra.job.env_set):
            callbacks.on_job_start(config=config, task_function=task_function)
            try:
                ret.return_value = task_function(task_cfg)
                ret.status = JobStatus.COMPLETED
            except Exception as e:  # noqa: BLE001 - as Hydra: the failure is the job's return
                ret.return_value = e
                ret.status = JobStatus.FAILED
        ret.task_name = JobRuntime.instance().get("name")
        _flush_loggers()
        callbacks.on_job_end(config=config, job_return=ret)
        return ret
    finally:
        HydraConfig.instance().cfg = orig_hydra_cfg
        if _chdir:
            os.chdir(old_cwd)


def task_config(config: DictConfig) -> DictConfig:
    """The config the task sees: the job's, without its `hydra` node (a copy: the task may change it)."""
    task_cfg = copy_of(config)
    with read_write(task_cfg), open_dict(task_cfg):
        del task_cfg["hydra"]
    return task_cfg
