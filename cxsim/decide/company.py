"""A company's own file: its organisation, today's regime, the candidates, and
the assumptions it is unsure of (issue 5, the reorg comparison).

    name: Mid-size motor insurer
    org: {...}                      # an org as in cxsim/conf/org/*.yaml, a preset's name, or an org file's path
    today: no_owner                 # today's regime: a preset's name or a regime file's path
    candidates: [ceo_led, coo_owned, cxo_facilitator, journey_teams, my_regime.yaml]
    uncertain:                      # config key: [low, high]
      levers.ceo_attention: [2, 10]
    targets:                        # outcome: {max: x} or {min: x}
      annual_churn_rate: {max: 0.12}

Every error names the file, the line and the key, e.g.
``my_org.yaml:23: org.departments.claims.capacity: must be >= 0, got -3.0``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from cxsim.analysis.statistics import OUTCOMES
from cxsim.config import files, validation
from cxsim.config.composition import available, compose
from cxsim.config.errors import ConfigError
from cxsim.config.files import interpolations, read_checked
from cxsim.config.schema import OrgCfg
from cxsim.config.validation import validate
from cxsim.runs.api import outcome_names

KEYS = {"name", "description", "org", "today", "candidates", "uncertain", "targets", "days", "seeds", "samples",
        "trajectories", "switch_day"}


@dataclass
class Company:
    name: str
    config: DictConfig  # the full run config with the company's org and today's regime
    today: str
    candidates: list[str]
    uncertain: dict[str, tuple[float, float]]
    targets: dict[str, dict[str, float]]
    days: int
    seeds: int
    samples: int  # Latin hypercube samples of the uncertain assumptions
    trajectories: int  # Morris trajectories for the sensitivity of the winner's lead
    switch_day: int  # day of the switch in the transition
    org_preset: str | None = None  # the org's preset name when the file names one
    regime_files: dict[str, Path] = field(default_factory=dict)  # a regime given as a file: its name here -> path

    def regime_ref(self, regime: str) -> str:
        """What composes the regime named `regime` here: a preset's name, or the path of its file."""
        return str(self.regime_files[regime]) if regime in self.regime_files else regime


def boundary(cfg: DictConfig, key: str) -> bool:
    """Whether `key` is `org.friction.FROM.TO` for two of the org's departments: a boundary's friction
    today, which the org need not name to be uncertain (it starts at the base friction)."""
    parts = key.split(".")
    return (len(parts) == 4 and parts[:2] == ["org", "friction"]
            and all(p in cfg.org.departments for p in parts[2:]) and parts[2] != parts[3])


def load(path: str | Path) -> Company:
    """Read and check a company file; every mistake is one line `file:line: key: why`."""
    path = Path(path)
    data, fail = read_checked(path, "name, org, today, candidates, ...", KEYS)
    for key in interpolations(data):  # `${oc.env:...}` would read the environment into reports
        fail(key, "'${...}' is not allowed in a company file: write the value itself")
    for key in ("org", "today", "candidates"):
        if key not in data:
            raise ConfigError(f"{path}: {key}: missing")
    if files.is_file(data["org"]):  # an org file beside it (a path relative to the company file)
        fail = org_file(data, path.parent / Path(data["org"]).expanduser(), fail)
    regime_files = regime_files_of(data, path.parent, fail)
    check_regimes(data, fail, regime_files)
    cfg = company_config(data, fail, regime_files)
    uncertain, targets = uncertain_ranges(data, cfg, fail), targets_of(data, fail)
    for key in ("seeds", "samples", "trajectories", "switch_day"):
        if key in data:
            checked(fail, key, validation.count, data[key], 1,
                    validation.MOST_DAYS if key == "switch_day" else validation.MOST_RUNS)
    switch_day = int(data.get("switch_day", min(90, int(cfg.days) // 4)))
    if switch_day >= int(cfg.days):
        fail("switch_day", f"must be before the horizon (days: {int(cfg.days)}), got {switch_day}")
    org = data["org"]
    return Company(name=str(data.get("name", path.stem)), config=cfg, today=data["today"],
                   candidates=list(data["candidates"]), uncertain=uncertain, targets=targets,
                   days=int(cfg.days), seeds=int(data.get("seeds", 3)), samples=int(data.get("samples", 16)),
                   trajectories=int(data.get("trajectories", 4)),
                   switch_day=switch_day, org_preset=org if isinstance(org, str) else None,
                   regime_files={label: p for label, (p, _) in regime_files.items()})


def checked(fail, key: str, check, value, *args):
    """`check(key, value, *args)` of cxsim.config.validation; its mistake is reported by `fail` at the file's line."""
    try:
        return check(key, value, *args)
    except ConfigError as exc:
        fail(key, str(exc).partition(": ")[2])


def org_file(data: dict, path: Path, fail):
    """Read the org file the company file names into `data`; a `fail` that puts a mistake of the org's
    at its line in the org file."""
    data["org"], lines = files.read_group_file("org", path)

    def fail_in_org_file(key: str, msg: str):
        if key == "org" or key.startswith("org."):
            key = key.removeprefix("org").lstrip(".")
            raise ConfigError(f"{files.where(path, lines, key)}: {key or 'org'}: {msg}")
        fail(key, msg)

    return fail_in_org_file


def regime_files_of(data: dict, folder: Path, fail) -> dict[str, tuple[Path, dict[str, int]]]:
    """Today's regime and the candidates given as regime files (paths relative to the company file):
    each checked, and named in `data` by its file's stem; name -> (path, line of every key)."""
    presets = set(available("regime"))
    found: dict[str, tuple[Path, dict[str, int]]] = {}
    entries = [("today", data["today"])]
    if isinstance(data["candidates"], list):
        entries += [(f"candidates.{i}", r) for i, r in enumerate(data["candidates"])]
    for key, value in entries:
        if not files.is_file(value):
            continue
        path = (folder / Path(value).expanduser()).resolve()
        label = files.name_of(path)
        if label in presets or (label in found and found[label][0] != path):
            fail(key, f"the file's name {label!r} is already a regime's here; rename the file")
        found[label] = (path, files.read_group_file("regime", path)[1])
        if key == "today":
            data["today"] = label
        else:
            data["candidates"][int(key.split(".")[1])] = label
    return found


def check_regimes(data: dict, fail, regime_files: dict) -> None:
    """Today's regime and the candidates name regimes in `cxsim/conf/regime/` or regime files."""
    regimes = [r for r in available("regime") if not r.endswith("_schema")] + list(regime_files)
    if data["today"] not in regimes:
        fail("today", f"no regime named {data['today']!r}; available: {', '.join(regimes)}")
    candidates = data["candidates"]
    if not isinstance(candidates, list) or not candidates:
        fail("candidates", "a list of regimes is needed")
    for i, r in enumerate(candidates):
        if r not in regimes:
            fail(f"candidates.{i}", f"no regime named {r!r}; available: {', '.join(regimes)}")


def company_config(data: dict, fail, regime_files: dict) -> DictConfig:
    """Today's config: today's regime on the company's org (a preset's name or the org itself), validated;
    each regime file's on it validated too."""
    org = data["org"]
    presets = [o for o in available("org") if not o.endswith("_schema")]
    try:
        if isinstance(org, str):
            if org not in presets:
                fail("org", f"no org preset named {org!r}; available: {', '.join(presets)}")
            cfg = compose([f"regime={ref(data['today'], regime_files)}", f"org={org}"])
        else:
            cfg = compose([f"regime={ref(data['today'], regime_files)}"])
            merged = OmegaConf.merge(OmegaConf.structured(OrgCfg), org)
            OmegaConf.set_struct(cfg, False)
            cfg.org = merged
            OmegaConf.set_struct(cfg, True)
        if "days" in data:
            cfg.days = data["days"]
        if data["today"] in regime_files:
            cfg.regime.name = data["today"]
        validate(cfg)
    except OmegaConfBaseException as exc:
        key = "org." + (getattr(exc, "full_key", "") or "")
        fail(key.rstrip("."), str(exc).splitlines()[0])
    except ConfigError as exc:
        key, _, msg = str(exc).partition(": ")
        fail(key, msg)
    for label, (path, lines) in regime_files.items():
        regime_on_the_org(cfg, label, path, lines)
    return cfg


def ref(regime: str, regime_files: dict) -> str:
    return str(regime_files[regime][0]) if regime in regime_files else regime


def regime_on_the_org(cfg: DictConfig, label: str, path: Path, lines: dict[str, int]) -> None:
    """A regime file's regime on the company's org, validated; a mistake at its line in the regime file.
    Its `name` becomes the company file's name for it (the runs record it)."""
    trial = cfg.copy()
    trial.regime = compose([f"regime={path}"]).regime
    trial.regime.name = label
    try:
        validate(trial)
    except ConfigError as exc:
        key, _, msg = str(exc).partition(": ")
        key = key.removeprefix("regime.")
        raise ConfigError(f"{files.where(path, lines, key)}: {key}: {msg}") from None


def uncertain_ranges(data: dict, cfg: DictConfig, fail) -> dict[str, tuple[float, float]]:
    """The uncertain assumptions: config keys with [low, high], both ends values the model accepts."""
    uncertain = {}
    for key, bounds in (data.get("uncertain") or {}).items():
        if OmegaConf.select(cfg, key, default="__missing__") == "__missing__" and not boundary(cfg, key):
            fail(f"uncertain.{key}", "no such parameter in the config")
        uncertain[key] = checked(fail, f"uncertain.{key}", validation.interval, bounds)
        for end in bounds:
            trial = cfg.copy()
            try:
                OmegaConf.update(trial, key, float(end), force_add=True)  # a boundary's friction may be new
                validate(trial)
            except (ConfigError, OmegaConfBaseException) as exc:
                fail(f"uncertain.{key}", f"{end!r} is not a valid value: {str(exc).splitlines()[0]}")
    return uncertain


def targets_of(data: dict, fail) -> dict[str, dict[str, float]]:
    """The company's targets: an outcome with a {min: x} and/or {max: x} bound."""
    targets = {}
    known = outcome_names()
    for outcome, bound in (data.get("targets") or {}).items():
        if outcome not in known:
            fail(f"targets.{outcome}", f"no outcome named {outcome!r}; e.g. {', '.join(sorted(OUTCOMES))}")
        if (not isinstance(bound, dict) or not bound or set(bound) - {"min", "max"}
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in bound.values())):
            fail(f"targets.{outcome}", f"give {{max: x}} or {{min: x}} with a number x, got {bound!r}")
        for k, v in bound.items():  # finite, and within what a run can reach
            checked(fail, f"targets.{outcome}.{k}", validation.number, v, -validation.MOST[0])
        targets[outcome] = {k: float(v) for k, v in bound.items()}
    return targets
