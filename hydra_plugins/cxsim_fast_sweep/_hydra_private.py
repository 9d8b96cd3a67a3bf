"""Every private part of Hydra the fast sweep uses, in one place, checked on import (and one of
joblib's loky, checked when used).

The fast path (`_compose`, `_job`, `cxsim_sweeper`) does what Hydra 1.3 does, with Hydra's own
functions, but some of them are not Hydra's public API: its config loader's override step, the
directory name of a job's overrides, the basic sweeper it extends, and two helpers of `run_job`.
They are imported here and nowhere else, and `check()` runs on import: on a Hydra whose private
parts moved or changed, every sweep fails at once with one line naming the Hydra version and the
part that is missing, not deep inside a job. `tests/test_sweep.py` checks the message.

loky's start method (`loky_start_method`) only makes the workers cheaper to start: where a joblib
lacks it, the workers start loky's own way, and `tests/test_config_errors.py` fails on that joblib.
"""

from __future__ import annotations

import inspect

import hydra
from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.utils import _flush_loggers, _save_config

SUPPORTED = "1.3."  # the Hydra versions the fast path was written for and is tested on
# each private part, and the parameters it must take
NEEDED = {
    "ConfigLoaderImpl._apply_overrides_to_config": (ConfigLoaderImpl, "_apply_overrides_to_config",
                                                    ["overrides", "cfg"]),
    "get_overrides_dirname": (get_overrides_dirname, None, ["overrides", "exclude_keys", "item_sep", "kv_sep"]),
    "BasicSweeper.split_arguments": (BasicSweeper, "split_arguments", ["overrides", "max_batch_size"]),
    "_save_config": (_save_config, None, ["cfg", "filename", "output_dir"]),
}

__all__ = ["BasicSweeper", "BasicSweeperConf", "ConfigLoaderImpl", "_flush_loggers", "_save_config",
           "check", "get_overrides_dirname", "loky_start_method"]


class IncompatibleHydra(ImportError):
    """The installed Hydra lacks a private part the fast sweep needs (an ImportError: the plugin does not load)."""


def check(version: str = hydra.__version__, needed: dict = NEEDED) -> None:
    """Fail loudly, in one line, when this Hydra is not one the fast sweep can use."""
    if not version.startswith(SUPPORTED):
        raise IncompatibleHydra(f"cxsim's fast sweep needs Hydra {SUPPORTED}x, found {version} "
                                f"(pip install 'hydra-core=={SUPPORTED}*')")
    for name, (owner, attribute, params) in needed.items():
        part = getattr(owner, attribute, None) if attribute else owner
        if part is None or [p for p in params if p not in inspect.signature(part).parameters]:
            raise IncompatibleHydra(f"cxsim's fast sweep needs Hydra's private {name}({', '.join(params)}), "
                                    f"which Hydra {version} does not have in that form")


check()


def loky_start_method():
    """joblib's loky `backend.context` module (its `set_start_method`, `get_start_method`,
    `START_METHODS`), or None where this joblib does not have it in that form."""
    try:
        from joblib.externals.loky.backend import context
    except ImportError:
        return None
    parts = ("set_start_method", "get_start_method", "START_METHODS")
    if not all(hasattr(context, part) for part in parts) or "forkserver" not in context.START_METHODS:
        return None
    return context
