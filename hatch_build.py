"""Compile the case flow when the package is built (hatchling's custom build hook).

Every module of `cxsim` with a `.pxd` beside its `.py` is compiled with Cython in pure-Python mode:
the `.py` is the model as written and stays the reference; the `.pxd` gives C types to the state and
the functions the case flow runs a few hundred thousand times a run (docs/performance.md). The
extensions are built next to their sources, so an editable install (`make install`) imports them from
the working tree and a wheel carries them. Without a C compiler the build goes on without them, the
package then runs as plain Python: the same results, slower. `cxsim/compiled.py` loads the source
instead of a compiled module that is older than its source, or when `CXSIM_PURE=1`.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SHARED = "_cyutility"  # the compiled modules' shared Cython utility code: `cxsim._cyutility`


class CompileCaseFlow(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or os.environ.get("CXSIM_PURE") == "1":
            return
        root = Path(self.root)
        sources = sorted(p.with_suffix(".py") for p in (root / "cxsim").rglob("*.pxd") if p.with_suffix(".py").exists())
        manifest = root / "cxsim" / "compiled.json"  # what was compiled: cxsim/compiled.py checks it
        hashes = {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                  for p in sorted([*sources, *(root / "cxsim").rglob("*.pxd")])}
        built = [p.with_suffix(EXTENSION_SUFFIXES[0]) for p in sources]
        built.append(root / "cxsim" / f"{SHARED}{EXTENSION_SUFFIXES[0]}")
        # compiled already from these very sources (by the install, when a wheel is built): kept
        if not (manifest.exists() and json.loads(manifest.read_text()) == hashes and all(p.exists() for p in built)):
            try:
                built = compile_in_place(root, sources)
            except Exception as error:  # no compiler, no headers: plain Python, the same results
                print(f"cxsim: the case flow is not compiled ({type(error).__name__}: {error}); "
                      "it runs as plain Python", file=sys.stderr)
                return
            manifest.write_text(json.dumps(hashes, indent=1) + "\n")
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":  # the wheel carries them (they are not in version control)
            build_data["artifacts"].extend(str(p.relative_to(root)) for p in [*built, manifest])


def compile_in_place(root: Path, sources: list[Path]) -> list[Path]:
    """Cython -> C -> extension beside each source; returns the extensions. Cython's own C (typed
    memoryviews, calls, errors) goes once into a shared module, `cxsim._cyutility`, instead of into each
    module: the C compiler's work halves (19.6 -> 12.8 MB of C, 48 -> 28 s on 2 cores)."""
    from Cython.Build import cythonize
    from setuptools import Distribution, Extension

    shared = root / "cxsim" / f"{SHARED}.c"
    subprocess.run([sys.executable, "-m", "cython", f"--generate-shared={shared}"], check=True, cwd=root)
    modules = cythonize([str(p.relative_to(root)) for p in sources], language_level=3, quiet=True, force=True,
                        nthreads=os.cpu_count() or 1, shared_utility_qualified_name=f"cxsim.{SHARED}",
                        compiler_directives={"annotation_typing": False})
    modules.append(Extension(f"cxsim.{SHARED}", [str(shared.relative_to(root))]))
    if os.name == "posix":  # no debugging symbols (Python's own flags ask for them): the same machine code,
        # compiled in 2/3 the time (the install's build 20.3 -> 14.6 s on 2 cores)
        for module in modules:
            module.extra_compile_args.append("-g0")
    dist = Distribution({"ext_modules": modules, "script_args": ["build_ext", "--inplace", "--parallel",
                                                                 str(os.cpu_count() or 1), "--build-temp",
                                                                 str(root / "build" / "cython")]})
    cwd = os.getcwd()
    os.chdir(root)
    try:
        dist.parse_command_line()
        dist.run_commands()
    finally:
        os.chdir(cwd)
    command = dist.get_command_obj("build_ext")
    return [root / command.get_ext_filename(ext.name) for ext in modules]
