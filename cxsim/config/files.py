"""Your own files: an org, a regime or a mechanisms file anywhere, named by its path where a preset's name goes.

    cxsim org=../acme/org.yaml regime=my_regime.yaml
    cxsim -m regime=ceo_led,my_regime.yaml replicate=0,1,2
    simulate(org="acme_org.yaml")                     # the Python API, CXModel, cxsim-compare --org ...

A value of `org`, `regime`, `mechanisms` or `reorg.to` that ends in `.yaml`
(or `.yml`) is a file's path, relative to the working directory; any other
value names a preset in `cxsim/conf/GROUP/`. A file looks like a preset: the
same keys, no header (a preset copied out keeps working). Each file is checked
when it is named, and every mistake is one line `file:line: key: why`. It
then becomes an option of its config group in Hydra's ConfigStore, named
`STEM-HASH` after the file and its content: a run records that name, a sweep's
jobs (in other processes too: Hydra's launchers carry the ConfigStore to them)
compose it as any preset, and a changed file is another option (a sweep's
resume key and the composition cache see the change).

The same reading of a user's YAML file, with the line of every key, serves
the company and observed-data files (`read_checked`).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import yaml
from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import ChoiceSweep, OverrideType
from hydra.errors import HydraException
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from cxsim.config.errors import ConfigError
from cxsim.config.schema import MechanismsCfg, OrgCfg, RegimeCfg

KEYS = {"org": "org", "regime": "regime", "mechanisms": "mechanisms", "reorg.to": "regime"}  # key -> its group
SCHEMAS = {"org": OrgCfg, "regime": RegimeCfg, "mechanisms": MechanismsCfg}
PROVIDER = "cxsim user file"

_read: dict[str, tuple[str, Path, dict[str, int]]] = {}  # option name -> (group, file, line of every key)


def is_file(value) -> bool:
    """Whether a value names a file (ends in .yaml or .yml) rather than a preset."""
    return isinstance(value, str) and value.lower().endswith((".yaml", ".yml"))


def is_option(name: str) -> bool:
    """Whether `name` is the option a file was made in this process."""
    return name in _read


def option(group: str, path: str | Path) -> str:
    """Check the file and make it an option of `group`; its name (to use where the path was)."""
    path = Path(path).expanduser()
    data, lines = read_group_file(group, path)
    digest = hashlib.sha1(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:8]
    name = f"{name_of(path)}-{digest}"
    if name not in _read:
        ConfigStore.instance().store(group=group, name=name, node=data, provider=PROVIDER)
        _read[name] = (group, path, lines)
    return name


def name_of(path: Path) -> str:
    """A file's stem as a name Hydra takes for a config option (letters, digits, underscores)."""
    return re.sub(r"[^A-Za-z0-9_]+", "_", path.stem)


def read_group_file(group: str, path: Path) -> tuple[dict, dict[str, int]]:
    """An org, regime or mechanisms file as a mapping its schema accepts, and the line of every key;
    a one-line error if not."""
    data, lines = read_yaml(path, f"an {group} file, as in cxsim/conf/{group}/")

    def fail(key: str, msg: str):
        raise ConfigError(f"{where(path, lines, key)}: {key}: {msg}")

    header = data.pop("defaults", None)  # a preset's old header: the group's schema is applied anyway
    if header is not None and header not in ([f"{group}_schema", "_self_"], [f"{group}_schema"]):
        fail("defaults", f"not needed in an {group} file: remove it")
    for key in interpolations(data):
        fail(key, "'${...}' is not allowed in your own file: write the value itself")
    try:
        OmegaConf.merge(OmegaConf.structured(SCHEMAS[group]), data)
    except OmegaConfBaseException as exc:
        fail(str(getattr(exc, "full_key", "") or ""), str(exc).splitlines()[0])
    return data, lines


def rewrite(overrides) -> list[str]:
    """The overrides with every file's path replaced by its option's name (see the module's doc)."""
    if not any(".yaml" in text.lower() or ".yml" in text.lower() for text in overrides):
        return list(overrides)  # the usual case, without parsing (every model's config is composed here)
    out = []
    for text, key, group, values in preset_choices(overrides):
        if not any(is_file(v) for v in values):
            out.append(text)
            continue
        names = [option(group, v) if is_file(v) else v for v in values]
        prefix = text[:len(text) - len(text.lstrip("+~"))]
        out.append(f"{prefix}{key}={','.join(names)}")
    return out


def preset_choices(overrides):
    """Each override as (text, key, group, values): for a key that takes a preset (KEYS), its group and
    the names or paths it gives (one, or a sweep's plain list); for any other override (another key, a
    deletion, a glob or a range, one Hydra cannot parse and will report) no group and no values."""
    parser = OverridesParser.create()
    for text in overrides:
        try:
            parsed = parser.parse_override(text)
        except HydraException:
            yield text, None, None, []
            continue
        group = KEYS.get(parsed.key_or_group) if parsed.type != OverrideType.DEL else None
        value = parsed.value() if group else None
        if isinstance(value, ChoiceSweep) and value.simple_form:
            yield text, parsed.key_or_group, group, [str(v) for v in value.list]
        elif isinstance(value, str):
            yield text, parsed.key_or_group, group, [value]
        else:
            yield text, parsed.key_or_group, None, []


def located(message: str, overrides) -> str:
    """A config error (`key: why`) about a key that one of your files named in `overrides` set, as
    `file:line: key: why`; any other message as it was."""
    key, sep, why = message.partition(": ")
    group, _, rest = key.partition(".")
    for text in overrides:
        name, chosen = text.lstrip("+").partition("=")[::2]
        if sep and name == group and chosen in _read:
            _, path, lines = _read[chosen]
            return f"{where(path, lines, rest)}: {rest}: {why}"
    return message


# ------------------------------------------------------------------ reading a user's YAML with its lines
def line_map(text: str) -> dict[str, int]:
    """Dotted key path -> line number (1-based) of every key in a YAML text."""
    lines: dict[str, int] = {}

    def walk(node, path):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                p = f"{path}.{key.value}" if path else str(key.value)
                lines[p] = key.start_mark.line + 1
                walk(value, p)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                p = f"{path}.{i}"
                lines.setdefault(p, item.start_mark.line + 1)
                walk(item, p)

    walk(yaml.compose(text), "")
    return lines


def where(path: Path, lines: dict[str, int], key: str) -> str:
    """`file:line` of the key, or of its nearest parent that is in the file (a list item: the list's)."""
    parts = re.sub(r"\[\d+\]", "", str(key)).split(".")
    while parts:
        if ".".join(parts) in lines:
            return f"{path}:{lines['.'.join(parts)]}"
        parts.pop()
    return str(path)


def interpolations(value, key: str = "") -> list[str]:
    """Dotted keys whose value (or the key itself) holds an OmegaConf interpolation `${...}`."""
    if isinstance(value, dict):
        return [k for sub, v in value.items() for k in interpolations(v, f"{key}.{sub}" if key else str(sub))
                ] + ([f"{key}.{sub}" if key else str(sub) for sub in value if "${" in str(sub)])
    if isinstance(value, list):
        return [k for i, v in enumerate(value) for k in interpolations(v, f"{key}.{i}")]
    return [key] if isinstance(value, str) and "${" in value else []


def read_yaml(path: Path, what: str) -> tuple[dict, dict[str, int]]:
    """A user's YAML file as a mapping, with the line of every key; a one-line ConfigError otherwise."""
    try:
        text = path.read_text()
        data = yaml.safe_load(text)
        lines = line_map(text)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save the file as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{path}:{mark.line + 1}" if mark else str(path)
        why = str(getattr(exc, "problem", None) or exc).splitlines()[0]
        raise ConfigError(f"{at}: not valid YAML: {why}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the file must be a mapping of keys ({what})")
    return data, lines


def read_checked(path: Path, what: str, keys: set[str] | None):
    """A user's YAML file (`read_yaml`) whose top-level keys are all in `keys` (None: any), and
    `fail(key, msg)`, which raises the one-line ConfigError `file:line: key: msg`."""
    data, lines = read_yaml(path, what)

    def fail(key: str, msg: str):
        raise ConfigError(f"{where(path, lines, key)}: {key}: {msg}")

    for key in data if keys is not None else ():
        if key not in keys:
            fail(key, f"unknown key; expected one of {', '.join(sorted(keys))}")
    return data, fail
