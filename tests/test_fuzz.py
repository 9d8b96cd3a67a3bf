"""Fuzzing (issue 7): random organisations run or are refused in one line; random junk is refused by key.

Hypothesis draws schema-valid company files -- 1 to 30 departments, journeys of
1 to 12 stages, capacities from 0 to huge, probabilities at 0 and 1, zero
volumes -- and malformed ones. A valid file must run with the debug checks on
(`cxsim.model.invariants`: conservation, rates, money) and give finite outcomes, or
be refused with a one-line ConfigError; never another exception.
"""

from __future__ import annotations

import math

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cxsim.config.errors import ConfigError
from cxsim.config.schema import FUNCTIONS
from cxsim.config.validation import validate
from cxsim.decide.company import load
from cxsim.model import CXModel

EXAMPLES = {"valid": 60, "junk": 80}
FINITE = ("handoff_failure_rate", "failure_demand_share", "annual_churn_rate", "revenue", "cost_to_serve",
          "governance_cost", "profit", "time_to_resolve", "culture_end", "friction_end")
edge = st.sampled_from([0.0, 1.0])
unit = st.one_of(edge, st.floats(0.0, 1.0, allow_nan=False))
capacity = st.one_of(st.sampled_from([0.0, 1e-6, 1e9]), st.floats(0.0, 500.0, allow_nan=False))


@st.composite
def company(draw) -> dict:
    n = draw(st.integers(1, 30))
    names = [f"d{i}" for i in range(n)]
    departments = {d: {"function": draw(st.sampled_from(sorted(FUNCTIONS))), "capacity": draw(capacity),
                       "cost_per_capacity": draw(st.floats(0.0, 1e4, allow_nan=False)),
                       "culture": draw(unit), "cost_centre": draw(st.booleans())} for d in names}
    journeys = {}
    for j in range(draw(st.integers(1, 5))):
        stages = [{"department": draw(st.sampled_from(names)),
                   "phase": draw(st.sampled_from(["pre_purchase", "post_purchase"])),
                   "moment_of_truth": draw(st.booleans())} for _ in range(draw(st.integers(1, 12)))]
        journeys[f"j{j}"] = {"rate": draw(st.one_of(st.just(0.0), st.floats(0.0, 12.0, allow_nan=False))),
                             "stages": stages}
    if draw(st.booleans()):
        journeys["j0"]["acquisition"] = True
    shares = draw(st.lists(st.integers(1, 10), min_size=1, max_size=3))
    segments = {f"s{i}": {"share": s / sum(shares), "annual_value": draw(st.floats(0.0, 5e3, allow_nan=False)),
                          "expectation": draw(unit), "effort_tolerance": draw(st.floats(0.0, 5.0, allow_nan=False))}
                for i, s in enumerate(shares)}
    org = {"name": "fuzz", "customers": draw(st.integers(1, 300)), "departments": departments,
           "journeys": journeys, "segments": segments,
           "prospects_per_day": draw(st.one_of(st.just(0.0), st.floats(0.0, 5.0, allow_nan=False))),
           "acquisition_cost": draw(st.floats(0.0, 500.0, allow_nan=False))}
    regimes = ["ceo_led", "marketing_owned", "coo_owned", "cxo_facilitator", "everyone_owns", "journey_teams",
               "no_owner"]
    return {"name": "fuzz", "org": org, "today": draw(st.sampled_from(regimes)),
            "candidates": [draw(st.sampled_from(regimes))], "days": draw(st.integers(1, 40))}


def one_line(exc: ConfigError) -> bool:
    return "\n" not in str(exc) and len(str(exc)) < 600


@settings(max_examples=EXAMPLES["valid"], deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(company(), edge, edge, st.integers(0, 2**31 - 1))
def test_valid_organisations_run_with_sound_bookkeeping_or_are_refused_in_one_line(tmp_path_factory, data,
                                                                                    friction, exceptions, seed):
    f = tmp_path_factory.mktemp("fuzz") / "company.yaml"
    f.write_text(yaml.safe_dump(data))
    try:
        c = load(f)
    except ConfigError as exc:
        assert one_line(exc), str(exc)
        event("refused: " + str(exc).split(": ", 2)[1])
        return
    event("ran")
    cfg = c.config.copy()
    cfg.mechanisms.handoff.friction_max = 1.0  # so that friction itself may sit at 1
    cfg.mechanisms.handoff.base_friction = friction  # handoffs always or never fail
    cfg.mechanisms.escalation.exception_rate = exceptions  # every or no handoff needs an owner
    cfg.debug = True  # every day: conservation, rates in [0, 1], no negative count, money adds up
    validate(cfg)
    s = CXModel(config=cfg, seed=seed).run().recorder.summary()
    for key in FINITE:
        assert math.isfinite(s[key]), (key, s[key])
    assert s["customers_end"] >= 0 and s["churned"] >= 0 and s["acquired"] >= 0
    assert s["customers_end"] == 0 or math.isfinite(s["satisfaction_mean"])


huge = st.sampled_from([math.inf, -math.inf, 1e300, 1e13, 2**64, 10**30])  # overflow, memory (issue 32)
junk_value = st.one_of(huge, st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                       st.text(max_size=12), st.lists(st.integers(), max_size=3),
                       st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


NUMERIC_PLACES = [("days",), ("seeds",), ("samples",), ("switch_day",), ("org", "customers"),
                  ("org", "prospects_per_day"), ("org", "split_departments"),
                  ("org", "departments", "claims", "capacity"),
                  ("org", "departments", "claims", "culture"), ("org", "journeys", "renewal", "rate"),
                  ("org", "segments", "standard", "share"), ("org", "segments", "standard", "annual_value"),
                  ("uncertain", "levers.ceo_attention"), ("targets", "annual_churn_rate")]
PLACES_OF_JUNK = [("today",), ("candidates",), ("org", "departments", "claims", "function"),
                  ("org", "journeys", "renewal", "stages"), *NUMERIC_PLACES]


def company_with(tmp_path_factory, path: tuple, value):
    from pathlib import Path

    data = yaml.safe_load((Path(__file__).parent.parent / "cxsim" / "examples" / "mid_size_insurer.yaml").read_text())
    node = data
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    if isinstance(value, (int, float)) and not isinstance(value, bool):  # a number where a range or bound goes
        if path[0] == "uncertain":
            node[path[-1]] = [min(value, 0), value]
        if path[0] == "targets":
            node[path[-1]] = {"max": value}
    f = tmp_path_factory.mktemp("junk") / "company.yaml"
    f.write_text(yaml.safe_dump(data))
    return f


def refused(tmp_path_factory, path: tuple, value) -> bool:
    """Whether the company file with `value` at `path` is refused; if it is, in one line naming the key."""
    try:
        load(company_with(tmp_path_factory, path, value))
    except ConfigError as exc:
        assert one_line(exc), str(exc)
        assert ".".join(path[:2]) in str(exc) or path[0] in str(exc), (path, str(exc))
        return True
    return False


@settings(max_examples=EXAMPLES["junk"], deadline=None)
@given(st.sampled_from(PLACES_OF_JUNK), junk_value)
def test_a_wrong_type_or_value_is_refused_naming_the_key(tmp_path_factory, path, value):
    refused(tmp_path_factory, path, value)  # or accepted: then it was a valid value for that key


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(NUMERIC_PLACES), huge)
def test_an_infinite_or_overflowing_number_is_always_refused_naming_the_key(tmp_path_factory, path, value):
    """Infinity, numbers past 64 bits and values that would exhaust memory never reach a run (issue 32)."""
    assert refused(tmp_path_factory, path, value), f"{'.'.join(path)} = {value!r} was accepted"


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_random_text_is_refused_or_loaded_never_a_traceback(tmp_path_factory, text):
    f = tmp_path_factory.mktemp("text") / "company.yaml"
    f.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    try:
        load(f)
    except ConfigError as exc:
        assert one_line(exc), str(exc)


OBSERVED_WORDS = ["period_days", "satisfaction_scale", "measures", "monthly_churn", "departments", "transfers",
                  "journeys", "service", "claims", "renewal", "contacts", "repeat_contact_rate", "nps", "satisfaction",
                  "complaints", "service -> claims", "handoff_failure_rate", "satisfaction_mean", "x"]
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-400, 400) | st.floats(allow_nan=True) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(OBSERVED_WORDS), inner, max_size=4),
    max_leaves=10)


def valid_observed() -> dict:
    return {"period_days": 90, "satisfaction_scale": [1, 5],
            "measures": {"handoff_failure_rate": 0.2, "satisfaction_mean": 3.2, "complaints": 12},
            "monthly_churn": [0.01, 0.012, 0.011], "departments": {"service": {"contacts": 900, "repeat_contacts": 80}},
            "transfers": {"service -> claims": 0.2}, "journeys": {"renewal": {"nps": -5, "satisfaction": 3.5}}}


PLACES = [("period_days",), ("satisfaction_scale",), ("measures",), ("measures", "satisfaction_mean"),
          ("measures", "complaints"), ("monthly_churn",), ("departments",), ("departments", "service"),
          ("departments", "service", "contacts"), ("transfers",), ("transfers", "service -> claims"),
          ("journeys", "renewal"), ("journeys", "renewal", "nps"), ("journeys", "renewal", "satisfaction")]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PLACES), st.one_of(st.just("delete"), VALUES)), max_size=3))
def test_a_mangled_observed_file_is_read_or_refused_in_one_line(tmp_path_factory, edits):
    """A valid observed-data file with up to three places replaced by random values or deleted:
    `cxsim-calibrate` reads it or names the key in one line; what it reads is finite and in range."""
    from cxsim.calibration.observed import load as load_observed

    data = valid_observed()
    for path, value in edits:
        node = data
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            continue
        if value == "delete":
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value
    f = tmp_path_factory.mktemp("obs") / "observed.yaml"
    f.write_text(yaml.safe_dump(data))
    try:
        observed = load_observed(f, ["service", "claims"], ["renewal"])
    except ConfigError as exc:
        assert one_line(exc), str(exc)
        event("refused")
        return
    event("read")
    assert observed.period_days >= 1 and observed.measures
    assert all(math.isfinite(v) for v in observed.measures.values())
    for name, value in observed.measures.items():
        if name.endswith(("rate", "satisfaction", "satisfaction_mean")) or name == "churn:monthly":
            assert 0 <= value <= 1, (name, value)
        if name.endswith("nps"):
            assert -100 <= value <= 100, (name, value)
