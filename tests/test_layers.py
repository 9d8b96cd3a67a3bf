"""The package's architecture: layers that import only downwards, and short functions.

The layers are import-linter contracts in `pyproject.toml` (see `cxsim/__init__.py`
for the map). A second test breaks a copy of the package on purpose (the config's
schema importing the sweep machinery, the circle this layout removed) and checks
that the contracts catch it, so the first test cannot pass by checking nothing.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 60  # a function tells one step of the story
LONGER = {  # (file, function): why it may stay longer
}


def lint(folder: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(folder)}  # the copy's packages before the installed ones
    return subprocess.run([str(LINT), "--no-cache"], cwd=folder, env=env, capture_output=True, text=True)


def test_imports_point_down_the_layers():
    p = lint(ROOT)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "0 broken" in p.stdout and " kept" in p.stdout


def test_an_upward_import_is_caught(tmp_path):
    for name in ("cxsim", "hydra_plugins"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    schema = tmp_path / "cxsim" / "config" / "schema.py"
    schema.write_text(schema.read_text() + "\n\ndef _seed():\n    from cxsim.runs.sweep import launch  # noqa\n")
    p = lint(tmp_path)
    assert p.returncode != 0
    assert "cxsim.config.schema -> cxsim.runs.sweep" in p.stdout
    assert "cxsim is layered" in p.stdout and "BROKEN" in p.stdout


def test_functions_are_short():
    long = {}
    for path in sorted((ROOT / "cxsim").rglob("*.py")) + sorted((ROOT / "hydra_plugins").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                key = (path.relative_to(ROOT).as_posix(), node.name)
                if lines > MAX_LINES and key not in LONGER:
                    long[key] = lines
    assert not long, f"functions over {MAX_LINES} lines: {long}"


def test_every_package_map_names_every_module():
    """Each package's docstring lists its modules (`name`: what it is), and docs/layout.md names every
    package: the maps a newcomer reads first do not drift from the files (issue 34)."""
    import importlib
    import pkgutil
    from pathlib import Path

    import cxsim

    root = Path(cxsim.__file__).parent
    layout = (root.parent / "docs" / "layout.md").read_text()
    missing = []
    for package in sorted(p for p in root.iterdir() if (p / "__init__.py").exists()):
        doc = importlib.import_module(f"cxsim.{package.name}").__doc__ or ""
        modules = [m.name for m in pkgutil.iter_modules([str(package)])]
        missing += [f"cxsim.{package.name}.{m}" for m in modules if f"`{m}`" not in doc]
        if f"{package.name}/" not in layout:
            missing.append(f"docs/layout.md: {package.name}/")
    assert not missing, missing


def test_every_tool_runs_many_models_through_the_one_evaluator():
    """No module but `cxsim.runs.evaluator` opens a process pool of its own (issue 34: one evaluator)."""
    from pathlib import Path

    import cxsim

    root = Path(cxsim.__file__).parent
    own = [str(p.relative_to(root)) for p in root.rglob("*.py")
           if p.name != "evaluator.py" and ("ProcessPoolExecutor" in p.read_text() or "get_context(" in p.read_text())]
    assert not own, own
