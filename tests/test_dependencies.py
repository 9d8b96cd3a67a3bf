"""Every third-party import is a declared dependency, and every declared dependency is used (issue 32).

`deptry` reads pyproject.toml: over the whole checkout (the tests use the dev extra), then over the
package alone with the dev and docs extras as development-only, so the package imports nothing a
user's `pip install cxsim` does not install. The few dependencies declared but never imported are listed
with their reasons under `[tool.deptry.per_rule_ignores]`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPTRY = str(Path(sys.executable).parent / "deptry")
PACKAGE_ALONE = ["--extend-exclude", "tests", "--extend-exclude", "benchmarks", "--extend-exclude", "scripts",
                 "--optional-dependencies-dev-groups", "dev,docs"]


def deptry(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([DEPTRY, ".", "--no-ansi", *args], cwd=folder, capture_output=True, text=True,
                          timeout=300)


def test_every_import_is_declared_and_every_dependency_used():
    p = deptry(ROOT)
    assert p.returncode == 0, p.stdout + p.stderr


def test_the_package_imports_only_its_runtime_dependencies():
    p = deptry(ROOT, *PACKAGE_ALONE)
    assert p.returncode == 0, p.stdout + p.stderr


def test_the_check_finds_an_undeclared_import_and_a_dev_tool_in_the_package(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "cxsim").mkdir()
    (tmp_path / "cxsim" / "__init__.py").write_text("import never_declared_xyz\nimport pytest\n")
    whole = deptry(tmp_path)
    assert whole.returncode != 0 and "DEP001 'never_declared_xyz'" in whole.stderr, whole.stderr
    alone = deptry(tmp_path, *PACKAGE_ALONE)
    assert "DEP004 'pytest'" in alone.stderr, alone.stderr
