"""The package as a user installs it: the wheel built from this checkout, installed with the locked
dependencies into a fresh virtual environment outside the checkout, and every kind of command run from
another folder (the Python API, one run, a sweep, a named experiment, `cxsim-compare` on a company file
in a third folder, the classroom app). Nothing here may read the checkout: the commands run with the
new environment's Python, in folders of their own, and say where they imported cxsim from.

A second environment installs the wheel as `pip install` does: without the lock, each dependency at the
newest version pyproject.toml allows (issue 32: joblib 1.6 dropped the cloudpickle it used to vendor,
and nothing ran). It runs a simulation, a two-regime comparison and a four-run joblib sweep, and prints
the versions it installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def uv() -> str:
    found = shutil.which("uv") or ROOT / ".tools" / "bin" / "uv"  # `make` installs uv into .tools
    assert Path(found).exists(), "uv is not installed (make install puts it in .tools/bin)"
    return str(found)


def run(args: list, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    # as a user's Python: bytecode written at the first import (these machines set PYTHONDONTWRITEBYTECODE,
    # so every command of a fresh environment compiled pandas, SciPy and Mesa from source again)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")}
    p = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                       env={**env, "UV_PYTHON_DOWNLOADS": "never"})
    assert p.returncode == 0, f"{' '.join(map(str, args))}\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}"
    return p


PYTHON = os.path.realpath(sys.executable)  # pyenv's 3.12, which the checkout's .python-version names


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The wheel, built from this checkout."""
    root = tmp_path_factory.mktemp("dist")
    run([uv(), "build", "--wheel", "--python", PYTHON, "--out-dir", root, ROOT], cwd=root)
    wheel, = root.glob("cxsim-*.whl")
    return wheel


def venv_with(root: Path, *requirements) -> Path:
    """The bin folder of a fresh venv in `root` holding `requirements` (uv pip install's arguments)."""
    run([uv(), "venv", "--quiet", "--python", PYTHON, root / "venv"], cwd=root)
    run([uv(), "pip", "install", "--quiet", "--python", root / "venv" / "bin" / "python", *requirements], cwd=root)
    return root / "venv" / "bin"


@pytest.fixture(scope="module")
def installed(built, tmp_path_factory) -> tuple[Path, Path]:
    """(the built wheel, the bin folder of a fresh venv holding it and the locked dependencies)."""
    root = tmp_path_factory.mktemp("wheel")
    locked = run([uv(), "export", "--frozen", "--no-hashes", "--no-emit-project", "--format", "requirements-txt",
                  "--quiet"], cwd=ROOT).stdout
    (root / "requirements.txt").write_text(locked)
    return built, venv_with(root, "-r", root / "requirements.txt", built)


def test_the_wheel_with_the_newest_dependencies_runs_a_comparison_and_a_sweep(built, tmp_path):
    """As `pip install cxsim-*.whl` resolves it: every dependency at its newest allowed version."""
    # An empty cache of its own sees the index's newest releases, and is removed after: with `--refresh`
    # on the user's cache, each run left about 2 GB of replaced copies there (69 GB by session 22).
    cache = tmp_path / "uv-cache"
    try:
        bin_ = venv_with(tmp_path, "--cache-dir", cache, "--resolution", "highest", built)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    versions = run([uv(), "pip", "list", "--python", bin_ / "python", "--format", "freeze"], cwd=tmp_path).stdout
    print("\nthe newest resolution installed:", " ".join(line for line in versions.split() if line.split("==")[0]
                                                    in NEWEST_NAMED))
    here = tmp_path / "elsewhere"
    here.mkdir()
    api = run([bin_ / "python", "-c", "from cxsim.api import simulate; r = simulate(days=20, seed=2); "
               "print(r.summary.customers_end.iloc[0])"], cwd=here)
    assert float(api.stdout.split()[-1]) > 0
    compare = run([bin_ / "cxsim-compare", "--regimes", "ceo_led,coo_owned", "--seeds", "2", "--jobs", "2",
                   "--no-crossover", "--out", "compared", "days=40"], cwd=here)
    assert "ceo_led" in compare.stdout and "coo_owned" in compare.stdout
    run([bin_ / "cxsim", "-m", "regime=ceo_led,coo_owned", "replicate=0,1", "days=20", "hydra.sweep.dir=sweep",
         "hydra.launcher.n_jobs=2"], cwd=here)
    summary = run([bin_ / "python", "-c", "from cxsim.runs.store import Store; "
                   "print(len(Store('sweep').table('summary')))"], cwd=here)
    assert summary.stdout.split() == ["4"]


NEWEST_NAMED = {"joblib", "cloudpickle", "pandas", "numpy", "Mesa", "mesa", "hydra-core", "omegaconf", "scipy",
                "matplotlib", "pyarrow", "solara", "ema-workbench", "SALib", "salib", "hydra-joblib-launcher"}


def test_the_wheel_holds_the_configs_and_says_what_it_is(installed):
    wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n for n in names if n.startswith("cxsim/conf/")}
    tracked = set(run(["git", "ls-files", "cxsim/conf"], cwd=ROOT).stdout.split())
    assert tracked and shipped == tracked  # every config, experiment and lesson, and nothing else there
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    meta = zipfile.ZipFile(wheel).read(f"cxsim-{project['version']}.dist-info/METADATA").decode()
    assert f"Version: {project['version']}" in meta and "License-Expression: MIT" in meta
    assert f"cxsim-{project['version']}.dist-info/licenses/LICENSE" in names
    print(f"\nwheel {wheel.name}: {wheel.stat().st_size / 1024:.0f} kB, {len(names)} files")


def test_the_installed_package_runs_from_any_folder(installed, tmp_path):
    _, bin_ = installed
    here = tmp_path / "somewhere"
    here.mkdir()
    api = run([bin_ / "python", "-c", "import cxsim, cxsim.api as a; r = a.simulate(days=30, seed=1); "
               "print(cxsim.__file__, cxsim.__version__, r.summary.profit.iloc[0]); "
               "from cxsim.compiled import status; print(status())"], cwd=here)
    where = Path(api.stdout.split()[0])
    assert where.is_relative_to(bin_.parent) and not where.is_relative_to(ROOT), where
    # the wheel carries the compiled case flow and Cython's shared module, and runs it (no source changed)
    assert api.stdout.splitlines()[-1].startswith("cxsim: the case flow runs compiled"), api.stdout
    one = run([bin_ / "cxsim", "days=30", "org=telecom", "regime=coo_owned"], cwd=here)
    assert "regime=coo_owned  org=telecom" in one.stdout
    assert list((here / "outputs").rglob("summary.parquet"))
    run([bin_ / "cxsim", "-m", "regime=ceo_led,coo_owned", "days=30", "hydra.sweep.dir=sweep",
         "hydra.launcher.n_jobs=2"], cwd=here)
    named = run([bin_ / "cxsim-sweep", "ceo_attention", "days=30", "regime=ceo_led", "replicate=0",
                 "levers.ceo_attention=1,4",
                 "hydra.sweep.dir=named"], cwd=here)
    assert re.search(r"2 runs done, 0 failed, of 2", named.stderr + named.stdout)
    summary = run([bin_ / "python", "-c", "from cxsim.runs.store import Store; "
                   "print(len(Store('sweep').table('summary')), len(Store('named').table('summary')))"], cwd=here)
    assert summary.stdout.split() == ["2", "2"]


def test_cxsim_compare_takes_a_company_file_from_another_folder(installed, tmp_path):
    _, bin_ = installed
    (tmp_path / "work").mkdir()
    run([bin_ / "cxsim-examples", "../files"], cwd=tmp_path / "work")  # the example files, from the wheel
    text = (tmp_path / "files" / "mid_size_insurer.yaml").read_text()
    (tmp_path / "files" / "acme.yaml").write_text(re.sub(r"(?m)^days: \d+", "days: 120", text))
    p = run([bin_ / "cxsim-compare", "../files/acme.yaml", "--samples", "2", "--seeds", "1", "--trajectories",
             "1", "--jobs", "2"], cwd=tmp_path / "work")
    report = tmp_path / "work" / "outputs" / "reorg" / "acme" / "report" / "decision.html"
    assert report.is_file() and "decision report" in p.stdout + p.stderr


def test_the_installed_app_serves_the_classroom(installed, tmp_path):
    from playwright.sync_api import sync_playwright
    from test_app import ARGS, open_page, start_app, stop

    _, bin_ = installed
    proc, url, _ = start_app(tmp_path / "server.log", server=(str(bin_ / "cxsim-app"),), cwd=tmp_path)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = open_page(browser, url, (1280, 720), set(), [])
            assert "Lesson" in page.inner_text("body")
            browser.close()
    finally:
        stop(proc)
    assert "Traceback" not in (tmp_path / "server.log").read_text()
