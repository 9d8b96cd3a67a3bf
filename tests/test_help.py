"""Every command's `--help` says what it takes (your own files included) and gives an example, and
exits 0; the commands are the package's entry points, as pyproject.toml lists them."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
TAKES_FILES = {"cxsim", "cxsim-compare", "cxsim-sweep", "cxsim-sensitivity", "cxsim-app", "cxsim-reorg",
               "cxsim-calibrate"}  # an org, regime or company file


@pytest.mark.parametrize("command", sorted(SCRIPTS))
def test_help_says_what_the_command_takes_with_an_example(command):
    done = subprocess.run([str(Path(sys.executable).parent / command), "--help"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    text = done.stdout
    assert "example" in text.lower(), text
    assert f"{command} " in text  # the example is a line of this command
    if command in TAKES_FILES:
        assert ".yaml" in text, text
