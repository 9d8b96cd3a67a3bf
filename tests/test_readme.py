"""The documentation's example commands run: every fenced `bash` block of the README and docs/ is run
as a script, its lines in order in a fresh folder (so `cxsim-examples my_files` makes the files the
next lines use, a sweep the store its report reads), each line as written with small settings added
at its end (a short horizon, a small firm, few seeds, samples and trajectories), so an example cannot
rot. Lines that are not cxsim's commands are left out: `make` (the two commands: CI runs `make test`),
the benchmarks (`benchmarks/`), and `cxsim-compare --stress` (run by test_crossover.py's stress test:
3 min here at any size); `cxsim-app` lines start the server and wait for its first answer. The
commands run from this environment's `bin/` folder, as a user types them."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SMALL = ["days=5", "org.customers=200"]
REORG = ["--samples", "2", "--seeds", "1", "--trajectories", "1", "--days", "60", "--switch-day", "20", "--jobs", "2"]
SMALL_BY_COMMAND = {  # what each command gets at the end of its line
    "cxsim-sweep": [*SMALL, "replicate=0,1"],  # two seeds: the report's crossover needs two
    "cxsim-reorg": REORG,
    "cxsim-calibrate": ["--samples", "20", "--generations", "1", "--check", "2", "--jobs", "2"],
    "cxsim-report": ["--screen-seeds", "1", "--jobs", "2"],
    "cxsim-sensitivity": ["--days", "5", "--trajectories", "2", "--seeds", "1", "--jobs", "2"],
    "cxsim-facts": ["--seeds", "1", "--jobs", "2"],
    "cxsim-lessons": [],  # the documented line writes the handouts (a run per lesson), not the checks
    "cxsim-examples": [],
    "cxsim-app": [],  # started, asked for its page, stopped
    "python": [],  # a line of Python the docs give (it writes into the folder's copy of docs/calibration)
}


def scripts() -> dict[str, list[str]]:
    """Page -> the command lines of its blocks, in order (a later block may use what an earlier one made;
    a trailing backslash joins a line to the next)."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    out = {}
    for page in pages:
        lines = [line.split(" #")[0].strip() for block in re.findall(r"```bash\n(.*?)```", page.read_text(), flags=re.S)
                 for line in block.replace("\\\n", " ").splitlines()]
        lines = [line for line in lines if line and not line.startswith(("make ", ".venv/bin/python benchmarks"))
                 and "--stress" not in line]
        if lines:
            out[str(page.relative_to(ROOT))] = lines
    return out


def small(words: list[str], tmp_path: Path) -> list[str]:
    """The small settings for this command line."""
    command, args = Path(words[0]).name, words[1:]
    if command == "cxsim":
        days = ["days=230", "org.customers=200"] if "reorg.day=200" in args else SMALL  # the reorg in the horizon
        return [*days, f"hydra.sweep.dir={tmp_path}/multirun/adhoc", f"hydra.run.dir={tmp_path}/run"]
    if command == "cxsim-compare":
        if any(a.endswith(".yaml") and not a.startswith("-") and "=" not in a and
               (i == 0 or args[i - 1] not in ("--org", "--regimes")) for i, a in enumerate(args)):
            return REORG  # a company file: the reorg comparison
        explain = ["--explain-seeds", "2"] if "--explain" in args else []  # 2^6 subsets x 2 regimes x 2 seeds
        return [*SMALL, "--seeds", "2", "--no-crossover", "--jobs", "1", *explain]
    return SMALL_BY_COMMAND[command]


def run_line(line: str, cwd: Path) -> str:
    """One documented command, run with small settings; its output."""
    words = shlex.split(line)
    assert words[0].startswith(".venv/bin/"), line
    command = [str(BIN / Path(words[0]).name), *words[1:], *small(words, cwd)]
    if words[0].endswith("/cxsim-app"):
        from test_app import start_app, stop

        proc, _, _ = start_app(cwd / "app.log", *command[1:], server=(command[0],), cwd=cwd)
        stop(proc)
        return (cwd / "app.log").read_text()
    done = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=900)
    text = done.stdout + done.stderr
    if Path(words[0]).name == "cxsim-facts":  # 1 seed: a fact may fall outside (exit 1); the table is the point
        assert done.returncode in (0, 1) and "| auto_insurer | first_contact_resolution |" in done.stdout, text[-3000:]
    else:
        assert done.returncode == 0, f"{line}\n{text[-3000:]}"
    assert "Traceback" not in text, f"{line}\n{text[-3000:]}"
    return text


SCRIPTS = scripts()


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_a_documented_block_of_commands_runs(script, tmp_path):
    shutil.copytree(ROOT / "docs" / "calibration", tmp_path / "docs" / "calibration")  # files the docs name
    for line in SCRIPTS[script]:
        run_line(line, tmp_path)


def test_every_command_of_the_docs_is_run():
    """No command of the package is documented only outside a block this test runs."""
    import tomllib

    commands = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"])
    run = {Path(shlex.split(line)[0]).name for lines in SCRIPTS.values() for line in lines}
    assert commands <= run, commands - run


def test_the_documentation_site_builds_with_every_link_checked():
    """`make docs`: MkDocs (Material) in its own environment, strict (a broken link fails the build),
    with the API reference generated from the docstrings."""
    done = subprocess.run(["make", "docs"], capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert not re.search(r"(?m)^WARNING\s+-", done.stderr), done.stderr  # (strict stops on one anyway)
    api = (ROOT / "site" / "api" / "index.html").read_text()
    assert "Run one simulation to its horizon and return its tables." in api  # simulate's docstring
    pages = {p.parent.relative_to(ROOT / "site").as_posix() for p in (ROOT / "site").rglob("index.html")}
    assert {"tutorials/strategist", "tutorials/teacher", "tutorials/company", "model", "drivers"} <= pages
