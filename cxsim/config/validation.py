"""Semantic checks on a composed config: the errors a schema cannot catch.

Every check raises `ConfigError` with one line that names the key and the
value, e.g. ``org.departments.claims.capacity: must be >= 0, got -3``.
Hydra's schema has already checked types and unknown keys; a `+key=value`
override bypasses the schema, so the checks here also look for keys that are
not in it.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import typing

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import MissingMandatoryValue

from cxsim.config.errors import ConfigError
from cxsim.config.schema import FUNCTIONS, PHASES, CXConfig

PROBABILITY_KEYS = {
    "handoff": ("base_friction", "friction_floor", "friction_max", "culture_effect", "drop_share",
                "info_loss_share"),
    "failure_demand": ("unresolved_base", "chase_prob", "consequence_prob", "chase_work"),
    "escalation": ("exception_rate", "local_default_right"),
    "governance": ("fix_effect", "local_fix_rate", "persuasion", "review_share", "deputy_authority", "consensus"),
    "diffusion": ("act_prob", "cohesion"),
    "accountability": ("info_effect", "owner_kpi"),
    "culture": ("drift_per_week", "reorg_disruption", "fit_recovery_per_week"),
    "customer": ("base_quality", "learning_rate", "initial_satisfaction", "churn_base",
                 "dissatisfied_below", "promoter_above", "annual_attrition",
                 "complaint_propensity"),
    "finance": ("max_cut", "target_utilisation", "value_reinvest", "overtime_max"),
    "initiatives": ("success_prob", "scale_success_prob", "effect"),
}
CFO_VIEWS = ("cost", "value", "none")
DIFFUSION_LEVELS = ("group", "individual", "none")

# The largest values a run can take, each with its reason: beyond them a run overflows an integer,
# exhausts memory or loses its sums' precision (and infinity is beyond every one of them).
MOST_CUSTOMERS = (10_000_000, "customers are agents held in memory, about 0.4 kB each: 10 million take 4 GB")
MOST_DAYS = (36_500, "a century: the model's rates are yearly and a decision's horizon is years")
MOST_DECISIONS = (1_440, "decisions a day: a day holds 1,440 minutes and a decision takes at least one")
MOST_JOURNEYS = (365.0, "journeys per customer per year: the calendar holds at most one a day each")
MOST_PROSPECTS = (100_000.0, "prospects a day are agents too: a year of them must fit in memory")
MOST = (1e12, "beyond any firm's scale: a run's money and work sums would lose their precision")
MOST_RUNS = (1_000_000, "runs: a million is beyond any sweep's time")
MOST_JOBS = (1_024, "worker processes: each holds the model in memory")
PORTS = (65_535, "the largest TCP port")
REGIME_UNIT_KEYS = ("journey_kpi", "culture_signal", "efficiency_pressure")  # None allowed


def fail(key: str, msg: str, value=None) -> None:
    got = "" if value is None else f", got {value!r}"
    raise ConfigError(f"{key}: {msg}{got}")


def number(key: str, value, lo: float | None = 0.0, hi: float | tuple[float, str] = MOST) -> float:
    """A finite number in [lo, hi]; `hi` is a bound of the config's ranges or one of the limits above
    (a value and its reason, said in the error)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        fail(key, "must be a number", value)
    if lo is not None and value < lo:
        fail(key, f"must be >= {lo:g}", value)
    most, why = hi if isinstance(hi, tuple) else (hi, "")
    if value > most:
        fail(key, f"must be <= {readable(most)}" + (f" ({why})" if why else ""), value)
    if not math.isfinite(value):
        fail(key, "must be finite", value)
    return float(value)


def interval(key: str, value) -> tuple[float, float]:
    """An assumption's range from a file: [low, high], two finite numbers with low < high; two whole
    numbers stay whole (the assumption is whole days: the crossover's bisection and a sample round to them)."""
    if not (isinstance(value, list) and len(value) == 2
            and all(isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in value)
            and value[0] < value[1]):
        fail(key, "must be [low, high], two finite numbers with low < high", value)
    if all(isinstance(b, int) for b in value):
        return value[0], value[1]
    return float(value[0]), float(value[1])


def readable(x: float) -> str:
    return f"{int(x):,}" if x == int(x) and abs(x) < 1e9 else f"{x:g}"


def count(key: str, value, least: int = 1, most: tuple[int, str] = MOST_RUNS) -> int:
    """A whole number of runs, seeds, samples or days from a command line or a company file."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        fail(key, f"must be a whole number >= {least}", value)
    if value > most[0]:
        fail(key, f"must be <= {most[0]:,} ({most[1]})", value)
    return value


class Section(dict):
    """A config section as plain data, read as OmegaConf reads it (`node.key`, and a method's name stays
    the method's): the checks read about 500 values, and an OmegaConf read costs about twenty times a
    dict's (validation was a quarter of a default run's set-up)."""

    __slots__ = ()

    def __getattr__(self, key: str):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


def section(value):
    """`value` with every mapping in it a `Section`."""
    if isinstance(value, dict):
        return Section({k: section(v) for k, v in value.items()})
    if isinstance(value, list):
        return [section(v) for v in value]
    return value


def interpolated(value) -> bool:
    """Whether a value somewhere in `value` is an interpolation (`${...}`), unresolved."""
    if isinstance(value, dict):
        return any(interpolated(v) for v in value.values())
    if isinstance(value, list):
        return any(interpolated(v) for v in value)
    return isinstance(value, str) and "${" in value


def at(node: dict, path: str):
    """The value at a dotted `path` of plain config data."""
    for key in path.split("."):
        node = node[key]
    return node


@functools.cache
def fields_of(spec) -> dict:
    """A schema dataclass's fields and their types (`typing.get_type_hints` costs 0.1 ms; every run's
    config is checked against about fifty of them)."""
    return typing.get_type_hints(spec)


def unknown_keys(node, spec, prefix: str) -> None:
    if dataclasses.is_dataclass(spec):
        if not isinstance(node, dict):
            return
        hints = fields_of(spec)
        for key, value in node.items():
            if key not in hints:
                fail(f"{prefix}{key}", f"unknown key (not in {spec.__name__})")
            unknown_keys(value, hints[key], f"{prefix}{key}.")
    elif typing.get_origin(spec) is dict and isinstance(node, dict):
        for key, value in node.items():
            unknown_keys(value, typing.get_args(spec)[1], f"{prefix}{key}.")
    elif typing.get_origin(spec) is list and isinstance(node, list):
        for i, value in enumerate(node):
            unknown_keys(value, typing.get_args(spec)[0], f"{prefix}{i}.")


def flags(args, least: dict[str, int]) -> None:
    """A command line's whole-number options, each at least its `least` and at most its limit:
    `flags(args, {"seeds": 2, "jobs": 1})`; an option left unset (None) is skipped."""
    for name, lo in least.items():
        value = getattr(args, name)
        if value is not None:
            most = (MOST_DAYS if name.endswith("days") else MOST_JOBS if name == "jobs"
                    else PORTS if name == "port" else MOST_RUNS)
            count("--" + name.replace("_", "-"), value, lo, most)


CHECKED = ("days", "warmup_days", "org", "mechanisms", "regime", "levers", "reorg")  # what `check` reads


def validate(config: DictConfig) -> None:
    """The composed config's checks, on its plain data (values written as `${...}` resolved, as the
    model reads them). Keys unknown to the schema first: a `+key=value` override slips them past Hydra
    (which has already checked the types of the keys it knows)."""
    try:
        data = OmegaConf.to_container(config, resolve=False, throw_on_missing=True)
    except MissingMandatoryValue as exc:
        fail(exc.full_key, "has no value (??? in the config): give it one")
    unknown_keys(data, CXConfig, "")
    for key in CHECKED:  # (the seed is an interpolation, and no check reads it)
        if interpolated(data[key]):
            value = config[key]
            data[key] = OmegaConf.to_container(value, resolve=True) if OmegaConf.is_config(value) else value
    check(section(data))


def check(cfg: Section) -> None:
    number("days", cfg.days, lo=1, hi=MOST_DAYS)
    if number("warmup_days", cfg.warmup_days) >= cfg.days:
        fail("warmup_days", f"must be shorter than days ({cfg.days}): outcomes count after it", cfg.warmup_days)
    validate_org(cfg.org)
    validate_mechanisms(cfg.mechanisms)
    pay = set(cfg.mechanisms.governance.executive_pay) | set(cfg.org.executive_pay)
    validate_regime(cfg.regime, cfg.org, "regime", pay)
    # its CX forum of department heads is priced at their pay
    if cfg.regime.shared_responsibility and cfg.mechanisms.governance.forum:
        paid(pay, "department_head", "regime.shared_responsibility")
    validate_levers(cfg.levers)
    if cfg.reorg.day is not None:
        number("reorg.day", cfg.reorg.day, lo=0, hi=cfg.days)
        if not cfg.reorg.to:
            fail("reorg.to", "name the regime to switch to when reorg.day is set")


def validate_levers(levers: Section) -> None:
    if levers.ceo_attention is not None:
        number("levers.ceo_attention", levers.ceo_attention, hi=MOST_DECISIONS)
    for key in ("cxo_authority", "cxo_backing", "journey_kpi"):
        if levers[key] is not None:
            number(f"levers.{key}", levers[key], hi=1)
    if levers.cxo_authority is not None and levers.cxo_backing is not None:
        fail("levers.cxo_backing", "set cxo_authority or cxo_backing, not both "
                                   "(cxo_authority is the CXO's authority with backing included)")


def validate_org(org: Section) -> None:
    p = "org."
    if number(p + "customers", org.customers, lo=0, hi=MOST_CUSTOMERS) < 1:
        fail(p + "customers", "must be at least 1", org.customers)
    if org.design_customers is not None and number(p + "design_customers", org.design_customers, hi=MOST_CUSTOMERS) < 1:
        fail(p + "design_customers", "must be at least 1 (or null: the capacities are for `customers`)",
             org.design_customers)
    number(p + "staffing", org.staffing, hi=10)
    number(p + "discount_rate", org.discount_rate, hi=1)
    if org.annual_attrition is not None:
        number(p + "annual_attrition", org.annual_attrition, hi=1)
    number(p + "split_departments", org.split_departments, lo=1, hi=50)
    number(p + "prospects_per_day", org.prospects_per_day, hi=MOST_PROSPECTS)
    number(p + "acquisition_cost", org.acquisition_cost)
    for role, value in org.executive_pay.items():
        number(f"{p}executive_pay.{role}", value)
    validate_departments(org, p)
    validate_journeys(org, p)
    validate_segments(org, p)


def validate_departments(org: Section, p: str) -> None:
    if not org.departments:
        fail(p + "departments", "at least one department is needed")
    for name, d in org.departments.items():
        k = f"{p}departments.{name}."
        if d.function not in FUNCTIONS:
            fail(k + "function", f"must be one of {', '.join(FUNCTIONS)}", d.function)
        number(k + "capacity", d.capacity)
        number(k + "cost_per_capacity", d.cost_per_capacity)
        number(k + "culture", d.culture, hi=1)
        number(k + "service_days", d.service_days, lo=1, hi=365)
    for a, row in org.friction.items():
        for b, value in row.items():
            k = f"{p}friction.{a}.{b}"
            for name in (a, b):
                if name not in org.departments:
                    fail(k, f"no department named {name!r} in org.departments", value)
            if a == b:
                fail(k, "a boundary joins two different departments", value)
            number(k, value, hi=1)


def validate_journeys(org: Section, p: str) -> None:
    if not org.journeys:
        fail(p + "journeys", "at least one journey is needed")
    acquisition = [n for n, j in org.journeys.items() if j.acquisition]
    if len(acquisition) > 1:
        fail(p + "journeys", f"only one journey may be the acquisition journey, got {acquisition}")
    for name, j in org.journeys.items():
        k = f"{p}journeys.{name}."
        number(k + "rate", j.rate, hi=MOST_JOURNEYS)
        if not j.stages:
            fail(k + "stages", "a journey needs at least one stage")
        for i, s in enumerate(j.stages):
            if s.department not in org.departments:
                fail(f"{k}stages.{i}.department", "no such department in org.departments", s.department)
            if s.phase not in PHASES:
                fail(f"{k}stages.{i}.phase", f"must be one of {', '.join(PHASES)}", s.phase)
        if j.lead is not None and j.lead not in {s.department for s in j.stages}:
            fail(k + "lead", "the lead must be a department on the journey", j.lead)
    follow_up = org.failure_journey
    if follow_up is not None and (follow_up not in org.journeys or org.journeys[follow_up].acquisition):
        fail(p + "failure_journey", "must name a service journey of org.journeys", follow_up)


def validate_segments(org: Section, p: str) -> None:
    if not org.segments:
        fail(p + "segments", "at least one customer segment is needed")
    total = 0.0
    for name, s in org.segments.items():
        k = f"{p}segments.{name}."
        total += number(k + "share", s.share, hi=1)
        number(k + "annual_value", s.annual_value)
        number(k + "annual_cost", s.annual_cost)
        number(k + "expectation", s.expectation, hi=1)
        number(k + "effort_tolerance", s.effort_tolerance)
    if abs(total - 1.0) > 1e-6:
        fail(p + "segments", f"shares must sum to 1, got {total:g}")


def validate_regime(regime: Section, org: Section, p: str, pay: set[str]) -> None:
    for key in REGIME_UNIT_KEYS:
        if regime[key] is not None:
            number(f"{p}.{key}", regime[key], hi=1)
    number(f"{p}.overhead_per_day", regime.overhead_per_day)
    known = set(org.departments.keys()) | set(FUNCTIONS) | {"others", "*"}
    for name, o in regime.owners.items():
        k = f"{p}.owners.{name}."
        number(k + "attention", o.attention, hi=MOST_DECISIONS)
        number(k + "backing", o.backing, hi=1)
        number(k + "culture_signal", o.culture_signal, hi=1)
        number(k + "judgement", o.judgement, hi=1)
        paid(pay, o.role, k + "role")
        if o.deputy.role is not None:
            number(k + "deputy.attention", o.deputy.attention, hi=MOST_DECISIONS)
            number(k + "deputy.judgement", o.deputy.judgement, hi=1)
            paid(pay, o.deputy.role, k + "deputy.role")
        if "others" in o.authority and "*" in o.authority:
            fail(f"{k}authority", "give the rest's authority as others or as '*', not both")
        for dept, a in o.authority.items():
            if dept not in known:
                fail(f"{k}authority.{dept}", "no such department or function in the org")
            number(f"{k}authority.{dept}", a, hi=1)
        for ph in o.scope_phases:
            if ph not in PHASES:
                fail(k + "scope_phases", f"must be among {', '.join(PHASES)}", ph)
        for j in o.scope_journeys:
            if j != "*" and j not in org.journeys:
                fail(k + "scope_journeys", "no such journey in org.journeys", j)
    jl = regime.journey_leads
    for key in ("authority_own", "authority_team", "culture_signal", "judgement"):
        number(f"{p}.journey_leads.{key}", jl[key], hi=1)
    number(f"{p}.journey_leads.attention", jl.attention, hi=MOST_DECISIONS)
    if jl.enabled:
        paid(pay, "journey_lead", f"{p}.journey_leads")


def paid(pay: set[str], role: str, key: str) -> None:
    """Every owner's time is priced: its role needs a yearly pay."""
    if role not in pay:
        fail(key, f"no pay for this role in org.executive_pay or mechanisms.governance.executive_pay "
                  f"(known: {', '.join(sorted(pay))})", role)


def validate_mechanisms(m: Section) -> None:
    for group, keys in PROBABILITY_KEYS.items():
        for key in keys:
            if key in m[group]:
                number(f"mechanisms.{group}.{key}", m[group][key], hi=1)
    for group in m.keys():
        for key, value in m[group].items():
            if isinstance(value, dict):  # executive_pay: a number per role
                for role, pay in value.items():
                    number(f"mechanisms.{group}.{key}.{role}", pay)
            elif not isinstance(value, (bool, str)):  # the switches are typed by the schema, choices below
                number(f"mechanisms.{group}.{key}", value)
    if m.diffusion.level not in DIFFUSION_LEVELS:
        fail("mechanisms.diffusion.level", f"must be one of {', '.join(DIFFUSION_LEVELS)}", m.diffusion.level)
    if m.finance.cfo_view not in CFO_VIEWS:
        fail("mechanisms.finance.cfo_view", f"must be one of {', '.join(CFO_VIEWS)}", m.finance.cfo_view)
    for key in ("finance.budget_round_days", "initiatives.lead_days"):
        if at(m, key) < 1:
            fail(f"mechanisms.{key}", "must be at least 1", at(m, key))
    if m.finance.target_utilisation <= 0:
        fail("mechanisms.finance.target_utilisation", "must be > 0", m.finance.target_utilisation)
    if m.handoff.drop_share + m.handoff.info_loss_share > 1:
        fail("mechanisms.handoff", "drop_share + info_loss_share must be <= 1")
    if m.handoff.base_friction > m.handoff.friction_max:
        fail("mechanisms.handoff.base_friction", "must not exceed friction_max", m.handoff.base_friction)
    if m.governance.workday_hours <= 0:
        fail("mechanisms.governance.workday_hours", "must be > 0", m.governance.workday_hours)
    if m.governance.review_every_days < 1:
        fail("mechanisms.governance.review_every_days", "must be at least 1", m.governance.review_every_days)
    if m.failure_demand.chase_every_days < 1:
        fail("mechanisms.failure_demand.chase_every_days", "must be at least 1", m.failure_demand.chase_every_days)
