"""Compose a sweep's configs once per worker: what differs between jobs is applied as Hydra applies it.

Hydra composes every job of a multirun from scratch (`load_sweep_config`):
the defaults list, every file of it merged, the schema checked, then the
job's overrides applied. In a sweep most jobs differ from an earlier one only
in plain values (`replicate=3`, `days=365`, `levers.ceo_attention=8`). Here
the first job of each *shape* is composed in full, with Hydra's own loader,
and kept (pickled): by the sweeper when it validates the sweep in the main
process, which sends what it composed to each worker once, or by the worker
that meets the shape first. A later job of the same shape is a copy of that config
with the job's plain overrides applied by Hydra's own function
(`ConfigLoaderImpl._apply_overrides_to_config`) and the job's entries of the
`hydra` node (`overrides.task`, `job.override_dirname`) set as Hydra sets
them. The shape is everything that could make the composition differ apart
from those values: the config group choices and additions or deletions (as
written), the keys of the plain overrides in their order. A job whose plain
overrides set a dict or a list (merged, not replaced) or touch the `hydra`
node is composed in full. `tests/test_sweep.py` proves the result equal, key
by key, to Hydra's composition for every job of the named experiments and of
a company's comparison.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from typing import Any

import cloudpickle
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override, OverrideType
from omegaconf import DictConfig, OmegaConf, open_dict

from hydra_plugins.cxsim_fast_sweep._hydra_private import ConfigLoaderImpl, get_overrides_dirname

_parser = OverridesParser.create()
_cache: dict[tuple[int, tuple], bytes] = {}  # per process: (id of the master config, shape) -> composed config, pickled
_masters: dict[int, DictConfig] = {}  # the master configs of the entries: an id is not reused while they live


def compose(loader: Any, master: DictConfig, overrides: Sequence[str]) -> DictConfig:
    """The job's config: as `loader.load_sweep_config(master, overrides)` gives it."""
    parsed = [_parser.parse_override(text) for text in overrides]
    shape = shape_of(loader, parsed)
    if shape is None:
        return loader.load_sweep_config(master, list(overrides))
    if (id(master), shape) not in _cache:
        config = loader.load_sweep_config(master, list(overrides))
        keep(master, shape, cloudpickle.dumps(config))  # (cloudpickle: a launcher's config class is
        return config  # not the one its module holds once Hydra has scanned the plugins)
    config = pickle.loads(_cache[id(master), shape])  # a copy: 4 ms, where a deepcopy takes 40
    plain = [o for o in parsed if is_plain(loader, o)]
    ConfigLoaderImpl._apply_overrides_to_config(plain, config)
    with open_dict(config.hydra):
        config.hydra.overrides.task = [o.input_line for o in parsed]
        config.hydra.job.override_dirname = get_overrides_dirname(
            overrides=parsed, kv_sep=config.hydra.job.config.override_dirname.kv_sep,
            item_sep=config.hydra.job.config.override_dirname.item_sep,
            exclude_keys=config.hydra.job.config.override_dirname.exclude_keys)
    OmegaConf.copy_cache(from_config=master, to_config=config)
    return config


def keep(master: DictConfig, shape: tuple, data: bytes) -> None:
    if len(_cache) > 64:  # a process keeps the shapes of the batch it works on
        _cache.clear()
        _masters.clear()
    _masters[id(master)] = master
    _cache[id(master), shape] = data


def entries(master: DictConfig) -> list[tuple[tuple, bytes]]:
    """The shapes composed for this master config (in the main process, when the sweep was validated)."""
    return [(shape, data) for (mid, shape), data in _cache.items() if mid == id(master)]


def install(master: DictConfig, composed: list[tuple[tuple, bytes]]) -> None:
    """Give a worker the shapes composed elsewhere for the same master config (its own unpickled copy)."""
    for shape, data in composed:
        keep(master, shape, data)


def is_plain(loader: Any, override: Override) -> bool:
    """A `key=value` change of a config value (not a config group's choice, not + or ~)."""
    return override.type == OverrideType.CHANGE and not loader.repository.group_exists(override.key_or_group)


def shape_of(loader: Any, parsed: list[Override]) -> tuple | None:
    """What the composition depends on besides plain values; None if the job must be composed in full."""
    shape = []
    for o in parsed:
        if o.is_hydra_override() or o.is_sweep_override():
            return None
        if is_plain(loader, o):
            if isinstance(o.value(), (dict, list)):
                return None  # merged into the value already there: the copy would keep the last job's keys
            shape.append(("value", o.key_or_group))
        else:
            shape.append(("group", o.input_line))
    return tuple(shape)
