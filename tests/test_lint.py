"""Ruff is configured (`[tool.ruff]` in pyproject.toml) and the checkout is clean: pyflakes, pycodestyle at
120 columns, import order, bugbear's likely bugs and pyupgrade for Python 3.12 (issue 34)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing_in_the_checkout():
    p = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", str(ROOT)],
                       capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stdout + p.stderr


def test_ruff_would_catch_an_unused_import(tmp_path):
    """The check can fail: a planted file with an unused import and an undefined name is refused."""
    planted = tmp_path / "planted.py"
    planted.write_text("import os\n\n\ndef f():\n    return undefined_name\n")
    p = subprocess.run([sys.executable, "-m", "ruff", "check", "--config", str(ROOT / "pyproject.toml"),
                        "--output-format", "concise", str(planted)], capture_output=True, text=True)
    assert p.returncode == 1 and "F401" in p.stdout and "F821" in p.stdout, p.stdout
