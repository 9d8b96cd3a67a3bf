"""Your own org, regime and mechanisms files, from any folder, one way for every command: a path ending
in .yaml where a preset's name goes (`cxsim.config.files`). The files look like the presets (no header);
every mistake in one is a line `file:line: key: why`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cxsim.config.composition import CONFIG_DIR, compose
from cxsim.config.errors import ConfigError

BIN = Path(sys.executable).parent


def preset(group: str, which: str, **changes) -> str:
    data = yaml.safe_load((CONFIG_DIR / group / f"{which}.yaml").read_text())
    return yaml.safe_dump({**data, **changes}, sort_keys=False)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A folder elsewhere holding an org file and a regime file; the tests run from a sibling folder."""
    own = tmp_path / "own"
    own.mkdir()
    (own / "acme.yaml").write_text(preset("org", "telecom", name="acme_telecom"))
    (own / "my_coo.yaml").write_text(preset("regime", "coo_owned", name="my_coo"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return own


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / args[0]), *args[1:]], capture_output=True, text=True, timeout=600, cwd=cwd)


def test_the_presets_and_your_files_have_the_same_form_no_header():
    for group in ("org", "regime", "mechanisms"):
        for path in (CONFIG_DIR / group).glob("*.yaml"):
            assert "defaults" not in yaml.safe_load(path.read_text()), path


def test_a_file_is_used_where_a_presets_name_goes(folder):
    from cxsim.api import simulate

    result = simulate(org="../own/acme.yaml", regime="../own/my_coo.yaml", days=20, seed=1)
    assert result.summary.org.iloc[0] == "acme_telecom" and result.summary.regime.iloc[0] == "my_coo"
    same = compose(["org=telecom", "regime=coo_owned"])
    mine = compose(["org=../own/acme.yaml", "regime=../own/my_coo.yaml"])
    assert mine.org.departments == same.org.departments and mine.regime.owners == same.regime.owners
    # a header copied from an older preset is accepted; the schema applies either way
    old = folder / "old.yaml"
    old.write_text("defaults:\n  - org_schema\n  - _self_\n" + preset("org", "telecom"))
    assert compose([f"org={old}"]).org.departments == same.org.departments


def test_a_changed_file_is_composed_again(folder):
    first = compose(["org=../own/acme.yaml"]).org.customers
    (folder / "acme.yaml").write_text(preset("org", "telecom", name="acme_telecom", customers=first + 1000))
    assert compose(["org=../own/acme.yaml"]).org.customers == first + 1000


BAD = [  # (what is written into the org file, the line and key the error must name)
    (lambda t: t.replace("capacity: 20", "capacity: -20", 1), r"departments\.\w+\.capacity: must be >= 0"),
    (lambda t: t.replace("customers: 6000", "customers: 6000\ncolour: red", 1), r"colour: Key 'colour' not in"),
    (lambda t: t.replace("department: sales", "department: salez", 1),
     r"journeys\.\w+\.stages\.\d+\.department: no such department in org.departments, got 'salez'"),
    (lambda t: t.replace("customers: 6000", "customers: [6000", 1), r"not valid YAML"),
    (lambda t: t.replace("customers: 6000", "customers: ${oc.env:HOME}", 1), r"customers: '\$\{\.\.\.\}' is not"),
    (lambda t: "defaults:\n  - regime_schema\n" + t, r"defaults: not needed in an org file"),
]


@pytest.mark.parametrize("change, message", BAD)
def test_a_mistake_in_your_file_is_one_line_naming_file_line_and_key(folder, change, message):
    text = yaml.safe_dump(yaml.safe_load(preset("org", "telecom")), sort_keys=False, width=200)
    bad = folder / "bad.yaml"
    bad.write_text(change(text))
    with pytest.raises(ConfigError) as caught:
        compose([f"org={bad}"])
    where, _, rest = str(caught.value).partition(": ")
    assert where.startswith(str(bad)) and re.search(message, rest), str(caught.value)
    if where != str(bad):  # with a line: the line holds the key named (or, for YAML, the place it broke)
        line = bad.read_text().splitlines()[int(where.rsplit(":", 1)[1]) - 1]
        key = rest.partition(": ")[0].split(".")[-1]
        assert key in line or "YAML" in rest, (line, rest)
    p = cli("cxsim", f"org={bad}", "days=5")
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "Traceback" not in p.stderr, p.stderr
    assert p.stderr.startswith(f"cxsim: error: {bad}") and re.search(message, p.stderr)


def test_a_missing_file_and_a_missing_preset_say_what_to_give():
    with pytest.raises(ConfigError, match=r"nope\.yaml: cannot read: No such file"):
        compose(["org=nope.yaml"])
    with pytest.raises(ConfigError, match=r"org: no config named 'nope'; available: .*; or your own file: "
                                          r"org=PATH\.yaml"):
        compose(["org=nope"])


@pytest.mark.slow
def test_the_command_line_a_sweep_its_resume_and_cxsim_compare_take_the_same_paths(folder):
    one = cli("cxsim", "org=../own/acme.yaml", "regime=../own/my_coo.yaml", "days=20", cwd=Path.cwd())
    assert one.returncode == 0 and "regime=my_coo  org=acme_telecom" in one.stdout, one.stderr
    sweep = ["cxsim", "-m", "regime=ceo_led,../own/my_coo.yaml", "org=../own/acme.yaml", "days=20",
             "hydra.sweep.dir=sweep", "hydra.launcher.n_jobs=2"]
    first = cli(*sweep, cwd=Path.cwd())
    assert "2 runs done, 0 failed, of 2" in first.stderr, first.stderr[-2000:]
    again = cli(*sweep, cwd=Path.cwd())  # a rerun finds both runs finished: nothing runs
    assert re.search(r"2 runs done, 0 failed, of 2 in 0 s", again.stderr), again.stderr[-2000:]
    from cxsim.runs.store import Store

    runs = Store("sweep").table("summary")
    assert sorted(runs.regime) == ["ceo_led", "my_coo"] and set(runs.org) == {"acme_telecom"}
    named = cli("cxsim-sweep", "ceo_attention", "org=../own/acme.yaml", "regime=ceo_led", "replicate=0",
                "levers.ceo_attention=2", "days=20", "hydra.sweep.dir=named", cwd=Path.cwd())
    assert "1 runs done, 0 failed, of 1" in named.stderr, named.stderr[-2000:]
    compare = cli("cxsim-compare", "--org", "../own/acme.yaml", "--regimes", "ceo_led,../own/my_coo.yaml",
                  "--seeds", "2", "--no-crossover", "days=20", "--out", "compared", "--jobs", "2", cwd=Path.cwd())
    assert compare.returncode == 0, compare.stderr[-2000:]
    table = (Path("compared") / "comparison.csv").read_text()
    assert "ceo_led" in table and "../own/my_coo.yaml" in table


def test_a_company_file_names_its_org_file_beside_it(folder):
    from cxsim.decide.company import load

    text = (Path(__file__).resolve().parents[1] / "cxsim" / "examples" / "mid_size_insurer.yaml").read_text()
    company = yaml.safe_load(text)
    (folder / "insurer_org.yaml").write_text(yaml.safe_dump(company["org"]))
    (folder / "company.yaml").write_text(re.sub(r"(?ms)^org:\n(  .*?\n|\n)*(?=^\S)", "org: insurer_org.yaml\n",
                                                text))
    assert "org: insurer_org.yaml" in (folder / "company.yaml").read_text()
    inline, beside = load(Path(__file__).resolve().parents[1] / "cxsim" / "examples" / "mid_size_insurer.yaml"), \
        load(folder / "company.yaml")
    assert beside.config.org == inline.config.org and beside.today == inline.today
    (folder / "insurer_org.yaml").write_text(yaml.safe_dump({**company["org"], "customers": -1}))
    with pytest.raises(ConfigError, match=r"insurer_org\.yaml:\d+: customers: must be >= 0"):
        load(folder / "company.yaml")


def test_the_app_puts_your_files_first_in_its_menus_and_refuses_a_bad_one_in_one_line(folder):
    from cxsim.app import FILES_ENV
    from cxsim.app.classroom import Classroom, ClassroomModel

    env = {FILES_ENV["org"]: "../own/acme.yaml", FILES_ENV["regime"]: "../own/my_coo.yaml"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        room = Classroom.build()
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    assert room.controls["org"].values[0] == "../own/acme.yaml" and room.defaults()["org"] == "../own/acme.yaml"
    assert room.controls["regime"].values[0] == "../own/my_coo.yaml"
    model = ClassroomModel(classroom=room)
    model.step()
    assert model.error is None and model.regime.name == "my_coo"
    p = cli("cxsim-app", "--regime", "../own/acme.yaml", cwd=Path.cwd())
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert re.fullmatch(r"cxsim-app: error: \.\./own/acme\.yaml:\d+: \w+: Key '\w+' not in 'RegimeCfg'\n", p.stderr)


def test_a_company_file_names_regime_files_beside_it_and_the_reorg_writes_them_for_its_runs(folder, tmp_path):
    from omegaconf import OmegaConf

    from cxsim.decide.company import load
    from cxsim.decide.reorg import prepare

    text = (Path(__file__).resolve().parents[1] / "cxsim" / "examples" / "mid_size_insurer.yaml").read_text()
    (folder / "company.yaml").write_text(text.replace("candidates: [", "candidates: [my_coo.yaml, "))
    company = load(folder / "company.yaml")
    assert company.candidates[0] == "my_coo" and company.regime_ref("my_coo") == str(folder / "my_coo.yaml")
    assert company.regime_ref("ceo_led") == "ceo_led"
    prepare(company, tmp_path / "reorg", {})
    written = OmegaConf.load(tmp_path / "reorg" / "configs" / "regime" / "my_coo.yaml")
    assert written.name == "my_coo" and written.owners == compose(["regime=coo_owned"]).regime.owners
    bad = yaml.safe_load(preset("regime", "coo_owned", name="my_coo"))
    owner = next(iter(bad["owners"]))
    bad["owners"][owner]["authority"]["operations"] = -1.0
    (folder / "my_coo.yaml").write_text(yaml.safe_dump(bad, sort_keys=False))
    with pytest.raises(ConfigError, match=rf"my_coo\.yaml:\d+: owners\.{owner}\.authority\.operations: "):
        load(folder / "company.yaml")
    (folder / "ceo_led.yaml").write_text(preset("regime", "ceo_led"))
    (folder / "company.yaml").write_text(text.replace("candidates: [", "candidates: [ceo_led.yaml, "))
    with pytest.raises(ConfigError, match=r"company\.yaml:\d+: candidates\.0: the file's name 'ceo_led' is already"):
        load(folder / "company.yaml")


def test_a_job_composes_a_regime_from_a_folder_on_the_sweeps_search_path(tmp_path):
    """A mid-run reorg to a regime that only a folder on the search path holds (a company's own regime,
    written by cxsim-reorg): the job's own composition of it sees that folder too."""
    from cxsim.runs.store import Store
    from cxsim.runs.sweep import launch

    (tmp_path / "configs" / "regime").mkdir(parents=True)
    (tmp_path / "configs" / "regime" / "mine.yaml").write_text(preset("regime", "coo_owned", name="mine"))
    launch(tmp_path / "store", ["regime=no_owner", "reorg.day=5", "reorg.to=mine", "days=10", "org.customers=300",
                                "replicate=0,1"], tmp_path / "configs", jobs=2)
    store = Store(tmp_path / "store")
    assert store.failures().empty and len(store.table("summary")) == 2


def test_the_app_on_a_company_with_a_regime_file_shows_and_runs_it(folder):
    from cxsim.app.classroom import Classroom, ClassroomModel
    from cxsim.decide.company import load

    text = (Path(__file__).resolve().parents[1] / "cxsim" / "examples" / "mid_size_insurer.yaml").read_text()
    (folder / "busy_ceo.yaml").write_text(preset("regime", "ceo_led", name="busy_ceo").replace(
        "attention: 6.0", "attention: 1.5"))
    (folder / "company.yaml").write_text(text.replace("candidates: [", "candidates: [busy_ceo.yaml, "))
    room = Classroom.build(load(folder / "company.yaml"))
    assert room.controls["regime"].values[1] == "busy_ceo"
    assert room.controls["ceo_attention"].item("as the regime sets it", "busy_ceo").endswith("(1.5)")
    model = ClassroomModel(classroom=room, regime="busy_ceo")
    model.step()
    assert model.error is None and model.regime.name == "busy_ceo"


def test_a_calibrated_company_file_still_finds_the_files_its_company_file_named(folder, tmp_path):
    """cxsim-calibrate writes `calibrated.yaml` into its output folder: the org and regime files the
    company file named beside itself must still be found from there."""
    import pandas as pd

    from cxsim.calibration.calibrate import calibrated_file
    from cxsim.decide.company import load

    text = (Path(__file__).resolve().parents[1] / "cxsim" / "examples" / "mid_size_insurer.yaml").read_text()
    company = yaml.safe_load(text)
    (folder / "insurer_org.yaml").write_text(yaml.safe_dump(company["org"]))
    (folder / "company.yaml").write_text(re.sub(r"(?ms)^org:\n(  .*?\n|\n)*(?=^\S)", "org: insurer_org.yaml\n",
                                                text).replace("candidates: [", "candidates: [my_coo.yaml, "))
    posterior = pd.DataFrame([{"parameter": "levers.ceo_attention", "prior_low": 2.0, "prior_high": 10.0,
                               "verdict": "pinned down", "p05": 3.0, "p95": 5.0}])
    out = calibrated_file(folder / "company.yaml", posterior, tmp_path / "elsewhere.yaml")
    calibrated = load(out)
    assert calibrated.candidates[0] == "my_coo" and calibrated.config.org == load(folder / "company.yaml").config.org
    assert calibrated.uncertain["levers.ceo_attention"] == (3.0, 5.0)
