"""The package's architecture: layers that import only downwards, and short functions.

The layers are import-linter contracts in `pyproject.toml` (see `cxsim/__init__.py`
for the map). A second test breaks a copy of the package on purpose (the config's
schema importing the sweep machinery, the circle this layout removed) and checks
that the contracts catch it, so the first test cannot pass by checking nothing.
"""

from __future__ import annotations

import ast
import os
import re
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
    """No module but `cxsim.runs.evaluator` opens a process pool or launches a sweep (issue 34: one
    evaluator); the sweep machinery itself and the `cxsim-sweep` command (`cxsim.runs.cli`) excepted."""
    from pathlib import Path

    import cxsim

    root = Path(cxsim.__file__).parent
    pools = [str(p.relative_to(root)) for p in root.rglob("*.py")
             if p.name != "evaluator.py" and re.search(r"ProcessPoolExecutor|get_context\(", p.read_text())]
    sweeps = [str(p.relative_to(root)) for p in root.rglob("*.py")
              if p.relative_to(root).as_posix() not in ("runs/evaluator.py", "runs/sweep.py", "runs/cli.py")
              and re.search(r"from cxsim\.runs\.sweep import|runs\.sweep\.launch\(", p.read_text())]
    assert not pools and not sweeps, (pools, sweeps)
    callers = [p for p in root.rglob("*.py") if "evaluator import" in p.read_text() or "evaluator." in p.read_text()]
    assert {"reorg.py", "calibrate.py", "facts.py", "compare.py", "sensitivity.py", "transition.py",
            "lessons.py"} <= {p.name for p in callers}


def pid_of(_job) -> int:
    return os.getpid()


def dies(_job) -> None:
    os._exit(3)  # a worker killed mid-run (out of memory, a signal)


def test_the_evaluator_keeps_its_pool_and_lets_a_broken_one_go():
    """Batches on the evaluator's pool run in the same worker processes (a worker's start costs an
    interpreter importing the model); another size starts another pool; a pool a dead worker broke
    raises, and the next batch gets a new one."""
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    import pytest

    from cxsim.runs.evaluator import evaluate, kept_pool

    first = set(evaluate(pid_of, list(range(8)), jobs=2, chunksize=1))
    workers = {child.pid for child in multiprocessing.active_children()}
    assert first <= workers and os.getpid() not in first
    assert set(evaluate(pid_of, list(range(8)), jobs=2, chunksize=1)) <= workers
    three = set(evaluate(pid_of, list(range(12)), jobs=3, chunksize=1))
    assert not three & first
    with pytest.raises(BrokenProcessPool):
        evaluate(dies, [0, 1], jobs=3)
    again = set(evaluate(pid_of, list(range(6)), jobs=3, chunksize=1))
    assert not again & three
    with pytest.raises(BrokenProcessPool):  # handed over by a caller (the crossover keeps it for its batches)
        evaluate(dies, [0, 1], workers=kept_pool(3))
    assert not set(evaluate(pid_of, list(range(6)), jobs=3, chunksize=1)) & again


def worked_example_blocks() -> dict[str, str]:
    """The code blocks of docs/layout.md's worked example, by the label on their first line."""
    import re

    text = (ROOT / "docs" / "layout.md").read_text().split("### Worked example", 1)[1]
    blocks = re.findall(r"```(?:python|yaml)\n# ([^\n]+)\n(.*?)```", text, flags=re.S)
    return {label: body for label, body in blocks}


def add_worked_example(package: Path) -> None:
    """Apply the worked example's blocks to a copy of the package, where the doc says they go."""
    blocks = worked_example_blocks()
    module, above, field_line, values, model_lines = blocks.values()
    (package / "mechanisms" / "regulator.py").write_text(module)
    schema = package / "config" / "schema.py"
    anchor = "@dataclass\nclass MechanismsCfg:"
    text = schema.read_text().replace(anchor, f"{above}\n\n{anchor}")
    last = "    initiatives: InitiativesCfg = field(default_factory=InitiativesCfg)\n"
    schema.write_text(text.replace(last, last + field_line))
    conf = package / "conf" / "mechanisms" / "default.yaml"
    conf.write_text(conf.read_text() + "\n" + values)
    model = package / "model" / "model.py"
    imports, mechanisms = model_lines.splitlines()
    text = re.sub(r"    MECHANISMS = \([^)]*\)", mechanisms, model.read_text())
    model.write_text(text.replace("from cxsim.mechanisms.promises import Promises\n",
                                  f"from cxsim.mechanisms.promises import Promises\n{imports}\n"))


RUN_WITH_REGULATOR = """
from cxsim.model import CXModel
m = CXModel(days=365, seed=2, overrides=["warmup_days=0", "mechanisms.regulator.threshold_per_quarter=1"]).run()
failures = m.recorder.timeseries().handoff_failures.sum() + m.recorder.department_table().unresolved.sum()
print(m.regulator.heard, int(failures), m.regulator.orders)
"""


def test_the_worked_example_adds_a_mechanism_in_one_module(tmp_path):
    """docs/layout.md's worked example, applied as written to a copy of the package: the new mechanism
    hears every failure once (each failed handoff and each unsettled contact the recorder counts) and
    orders a fix at each of the year's four quarters."""

    shutil.copytree(ROOT / "cxsim", tmp_path / "cxsim", ignore=shutil.ignore_patterns("__pycache__"))
    add_worked_example(tmp_path / "cxsim")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    p = subprocess.run([sys.executable, "-c", RUN_WITH_REGULATOR], env=env, capture_output=True, text=True,
                       cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    heard, counted, orders = map(int, p.stdout.split())
    assert heard == counted > 0
    assert orders == 4


def test_every_module_with_a_module_scoped_fixture_runs_on_one_worker():
    """conftest's GROUPED holds every test module with a module- or class-scoped fixture: xdist sends it
    to one worker whole, so the fixture is made once."""
    from conftest import GROUPED

    tests = Path(__file__).parent
    scoped = {p.stem for p in tests.glob("test_*.py")
              if re.search(r"scope=[\"'](module|class|package)[\"']", p.read_text())}
    assert scoped == GROUPED


def test_the_longest_tests_named_first_are_tests():
    """conftest's LONGEST_FIRST (the schedule of the two xdist workers) names tests that exist: a renamed
    test would silently fall back to the end of the schedule."""
    from conftest import LONGEST_FIRST

    tests = Path(__file__).parent
    for name in LONGEST_FIRST:
        module, test = name.split("::")
        function = test.split("[")[0]
        source = (tests / module).read_text()
        if not test:  # a whole module
            continue
        assert re.search(rf"^def {re.escape(function)}\w*\(", source, flags=re.M), name
        if test.startswith("test_a_documented_block_of_commands_runs["):  # a page of the docs
            assert (tests.parent / test.split("[", 1)[1].rstrip("]")).exists(), name
