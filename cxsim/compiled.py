"""Which build of the case flow runs: compiled, or the Python source it is compiled from.

The modules with a `.pxd` beside them are compiled at install (`hatch_build.py`), which notes in
`compiled.json` a hash of every source it compiled. Python imports an extension module before a source
of the same name, so an extension whose sources changed since (a module edited after `make install`)
would run the old code: then the source is imported instead, without a word, as Python recompiles a
stale `.pyc` (`compiled_modules()` says which build runs). `CXSIM_PURE=1` imports
every such module from its source: the pure-Python reference the compiled build is tested against
(`tests/test_compiled.py`).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from functools import cache
from importlib.machinery import EXTENSION_SUFFIXES, PathFinder
from importlib.util import spec_from_file_location
from pathlib import Path

ROOT = Path(__file__).parent
MANIFEST = ROOT / "compiled.json"  # written by hatch_build.py: source path -> sha256 when compiled


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@cache
def compiled_sources() -> dict[str, str] | None:
    """What the last build compiled: source path (relative to the package's parent) -> its sha256;
    None: no record."""
    return json.loads(MANIFEST.read_text()) if MANIFEST.exists() else None


@cache
def changed_since_compiled() -> frozenset[str]:
    """The sources (paths relative to the package's parent) that differ from what was compiled."""
    compiled = compiled_sources() or {}
    return frozenset(name for name, sha in compiled.items()
                     if not (ROOT.parent / name).exists() or digest(ROOT.parent / name) != sha)


class SourceWhenStale:
    """A finder ahead of Python's own: a `cxsim` extension module is used unless `CXSIM_PURE=1`, the last
    build did not make it (one left from a build before its `.pxd` was deleted: its source runs), or a
    source of the compiled build (a compiled module's `.py`, a `.pxd`) has changed since. Then every
    compiled module runs from its source: a compiled module calls the C functions of the compiled
    modules it cimports, which a module run from its source does not have."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if not name.startswith("cxsim.") or path is None:
            return None
        spec = PathFinder.find_spec(name, path, target)
        if spec is None or not spec.origin or not spec.origin.endswith(tuple(EXTENSION_SUFFIXES)):
            return None
        source = Path(spec.origin).parent / f"{name.rpartition('.')[2]}.py"
        if not source.exists():
            return None
        built = compiled_sources()
        if built is not None and source.relative_to(ROOT.parent).as_posix() not in built:
            return spec_from_file_location(name, source)  # left by an earlier build (its `.pxd` has gone)
        if os.environ.get("CXSIM_PURE") != "1" and not changed_since_compiled():
            return None
        return spec_from_file_location(name, source)


def install() -> None:
    """Put the finder ahead of Python's own (once)."""
    if SourceWhenStale not in sys.meta_path:
        sys.meta_path.insert(0, SourceWhenStale)


def compiled_modules() -> dict[str, bool]:
    """Each module built to be compiled -> whether it runs compiled now (benchmarks, tests)."""
    import importlib

    names = [".".join(p.relative_to(ROOT.parent).with_suffix("").parts) for p in sorted(ROOT.rglob("*.pxd"))
             if p.with_suffix(".py").exists()]
    return {name: not importlib.import_module(name).__file__.endswith(".py") for name in names}


def status() -> str:
    """One line for `make install`: which build of the case flow runs and, when it is not the compiled
    one, why (uv shows a build hook's messages only with `-v`, so a failed compile is otherwise silent)."""
    modules = compiled_modules()
    if all(modules.values()):
        return f"cxsim: the case flow runs compiled ({len(modules)} modules)"
    if os.environ.get("CXSIM_PURE") == "1":
        return "cxsim: the case flow runs as plain Python (CXSIM_PURE=1)"
    changed = changed_since_compiled()
    why = ("changed since it was last compiled: " + ", ".join(sorted(changed)) if changed
           else "the install did not compile it")
    return (f"cxsim: the case flow runs as plain Python ({why}); the same results, about 4x slower. "
            "The compiler's messages: .tools/bin/uv sync --frozen --extra dev -v")
