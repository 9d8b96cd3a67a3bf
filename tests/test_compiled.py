"""The compiled case flow is the Python source it is compiled from, only faster.

The modules with a `.pxd` are compiled at install (`hatch_build.py`); `CXSIM_PURE=1` runs them from
their source, the reference. The two builds must give every table of benchmarks/identical.py's
scenarios (each mechanism's hooks: a default run, a reorg, the CFO's cost view, a forum and deputies,
a small firm on another org) bit for bit, a module edited since it was compiled must run as edited, and
an extension the last build did not make must not run.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pandas as pd

from cxsim.compiled import compiled_modules, status

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from identical import SCENARIOS, tables  # noqa: E402


def test_the_case_flow_runs_compiled():
    """`make install` compiled every module that has a `.pxd` (these machines have a C compiler)."""
    modules = compiled_modules()
    assert len(modules) >= 6 and all(modules.values()), f"not compiled (a C compiler at `make install`?): {modules}"
    assert status() == f"cxsim: the case flow runs compiled ({len(modules)} modules)"


def test_the_compiled_build_gives_the_pure_python_tables_bit_for_bit(tmp_path):
    script = ("import pickle, sys; sys.path.insert(0, sys.argv[1]); from identical import SCENARIOS, tables; "
              "from cxsim.compiled import compiled_modules; assert not any(compiled_modules().values()); "
              "pickle.dump({n: tables(s) for n, s in SCENARIOS.items()}, open(sys.argv[2], 'wb'))")
    out = tmp_path / "pure.pickle"
    done = subprocess.run([sys.executable, "-c", script, str(ROOT / "benchmarks"), str(out)],
                          env={**os.environ, "CXSIM_PURE": "1"}, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    pure = pickle.loads(out.read_bytes())
    for name, scenario in SCENARIOS.items():
        for table, frame in tables(scenario).items():
            pd.testing.assert_frame_equal(frame, pure[name][table], check_exact=True, obj=f"{name}.{table}")


def test_a_module_edited_after_it_was_compiled_runs_as_edited(tmp_path):
    """Python prefers an extension module to a source of the same name: without the check in
    `cxsim.compiled`, an edit to a compiled module would silently not run until the next install.
    One edited module sends the whole compiled build back to its sources (a compiled module calls
    the C functions of those it cimports), and the model still runs."""
    package = tmp_path / "cxsim"
    shutil.copytree(ROOT / "cxsim", package, ignore=shutil.ignore_patterns("__pycache__"))
    source = package / "mechanisms" / "handoff.py"
    source.write_text(source.read_text() + "\nEDITED = True\n")
    probe = ("import cxsim.mechanisms.handoff as h; from cxsim.compiled import compiled_modules, status; "
             "from cxsim.model import CXModel; CXModel(days=20, customers=200, seed=1).run(); "
             "print(getattr(h, 'EDITED', False), any(compiled_modules().values())); print(status())")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-3000:]
    first, said = done.stdout.splitlines()
    assert first.split() == ["True", "False"], done.stdout  # the edit runs; nothing compiled runs
    # what `make install` prints: the build that runs, and why
    assert said.startswith("cxsim: the case flow runs as plain Python (changed since it was last compiled: "
                           "cxsim/mechanisms/handoff.py)"), said


def test_an_extension_the_last_build_did_not_make_is_not_run(tmp_path):
    """An extension left from an earlier build (its `.pxd` deleted since) would shadow its source, since
    Python prefers an extension; the finder runs the source. Here the stale extension is another
    module's, under the name of one never compiled: imported, it would fail."""
    package = tmp_path / "cxsim"
    shutil.copytree(ROOT / "cxsim", package, ignore=shutil.ignore_patterns("__pycache__"))
    built = package / "mechanisms" / f"handoff{EXTENSION_SUFFIXES[0]}"  # compiled (the first test's claim)
    never = next(p.stem for p in sorted((package / "mechanisms").glob("*.py"))  # a module with no .pxd
                 if p.stem != "__init__" and not p.with_suffix(".pxd").exists())
    shutil.copy(built, package / "mechanisms" / f"{never}{EXTENSION_SUFFIXES[0]}")
    probe = f"import cxsim.mechanisms.{never} as m; print(m.__file__)"
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == str(package / "mechanisms" / f"{never}.py")
