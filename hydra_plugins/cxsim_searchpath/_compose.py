"""Compose a sweep's configs once per worker: what differs between jobs is applied as Hydra applies it.

Hydra composes every job of a multirun from scratch (`load_sweep_config`):
the defaults list, every file of it merged, the schema checked, then the
job's overrides applied. In a sweep most jobs differ from an earlier one only
in plain values (`replicate=3`, `days=365`, `levers.ceo_attention=8`). Here a
worker composes the first job of each *shape* in full, with Hydra's own
loader, and keeps it; a later job of the same shape is a copy of that config
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

import copy
from typing import Any, Sequence

from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override, OverrideType
from omegaconf import DictConfig, OmegaConf, open_dict

_parser = OverridesParser.create()
_cache: dict[tuple, DictConfig] = {}  # per process: (master config's id, shape) -> composed config


def compose(loader: Any, master: DictConfig, overrides: Sequence[str], master_id: str = "") -> DictConfig:
    """The job's config: as `loader.load_sweep_config(master, overrides)` gives it."""
    parsed = [_parser.parse_override(text) for text in overrides]
    shape = shape_of(loader, parsed)
    if shape is None:
        return loader.load_sweep_config(master, list(overrides))
    key = (master_id, shape)
    if key not in _cache:
        if len(_cache) > 64:  # a worker keeps the shapes of the batch it works on
            _cache.clear()
        _cache[key] = loader.load_sweep_config(master, list(overrides))
        return copy.deepcopy(_cache[key])
    config = copy.deepcopy(_cache[key])
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
