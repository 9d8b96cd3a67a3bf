"""Compose a run's config with Hydra, from inside or outside a Hydra app.

The Model, the CLI, the tests and notebooks all get their configs here, so a
config means the same thing wherever it is used.
"""

from __future__ import annotations

import functools
import importlib
import pickle
import re
from pathlib import Path

from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import OverrideType
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from cxsim.config import cache, files, resolvers, schema
from cxsim.config.errors import ConfigError

CONFIG_DIR = (Path(__file__).resolve().parents[1] / "conf").resolve()  # inside the package: a wheel ships it
EXPERIMENTS_DIR = CONFIG_DIR / "experiments"  # the named experiments: the config group `experiments`


def available(group: str) -> list[str]:
    """Names of the configs in a group (`regime`, `org`, ...)."""
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def experiments() -> list[str]:
    """Names of the named experiments (`cxsim/conf/experiments/*.yaml`)."""
    return sorted(p.stem for p in EXPERIMENTS_DIR.glob("*.yaml"))


def compose(overrides: list[str] | tuple[str, ...] = ()) -> DictConfig:
    """Compose `cxsim/conf/config.yaml` with Hydra override strings, then validate.

    Works inside a running Hydra app (reusing its search path) and outside one.
    Outside one, a composed config is kept per process and each call gets its
    own copy: Hydra takes about 0.3 s to compose, a copy 4 ms (unpickled; a
    deepcopy takes 40), and scripts, notebooks and tests build many models
    from the same few configs. Overrides that only set values (`days=365`,
    `mechanisms.handoff.drop_share=0.4`: what the crossover's screening, the
    explanations and the uncertainty samples vary) are set on the config the
    group choices compose to, as Hydra sets them (`with_values`). The
    config files' modification times are part of the key, so an edited file is
    composed again.
    """
    overrides = tuple(files.rewrite(overrides))  # your own files' paths -> their options (cxsim.config.files)
    if GlobalHydra.instance().is_initialized():
        return composed(overrides, search_path_of_the_running_app=True)
    return pickle.loads(cached(overrides, files_fingerprint()))


def composed(overrides: tuple[str, ...], search_path_of_the_running_app: bool = False) -> DictConfig:
    """Hydra's composition of `config` with the overrides, validated; a ConfigError naming the key if not."""
    from cxsim.config.validation import validate

    schema.register()
    try:
        if search_path_of_the_running_app:
            cfg = hydra_compose(config_name="config", overrides=[*overrides, *running_search_path()])
        else:
            with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
                cfg = hydra_compose(config_name="config", overrides=list(overrides))
    except (HydraException, OmegaConfBaseException) as exc:
        raise ConfigError(one_line(exc)) from None
    try:
        validate(cfg)
    except ConfigError as exc:
        raise ConfigError(files.located(str(exc), overrides)) from None
    return cfg


def running_search_path() -> list[str]:
    """The running app's `hydra.searchpath` as an override: Hydra adds those folders (a company's
    configs) to the composition of the app's own config, not to a later `compose` inside its job."""
    from hydra.core.hydra_config import HydraConfig

    paths = list(HydraConfig.get().searchpath) if HydraConfig.initialized() else []
    return [f"hydra.searchpath=[{','.join(repr(str(p)) for p in paths)}]"] if paths else []


@functools.lru_cache(maxsize=256)
def cached(overrides: tuple[str, ...], fingerprint: tuple) -> bytes:
    """The composition, pickled: kept in this process, and on disk for the next (`cxsim.config.cache`)."""
    name = cache.key(overrides, fingerprint)
    kept = cache.read(name)
    if kept is not None:
        resolvers.register()  # what Hydra's composition would have registered: the config resolves its seed
        return kept
    split = values_apart(overrides)
    if split is None or not split[1]:
        made = pickle.dumps(composed(overrides))
    else:
        choices, values = split
        config = pickle.loads(cached(choices, fingerprint))
        made = pickle.dumps(with_values(config, values) or composed(overrides))
    cache.write(name, made)
    return made


def with_values(config: DictConfig, values: list[tuple[str, object]]) -> DictConfig | None:
    """The composed config with plain values set in order, as Hydra sets a `key=value` override
    (`OmegaConf.update(..., merge=True)`: the schema converts and checks the type), then validated;
    None when a value is refused, so that Hydra composes it in full and says what is wrong in its words."""
    from cxsim.config.validation import validate

    try:
        for key, value in values:
            OmegaConf.update(config, key, value, merge=True)
        validate(config)
    except (OmegaConfBaseException, ConfigError):
        return None
    return config


def values_apart(overrides: tuple[str, ...]) -> tuple[tuple[str, ...], list[tuple[str, object]]] | None:
    """(the config group choices, the plain `key=value` settings) of the overrides; None when one is
    anything else (an addition or deletion, a sweep, a `hydra.` key, a dict or list, unparsable):
    those Hydra composes in full. Hydra, too, applies every group choice before any value."""
    parser, groups = OverridesParser.create(), ConfigStore.instance().repo
    choices, values = [], []
    for text in overrides:
        try:
            o = parser.parse_override(text)
        except HydraException:
            return None
        if o.type != OverrideType.CHANGE or o.package is not None or o.is_sweep_override() or o.is_hydra_override():
            return None
        key = o.key_or_group
        if "/" in key or (CONFIG_DIR / key).is_dir() or key in groups:
            choices.append(text)  # a config group's option: `regime=coo_owned`
        elif isinstance(o.value(), (dict, list)):
            return None  # merged into what is there, not set
        else:
            values.append((key, o.value()))
    return tuple(choices), values


def files_fingerprint() -> tuple:
    """(path, mtime) of every config file composition can read (about 40 stat calls, well under 1 ms)."""
    return tuple((str(p), p.stat().st_mtime_ns) for p in sorted(CONFIG_DIR.rglob("*.yaml")))


def check_choices(overrides) -> None:
    """A ConfigError, in the one line `one_line` gives, for a preset's name that no file of its group has
    (`regime=nope`, `regime=ceo_led,nope`): what Hydra would report in twenty lines. Overrides whose
    paths were rewritten (`files.rewrite`) name stored options, which count as found."""
    for _, key, group, values in files.preset_choices(overrides):
        for name in values:
            if name not in available(group) and not files.is_option(name):
                options = [n for n in available(group) if not n.endswith("_schema")]
                raise ConfigError(f"{key}: no {group} named {name!r}; available: {', '.join(options)}; "
                                  f"or your own file: {key}=PATH.yaml")


def regime(name: str) -> DictConfig:
    """Load one regime config by name (for a mid-run reorg)."""
    return compose([f"regime={name}"]).regime


def one_line(exc: BaseException) -> str:
    """One line from a Hydra/OmegaConf error: what is wrong, and with which key."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    text = lines[0] if lines else type(exc).__name__
    if text.endswith("composing config:") and len(lines) > 1:  # a config file's value the schema refused
        where = re.match(r"In '([^']*)'", text)
        key = next((ln.removeprefix("full_key:").strip() for ln in lines if ln.startswith("full_key:")), "")
        text = f"{where.group(1) + '.yaml: ' if where else ''}{key + ': ' if key else ''}{lines[1]}"
    if text.startswith("Error merging override") and exc.__cause__ is not None:
        cause = str(exc.__cause__).splitlines()[0]
        text = f"{text.removeprefix('Error merging override').strip()}: {cause}"
    missing = re.search(r"Could not find '(\w+)/([^']*)'", text)
    if missing and f"{missing[1]}/{missing[2]}" in PLUGINS:
        return plugin_failure(f"{missing[1]}/{missing[2]}") or text
    if missing:
        group, name = missing.groups()
        options = [n for n in available(group) if not n.endswith("_schema")]
        text = f"{group}: no config named {name!r}; available: {', '.join(options)}"
        if group in files.SCHEMAS:
            text += f"; or your own file: {group}=PATH.yaml"
    return text


# The Hydra plugins config.yaml names, by the option they provide: when one cannot be imported Hydra only
# warns, and composition fails later on the option that is missing.
PLUGINS = {"hydra/sweeper/cxsim": "hydra_plugins.cxsim_fast_sweep.cxsim_sweeper",
           "hydra/launcher/joblib": "hydra_plugins.hydra_joblib_launcher.joblib_launcher"}


def plugin_failure(option: str) -> str | None:
    """One line saying which import broke the plugin providing `option`; None if it imports."""
    module = PLUGINS[option]
    try:
        importlib.import_module(module)  # by name: config does not depend on how runs are launched
    except Exception as exc:  # noqa: BLE001 - whatever broke the plugin is what the user must read
        return (f"{option}: the plugin {module} did not load: {type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''}")
    return None


class Params(dict):
    """A resolved config section with attribute access.

    The model reads parameters in its inner loop; an OmegaConf node costs
    microseconds per read, a dict a few tens of nanoseconds. The instance's
    attribute dictionary is the dict itself, so `p.key` is a plain attribute
    read (about 3x faster than a `__getattr__` fallback). The class defines no
    `__getattr__`: Python would look it up at every read, a key that is there
    included (about 40% slower); a missing key raises the usual AttributeError.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__ = self

    @classmethod
    def of(cls, node) -> Params:
        data = OmegaConf.to_container(node, resolve=True) if isinstance(node, DictConfig) else node
        return cls._wrap(data)

    @classmethod
    def _wrap(cls, value):
        if isinstance(value, dict):
            return cls({k: cls._wrap(v) for k, v in value.items()})
        if isinstance(value, list):
            return [cls._wrap(v) for v in value]
        return value


class Watched(Params):
    """Params that note the path of every value the model reads from them, into `reads`.

    A run that never reads a parameter is, whatever the parameter's value, the same run: the
    crossover's screening reuses the comparison's run instead of making it again
    (`cxsim.decide.crossover`). A read is a leaf's value handed out (by attribute, item, `get`,
    `items`, `values` or `copy`); a list counts as one value. A run reading through it takes about
    twice as long: only the runs that ask pay it.
    """

    def __init__(self, data: dict, path: str, reads: set[str]):
        dict.__init__(self, data)  # no `__dict__ = self`: every read has to pass `__getattr__`
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_reads", reads)

    @classmethod
    def of(cls, node, path: str = "", reads: set[str] | None = None) -> Watched:
        """The section at `path` (`mechanisms.`, `regime.`), noting reads into `reads`."""
        data = OmegaConf.to_container(node, resolve=True) if isinstance(node, DictConfig) else node
        return cls._watch(data, path, set() if reads is None else reads)

    @classmethod
    def _watch(cls, value, path: str, reads: set[str]):
        if isinstance(value, dict):
            return cls({k: cls._watch(v, f"{path}{k}.", reads) for k, v in dict.items(value)}, path, reads)
        return value

    def _read(self, key, value):
        if not isinstance(value, Watched):
            self._reads.add(f"{self._path}{key}")
        return value

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self._read(key, dict.__getitem__(self, key))
        except KeyError:
            raise AttributeError(key) from None

    def __getitem__(self, key):
        return self._read(key, dict.__getitem__(self, key))

    def get(self, key, default=None):
        return self[key] if key in self else default

    def items(self):
        return [(k, self._read(k, v)) for k, v in dict.items(self)]

    def values(self):
        return [self._read(k, v) for k, v in dict.items(self)]

    def copy(self):
        return dict(self.items())


def was_read(reads: set[str], key: str) -> bool:
    """Did a run noting its reads into `reads` (`Watched`) read the value at `key`, or a section holding it?"""
    parts = key.split(".")
    return any(".".join(parts[:n]) in reads for n in range(1, len(parts) + 1))
