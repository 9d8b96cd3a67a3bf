"""Resume before composing: a sweep job's key, known from its overrides and the files it can read.

A finished run's id in the store is a hash of its resolved config
(`cxsim.runs.sweep.config_id`), so finding it means composing the job first:
0.1-0.35 s a job, most of a rerun of a finished sweep. Every finished run
also records a *key*: a hash of the job's overrides, the config sources on
its search path, and the contents of every YAML file in them that the job
can read. A job whose key names a finished run is skipped without composing
(`hydra_plugins/cxsim_fast_sweep/_joblib.py`). A changed file, override or
search path, or a change to the schema or the resolvers (the code a resolved
config depends on), gives another key; the job is then composed and checked
by its config id, as before: the key only skips what that check would skip.

"Every file it can read" is, in every folder of the search path, its own YAML
files and those of each config group (cxsim's, and any the job's overrides
name), except in a big config group (more than `BIG_GROUP` options: the
sampled assumptions of a calibration or a reorg comparison) that the job picks
an option of by an override: there, the picked file only (and the group's
`*_schema` files). The overrides count in their order (a later one wins).
So a calibration that writes the next generation's samples does not change
the keys of the runs it has finished.

A sweep launched from code (`cxsim.runs.sweep.launch`: comparisons, reorgs,
calibrations) is checked before any process starts: when every job's key
names a finished run (`finished_jobs`), nothing is launched.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from pathlib import Path

from cxsim.config.composition import CONFIG_DIR

BIG_GROUP = 20  # options in a config group beyond which a job reads only the one it picks
# the code a resolved config depends on: the structured schema (defaults of keys no file sets) and the
# resolvers (a run's seed)
CONFIG_CODE = tuple(Path(__file__).resolve().parents[1] / "config" / name for name in ("schema.py", "resolvers.py"))


_pending: dict[tuple[str, ...], str] = {}  # per process: a job's key, computed before it ran, for its run


def key(sources, overrides) -> str:
    """The job's key (`sources`: `hydra.runtime.config_sources`; `overrides`: the job's overrides)."""
    found = _pending.pop(tuple(overrides), None)
    if found is not None:
        return found
    return fresh_key(sources, overrides)


def for_the_run(sources, overrides) -> str:
    """The job's key, computed before the job runs (by the launcher, to skip a finished job); kept for
    the job's own call to `key`, which follows at once in this process (one job at a time)."""
    _pending.clear()
    found = _pending[tuple(overrides)] = fresh_key(sources, overrides)
    return found


def forget() -> None:
    """The job whose key was kept does not run (it had finished): keep nothing for another."""
    _pending.clear()


def fresh_key(sources, overrides) -> str:
    """The job's key from the files as they are now."""
    folders = tuple(sorted(str(s["path"]) for s in sources if s.get("schema") == "file"))
    picked = {}
    for text in overrides:
        name, _, value = text.partition("=")
        picked[name.lstrip("+~")] = value
    groups = config_groups() | set(picked)
    files = {}
    for folder in folders:
        found = contents(folder, tuple(sorted(groups)))
        sizes = Counter(rel.rpartition("/")[0] for rel in found)  # options per config group
        for rel, sha in found.items():
            group, _, option = rel.rpartition("/")
            stem = option.removesuffix(".yaml")
            if (group in picked and stem != picked[group] and not stem.endswith("_schema")
                    and sizes[group] > BIG_GROUP):
                continue  # another option of a big group this job picks from: it cannot read it
            files[f"{folder}:{rel}"] = sha
    code = {p.name: digest(str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in CONFIG_CODE}
    text = json.dumps({"overrides": list(overrides), "folders": folders, "files": files, "code": code},
                      sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()[:20]


@functools.cache
def config_groups() -> frozenset[str]:
    """The config groups of cxsim's own config folder (the named experiments' among them)."""
    return frozenset(p.name for p in CONFIG_DIR.iterdir() if p.is_dir())


def contents(folder: str, groups: tuple[str, ...]) -> dict[str, str]:
    """Relative path -> hash of the folder's own YAML files and those of the given config groups in it
    (each file read once per version)."""
    root = Path(folder)
    paths = list(root.glob("*.yaml"))
    for group in groups:
        paths += (root / group).rglob("*.yaml")
    out = {}
    for path in sorted(paths):
        stat = path.stat()
        out[path.relative_to(root).as_posix()] = digest(str(path), stat.st_mtime_ns, stat.st_size)
    return out


@functools.lru_cache(maxsize=100_000)
def digest(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()


def sources(extra: str | Path | None = None) -> list[dict]:
    """The file config sources of a cxsim sweep, as Hydra lists them (`hydra.runtime.config_sources`):
    cxsim's configs (the named experiments among them) and a folder put on the search path."""
    out = [{"path": str(CONFIG_DIR), "schema": "file"}]
    if extra is not None:
        out.append({"path": str(Path(extra).resolve()), "schema": "file"})
    return out


def runs_of(store, config_sources, jobs) -> list[str] | None:
    """The finished run each job's key names in the store, in order; None unless every job has one."""
    if not store.keys.is_dir():
        return None
    runs = []
    for overrides in jobs:
        rid = store.run_of_key(fresh_key(config_sources, list(overrides)))
        if rid is None:
            return None
        runs.append(rid)
    return runs


def finished_jobs(store, overrides: list[str], extra: str | Path | None = None) -> list[str] | None:
    """The finished runs of every job of a sweep launched with these overrides (and `extra` on the
    search path), the jobs listed as Hydra's basic sweeper lists them; None if one has none, or if the
    jobs cannot be listed without composing (an experiment's own sweep parameters, a glob over a config
    group's files, a change to the sweeper or the search path)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import Glob

    from hydra_plugins.cxsim_fast_sweep._hydra_private import BasicSweeper

    hydra = [o for o in overrides if o.lstrip("+~").startswith(("hydra.", "hydra/"))]
    task = [o for o in overrides if o not in hydra]
    if any(not o.startswith(("hydra.launcher.", "hydra/launcher=")) for o in hydra) or \
            any(o.lstrip("+~").startswith("experiments") for o in task):
        return None  # the search path or the sweeper changed, or an experiment adds its own sweep
    parsed = OverridesParser.create().parse_overrides(task)
    if any(isinstance(o.value(), Glob) for o in parsed):
        return None
    return runs_of(store, sources(extra), BasicSweeper.split_arguments(parsed, None)[0])
