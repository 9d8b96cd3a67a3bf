"""Bad input gets one clear line naming the key; never a traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from cxsim.config.composition import compose
from cxsim.config.errors import ConfigError
from cxsim.model import CXModel

BAD = [
    (["mechanisms.handoff.base_friction=1.5"], "mechanisms.handoff.base_friction"),
    (["mechanisms.diffusion.act_prob=-0.1"], "mechanisms.diffusion.act_prob"),
    (["org.departments.claims.capacity=-3"], "org.departments.claims.capacity"),
    (["org.journeys.renewal.stages.1.department=legal"], "org.journeys.renewal.stages.1.department"),
    (["org.customers=0"], "org.customers"),
    (["+regime.owners.ceo.authority.legal=0.5"], "regime.owners.ceo.authority.legal"),
    (["regime.owners.ceo.authority.claims=2"], "regime.owners.ceo.authority.claims"),
    (["org.departments.claims.function=legal"], "org.departments.claims.function"),
    (["org.segments.standard.share=0.5"], "org.segments"),
    (["org.journeys.renewal.stages.0.phase=during"], "org.journeys.renewal.stages.0.phase"),
    (["regime.owners.ceo.scope_journeys=[nope]"], "regime.owners.ceo.scope_journeys"),
    (["days=0"], "days"),
    (["warmup_days=730"], "warmup_days: must be shorter than days"),
    (["+bogus=1"], "bogus"),
    (["+mechanisms.handoff.typo=1"], "typo"),
    (["reorg.day=10"], "reorg.to"),
    (["org.customers=abc"], "org.customers"),
    (["regime=not_a_regime"], "'not_a_regime'; available: ceo_led"),
    (["org=not_an_org"], "'not_an_org'; available: auto_insurer"),
    (["+org.friction.service.billing=0.3"], "org.friction.service.billing: no department named 'billing'"),
    (["+org.friction.claims.policy_admin=1.3"], "org.friction.claims.policy_admin: must be <= 1"),
    (["+org.friction.claims.claims=0.3"], "org.friction.claims.claims: a boundary joins two different"),
    (["org.staffing=-0.2"], "org.staffing: must be >= 0"),
    (["org.design_customers=0"], "org.design_customers: must be at least 1"),
    (["org.departments.claims.service_days=0"], "org.departments.claims.service_days: must be >= 1"),
    (["org.segments.standard.annual_cost=-5"], "org.segments.standard.annual_cost"),
    (["org.failure_journey=buy_policy"], "org.failure_journey: must name a service journey"),
    (["mechanisms.failure_demand.unresolved_base=1.2"], "mechanisms.failure_demand.unresolved_base"),
    (["mechanisms.failure_demand.chase_every_days=0"], "mechanisms.failure_demand.chase_every_days"),
]


def test_a_config_file_the_schema_refuses_is_named_with_its_key(tmp_path):
    """A value in an org file of the wrong type (an empty `split_departments:`): the file, the key and
    why, on one line (Hydra's message puts the reason on its second line)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException

    from cxsim.config import schema
    from cxsim.config.composition import CONFIG_DIR, one_line

    (tmp_path / "org").mkdir()
    text = (CONFIG_DIR / "org" / "telecom.yaml").read_text().replace("split_departments: 1", "split_departments:")
    (tmp_path / "org" / "broken.yaml").write_text(text)
    schema.register()
    with pytest.raises(HydraException) as err, initialize_config_dir(str(CONFIG_DIR), version_base=None):
        hydra_compose("config", overrides=["org=broken", f"hydra.searchpath=[file://{tmp_path}]"])
    message = one_line(err.value)
    assert message.startswith("org/broken.yaml: org.split_departments: Incompatible value 'None'"), message


@pytest.mark.parametrize("overrides,key", BAD)
def test_bad_input_is_refused_naming_the_key(overrides, key):
    with pytest.raises(ConfigError) as err:
        compose(overrides)
    message = str(err.value)
    assert key in message
    assert "\n" not in message


def test_a_value_written_as_an_interpolation_is_checked_resolved():
    """The checks read the config's plain data (`validation.Section`); a value written as `${...}` is
    read as the model reads it, resolved: one that resolves into range passes, one out of it is named."""
    fine = compose(["org.staffing=${org.discount_rate}"])
    assert fine.org.staffing == fine.org.discount_rate
    with pytest.raises(ConfigError) as err:
        compose(["org.departments.claims.capacity=${mechanisms.finance.cost_per_case}",
                 "mechanisms.finance.cost_per_case=-2"])
    assert str(err.value).startswith("org.departments.claims.capacity: must be >= 0, got -2"), err.value


@pytest.mark.parametrize("key", ["mechanisms.finance.cost_per_case", "org.departments.claims.capacity",
                                 "mechanisms.finance.cfo_view"])
def test_a_value_left_missing_is_one_line_naming_the_key(key):
    from omegaconf import OmegaConf

    from cxsim.config.validation import validate

    config = compose([])
    OmegaConf.update(config, key, "???")  # OmegaConf's mark for a value still to be given
    with pytest.raises(ConfigError) as err:
        validate(config)
    assert str(err.value) == f"{key}: has no value (??? in the config): give it one"


def test_model_keywords_are_validated_too():
    with pytest.raises(ConfigError, match="org.customers"):
        CXModel(customers=0)
    with pytest.raises(ConfigError, match="mechanisms.finance.service_budget"):
        CXModel(service_budget=-1)
    with pytest.raises(ConfigError, match=r"^days: Value '100.5' of type 'float' could not be converted to Integer$"):
        CXModel(days=100.5)
    with pytest.raises(ConfigError, match=r"^customers: Value 'many'"):
        CXModel(customers="many")
    with pytest.raises(ConfigError, match="mechanisms.finance.cfo_view: must be one of cost, value, none, got 'cfo'"):
        CXModel(cfo_view="cfo")
    for key, value in [("mechanisms.finance.budget_round_days", 0), ("mechanisms.initiatives.lead_days", 0),
                       ("mechanisms.initiatives.success_prob", 1.5), ("mechanisms.finance.max_cut", -0.1),
                       ("mechanisms.finance.target_utilisation", 0)]:
        with pytest.raises(ConfigError, match=key):
            CXModel(overrides=[f"{key}={value}"])


@pytest.mark.parametrize("args,key", [
    (["org.departments.claims.capacity=-3"], "org.departments.claims.capacity"),
    (["+regime.owners.ceo.authority.legal=1"], "legal"),
    (["org.journeys.renewal.stages.0.department=legal"], "department"),
])
def test_cli_prints_one_line_and_no_traceback(args, key, tmp_path):
    p = subprocess.run([sys.executable, "-m", "cxsim.runs.cli", *args, f"hydra.run.dir={tmp_path}"],
                       capture_output=True, text=True)
    assert p.returncode != 0
    assert "Traceback" not in p.stderr + p.stdout
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and key in lines[0], p.stderr


@pytest.mark.parametrize("args, key", [(["regime=nope"], "regime"), (["-m", "regime=ceo_led,nope"], "regime"),
                                       (["org=nope"], "org"), (["reorg.day=3", "reorg.to=nope"], "reorg.to")])
def test_cli_unknown_preset_is_one_line_naming_the_key_and_the_choices(tmp_path, args, key):
    p = subprocess.run([sys.executable, "-m", "cxsim.runs.cli", *args, f"hydra.run.dir={tmp_path}",
                        f"hydra.sweep.dir={tmp_path}/sweep"], capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert re.fullmatch(rf"cxsim: error: {re.escape(key)}: no \w+ named 'nope'; available: .*ceo_led.*|"
                        rf"cxsim: error: {re.escape(key)}: no \w+ named 'nope'; available: .*auto_insurer.*",
                        p.stderr.strip()), p.stderr
    assert not (tmp_path / "sweep").exists()  # refused before any job


def test_compare_refuses_bad_input_before_running(tmp_path):
    from cxsim.decide.compare import main
    assert main(["--seeds", "2", "--out", str(tmp_path), "org.customers=-5"]) == 2
    assert not list(tmp_path.iterdir())


def test_the_rest_of_an_owners_authority_is_given_once():
    """`others` (overridable by name) and '*' (what older files use) mean the same: both at once is refused."""
    from omegaconf import open_dict

    from cxsim.config.validation import validate

    cfg = compose(["regime=marketing_owned", "regime.owners.cmo.authority.others=0.2"])
    validate(cfg)
    with open_dict(cfg):
        cfg.regime.owners.cmo.authority["*"] = 0.1
    with pytest.raises(ConfigError, match="regime.owners.cmo.authority: give the rest's authority as others or as"):
        validate(cfg)


HUGE = ["inf", "1e300", "1e13", "1e308"]  # 1e12: the ceiling of plain quantities, still accepted


@pytest.mark.parametrize("override,key,most", [
    ("levers.ceo_attention", "levers.ceo_attention", "1,440"),
    ("regime.owners.ceo.attention", "regime.owners.ceo.attention", "1,440"),
    ("org.departments.claims.capacity", "org.departments.claims.capacity", "1e+12"),
    ("org.customers", "org.customers", "10,000,000"),
    ("org.journeys.renewal.rate", "org.journeys.renewal.rate", "365"),
    ("org.prospects_per_day", "org.prospects_per_day", "100,000"),
    ("org.segments.standard.annual_value", "org.segments.standard.annual_value", "1e+12"),
    ("mechanisms.finance.service_budget", "mechanisms.finance.service_budget", "1e+12"),
    ("days", "days", "36,500"),
])
def test_a_value_too_large_to_run_is_one_line_naming_the_key_and_the_largest_accepted(override, key, most):
    """Infinity, overflowing and memory-exhausting values (issue 32): the key, the ceiling and its reason."""
    for value in HUGE:
        try:
            whole = key in ("days", "org.customers") and value != "inf"
            compose([f"{override}={int(float(value)) if whole else value}"])
        except ConfigError as exc:
            message = str(exc)
            assert "\n" not in message and key in message, message
            assert f"must be <= {most} (" in message or "could not be converted to Integer" in message, message
        else:
            raise AssertionError(f"{override}={value} was accepted")


@pytest.mark.parametrize("args", [
    ["regime=ceo_led", "levers.ceo_attention=inf"], ["regime=ceo_led", "levers.ceo_attention=1e300"],
    ["regime=ceo_led", "levers.ceo_attention=1e12"], ["org.departments.service.capacity=inf"],
    ["org.departments.service.capacity=1e308"]])
def test_the_values_of_issue_32_get_one_line_from_the_cli(args, tmp_path):
    p = subprocess.run([sys.executable, "-m", "cxsim.runs.cli", *args, f"hydra.run.dir={tmp_path}"],
                       capture_output=True, text=True)
    assert p.returncode != 0 and "Traceback" not in p.stderr + p.stdout
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and args[-1].split("=")[0] in lines[0] and "must be <=" in lines[0], p.stderr


@pytest.mark.parametrize("main,argv,flag", [
    ("cxsim.decide.compare", ["--seeds", str(10**15)], "--seeds"),
    ("cxsim.decide.compare", ["--jobs", str(10**9)], "--jobs"),
    ("cxsim.decide.reorg", ["COMPANY", "--days", str(10**12)], "--days"),
    ("cxsim.decide.reorg", ["COMPANY", "--samples", str(2**64)], "--samples"),
    ("cxsim.analysis.sensitivity", ["--trajectories", str(10**10)], "--trajectories"),
    ("cxsim.calibration.facts", ["--seeds", str(10**10)], "--seeds"),
    ("cxsim.calibration.calibrate", ["COMPANY", "OBSERVED", "--generations", str(10**9)], "--generations"),
    ("cxsim.decide.sweep_report", ["NOWHERE", "--jobs", str(10**6)], "--jobs"),
    ("cxsim.app.server", ["--port", str(10**6)], "--port"),
])
def test_a_command_line_count_too_large_is_one_line(main, argv, flag, tmp_path, capsys):
    import importlib

    from cxsim.examples import COMPANY, OBSERVED

    files = {"COMPANY": str(COMPANY), "OBSERVED": str(OBSERVED), "NOWHERE": str(tmp_path)}
    code = importlib.import_module(main).main([files.get(a, a) for a in argv])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and flag in err and "must be <=" in err, err


def test_a_sweeper_plugin_that_cannot_load_says_which_import_failed(tmp_path):
    """Every config names the cxsim sweeper; if its plugin cannot import (joblib 1.6 dropped the cloudpickle
    it vendored), the one line says which import failed, not that a config is missing (issue 32)."""
    script = ("import sys; sys.modules['cloudpickle'] = None\n"  # `import cloudpickle` now raises ImportError
              "from cxsim.config.errors import ConfigError\nfrom cxsim.config.composition import compose\n"
              "try:\n    compose([])\nexcept ConfigError as exc:\n    print(exc)\n")
    p = subprocess.run([sys.executable, "-W", "ignore", "-c", script], capture_output=True, text=True, cwd=tmp_path,
                       env={**os.environ, "CXSIM_CACHE_DIR": "off"})  # Hydra composes (not a config kept on disk)
    line = p.stdout.strip()
    assert line.startswith("hydra/sweeper/cxsim: the plugin hydra_plugins.cxsim_fast_sweep.cxsim_sweeper did not "
                           "load: ModuleNotFoundError: ") and "cloudpickle" in line and "\n" not in line, (
        p.stdout + p.stderr)


def test_an_incompatible_hydra_fails_loudly_in_one_line():
    """The fast sweep's private Hydra parts are in one module that checks them on import: another Hydra
    version, a part that moved, or one whose parameters changed is one line naming the version and part."""
    from hydra_plugins.cxsim_fast_sweep import _hydra_private as private

    private.check()  # the installed Hydra passes
    with pytest.raises(private.IncompatibleHydra, match=r"needs Hydra 1\.3\.x, found 1\.4\.0 "):
        private.check("1.4.0")
    with pytest.raises(private.IncompatibleHydra, match=r"private Loader\.gone\(cfg\), which Hydra 1\.3\.9"):
        private.check("1.3.9", {"Loader.gone": (object, "gone", ["cfg"])})
    with pytest.raises(private.IncompatibleHydra, match=r"private save\(cfg, output_dir\)"):
        private.check("1.3.9", {"save": (lambda cfg: None, None, ["cfg", "output_dir"])})


def test_a_sweeps_workers_fork_from_a_server_unless_the_start_method_was_chosen():
    """The fast sweep has loky fork its workers from a server that imported the model once (a private
    part of joblib's loky, `_hydra_private.loky_start_method`: on a joblib that moved it, this fails,
    and sweeps still run, each worker importing the model itself); a start method chosen before stays."""
    script = """
from joblib.externals.loky.backend import context
from hydra_plugins.cxsim_fast_sweep import _joblib
import sys
if sys.argv[1] == "chosen":
    context.set_start_method("spawn")
_joblib.fork_from_a_server()
_joblib.fork_from_a_server()
print(context.get_start_method())
"""
    methods = [subprocess.run([sys.executable, "-c", script, case], capture_output=True, text=True).stdout.strip()
               for case in ("default", "chosen")]
    assert methods == ["forkserver", "spawn"]
