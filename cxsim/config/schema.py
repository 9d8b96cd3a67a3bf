"""The structured config schema, registered in Hydra's ConfigStore.

Hydra checks types and unknown keys against these dataclasses when it composes
a config; `cxsim.config.validation` adds the semantic checks (ranges, references
between departments, journeys and regimes) that a type system cannot express.
Units and sources of every parameter are in the YAML files under `cxsim/conf/`
and in `docs/model.md`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

from cxsim.config import resolvers

PHASES = ("pre_purchase", "post_purchase")
# Department functions: a regime grants authority by function (or by name),
# so one regime file fits every organisation.
FUNCTIONS = ("marketing", "sales", "operations", "service", "finance", "it", "hr", "product")


# --------------------------------------------------------------------- org
@dataclass
class DepartmentCfg:
    function: str = MISSING  # one of FUNCTIONS
    capacity: float = MISSING  # cases per day the department can work
    cost_per_capacity: float = MISSING  # money per day per unit of capacity (staff)
    culture: float = 0.4  # initial customer orientation, 0..1
    cost_centre: bool = False  # staffed from the service budget, not from demand
    # calendar days a stage here takes once worked (an assessor's visit, a repair, a payment run) [days]
    service_days: float = 1.0
    front_line: bool | None = None  # customers contact the firm here (None: a service department is, others not)
    description: str = ""


@dataclass
class StageCfg:
    department: str = MISSING
    phase: str = "post_purchase"  # pre_purchase | post_purchase
    moment_of_truth: bool = False  # weighs more on satisfaction


@dataclass
class JourneyCfg:
    stages: list[StageCfg] = MISSING
    rate: float = 0.0  # journeys per active customer per year (0 for acquisition)
    acquisition: bool = False  # the journey a prospect takes to become a customer
    lead: str | None = None  # lead department under journey teams (default: most stages)
    description: str = ""


@dataclass
class SegmentCfg:
    share: float = MISSING  # share of customers, 0..1, shares sum to 1
    annual_value: float = MISSING  # revenue per active customer per year
    expectation: float = 0.6  # expected quality, 0..1 (Oliver 1980)
    effort_tolerance: float = 1.0  # effort units a customer takes in stride
    # cost of the product itself per active customer per year (claims paid, network) [money/year]
    annual_cost: float = 0.0


@dataclass
class OrgCfg:
    name: str = MISSING
    description: str = ""
    customers: int = MISSING  # active customers on day 0
    # customers the capacities and prospects_per_day are stated for (None: `customers`); a firm of another
    # size is staffed and marketed in proportion, so `customers` changes size and not staffing
    design_customers: int | None = None
    # leaving for reasons the firm cannot influence, where this industry's differs from
    # mechanisms.customer.annual_attrition (house moves, price-led switching) [1/year]
    annual_attrition: float | None = None
    # yearly rate a run's cash and terminal value are discounted at: the firm's cost of capital [1/year]
    # 8% (Reichheld, Winning on Purpose) to about 12% (Gupta, Lehmann & Stuart 2004); cxsim.model.valuation
    discount_rate: float = 0.10
    staffing: float = 1.0  # staff as a share of what the capacities state (1 = as designed; 0.7 = 30% short) [share]
    # the service journey a failure makes necessary later (a billing error -> a billing query); None: none
    failure_journey: str | None = None
    departments: dict[str, DepartmentCfg] = MISSING
    journeys: dict[str, JourneyCfg] = MISSING
    segments: dict[str, SegmentCfg] = MISSING
    split_departments: int = 1  # split every department into this many silos
    # friction today at named boundaries, from department -> to department -> P(handoff fails) before
    # the other terms [prob]; a boundary not named starts at mechanisms.handoff.base_friction
    friction: dict[str, dict[str, float]] = field(default_factory=dict)
    prospects_per_day: float = 2.0  # prospects arriving from paid marketing
    acquisition_cost: float = 0.0  # marketing spend per prospect
    # yearly pay by owner role [money/year], where this firm's differs from mechanisms.governance.executive_pay
    executive_pay: dict[str, float] = field(default_factory=dict)


# ------------------------------------------------------------------ regime
@dataclass
class DeputyCfg:
    """A deputy who decides, day to day, the escalations the owner does not reach (seed 000's CX lead)."""

    role: str | None = None  # the deputy's role (its pay: executive_pay); None: no deputy
    attention: float = 0.0  # CX decisions per day of the deputy
    judgement: float = 1.0  # P(a deputy's escalated decision is the right one), 0..1


@dataclass
class OwnerCfg:
    role: str = MISSING  # CEO, CMO, COO, CXO ... (its pay: executive_pay)
    attention: float = MISSING  # CX decisions per day (escalations, fixes)
    authority: dict[str, float] = field(default_factory=dict)  # dept or function -> 0..1; others (or "*"): the rest
    backing: float = 1.0  # the CEO's backing: multiplies standing into authority; scales persuasion (seed 002)
    scope_phases: list[str] = field(default_factory=lambda: list(PHASES))
    scope_journeys: list[str] = field(default_factory=lambda: ["*"])
    culture_signal: float = 0.0  # customer orientation the owner radiates, 0..1
    judgement: float = 1.0  # P(an escalated decision is the right one), 0..1: the person, not the title (seed 000)
    acquisition_kpi: bool = False  # measured on customers won (a CMO's target): its promises chase it (promises)
    deputy: DeputyCfg = field(default_factory=DeputyCfg)


@dataclass
class JourneyLeadCfg:
    """Journey teams (seed 001): one owner per journey, the head of its lead department."""

    enabled: bool = False
    attention: float = 0.0  # CX decisions per day of each journey lead
    authority_own: float = 1.0  # over the lead's own department
    authority_team: float = 0.5  # over the other departments on the journey
    culture_signal: float = 0.0
    judgement: float = 1.0  # P(a lead's escalated decision is the right one), 0..1


@dataclass
class RegimeCfg:
    name: str = MISSING
    description: str = ""
    owners: dict[str, OwnerCfg] = field(default_factory=dict)
    shared_responsibility: bool = False  # every department counts itself responsible
    # weight of journey outcomes the regime itself puts in every department's KPIs, 0..1 (None: only what owners set)
    journey_kpi: float | None = None
    culture_signal: float | None = None  # org-wide signal (beyond what owners radiate), 0..1 (None: none)
    efficiency_pressure: float = 0.0  # push on handling time, 0..1
    overhead_per_day: float = 0.0  # money per day for the regime's structures
    journey_leads: JourneyLeadCfg = field(default_factory=JourneyLeadCfg)


# -------------------------------------------------------------- mechanisms
@dataclass
class HandoffCfg:
    base_friction: float = MISSING
    friction_floor: float = MISSING
    friction_max: float = MISSING
    neglect_drift: float = MISSING
    overload_effect: float = MISSING
    culture_effect: float = MISSING
    efficiency_effect: float = MISSING
    efficiency_capacity_gain: float = MISSING
    drop_share: float = MISSING
    info_loss_share: float = MISSING
    recontact_days: int = MISSING
    delay_days: int = MISSING


@dataclass
class FailureDemandCfg:
    unresolved_base: float = MISSING
    chase_prob: float = MISSING
    chase_every_days: int = MISSING
    chase_work: float = MISSING
    consequence_prob: float = MISSING


@dataclass
class EscalationCfg:
    exception_rate: float = MISSING
    timeout_days: int = MISSING
    local_default_right: float = MISSING


@dataclass
class GovernanceCfg:
    review_every_days: int = MISSING
    fix_cost: float = MISSING
    fix_effect: float = MISSING
    directive_noise: float = MISSING
    local_fix_rate: float = MISSING
    persuasion: float = MISSING
    review_share: float = MISSING
    deputy_authority: float = MISSING
    hours_per_decision: float = MISSING
    workday_hours: float = MISSING
    executive_pay: dict[str, float] = MISSING
    fix_work: float = 2.0  # cases of work a fix takes from each of its two departments over a week
    forum_hours_per_week: float = 2.0  # each department head's hours a week in the CX forum (no owner)
    consensus: float = 0.9  # P(one head agrees to a forum decision); it binds when all k agree
    forum: bool = True  # False: nobody coordinates where everyone owns CX (the ablation of the forum)
    triage: bool = True  # False: the owner's queue is served oldest first (the ablation of triage)
    conflicting_directives: bool = True  # False: rival owners' directives never conflict (the ablation)


@dataclass
class DiffusionCfg:
    act_prob: float = MISSING
    beta: float = MISSING  # the individual level's exponent
    level: str = "group"  # group | individual | none
    gamma: float = 0.62  # the group level's exponent
    cohesion: float = 1.0  # how far a team's shared identity undoes diffusion, 0..1


@dataclass
class AccountabilityCfg:
    strength: float = MISSING
    owner_kpi: float = MISSING
    info_effect: float = MISSING


@dataclass
class CultureCfg:
    drift_per_week: float = MISSING
    reorg_disruption: float = MISSING
    fit_recovery_per_week: float = MISSING
    disruption_effect: float = MISSING


@dataclass
class CustomerCfg:
    base_quality: float = MISSING
    effort_sensitivity: float = MISSING
    wait_sensitivity: float = MISSING
    expected_wait_days: float = MISSING
    moment_of_truth_weight: float = MISSING
    learning_rate: float = MISSING
    initial_satisfaction: float = MISSING
    churn_base: float = MISSING
    churn_per_effort: float = MISSING
    churn_dissatisfaction: float = MISSING
    dissatisfied_below: float = MISSING
    promoter_above: float = MISSING
    prospect_effort_limit: float = MISSING
    complaint_propensity: float = MISSING
    annual_attrition: float = MISSING
    word_of_mouth: float = MISSING
    promise_pull: float = MISSING
    leave_while_waiting: bool = MISSING


@dataclass
class PromisesCfg:
    growth_target: float = MISSING
    window_weeks: int = MISSING
    cap: float = MISSING
    adjust: float = MISSING


@dataclass
class FinanceCfg:
    service_budget: float = MISSING
    cost_per_case: float = MISSING
    overtime_max: float = MISSING
    overtime_premium: float = MISSING
    cfo_view: str = MISSING  # cost | value | none (no budget round): validated in cxsim.config.validation
    budget_round_days: int = MISSING
    efficiency_target: float = MISSING
    cut_overspend: bool = True  # False: the cost view trims by the efficiency target only (the loop's feedback removed)
    max_cut: float = MISSING
    target_utilisation: float = MISSING
    initiative_fund: float = MISSING
    value_reinvest: float = MISSING


@dataclass
class InitiativesCfg:
    enabled: bool = True  # False: no quarterly portfolio (the ablation); the weekly quick fixes remain
    per_owner: int = MISSING
    observation_noise: float = MISSING
    pilot_cost: float = MISSING
    scale_cost: float = MISSING
    lead_days: int = MISSING
    success_prob: float = MISSING
    scale_success_prob: float = MISSING
    effect: float = MISSING
    staff_per_day: float = MISSING


@dataclass
class MechanismsCfg:
    handoff: HandoffCfg = field(default_factory=HandoffCfg)
    failure_demand: FailureDemandCfg = field(default_factory=FailureDemandCfg)
    escalation: EscalationCfg = field(default_factory=EscalationCfg)
    governance: GovernanceCfg = field(default_factory=GovernanceCfg)
    diffusion: DiffusionCfg = field(default_factory=DiffusionCfg)
    accountability: AccountabilityCfg = field(default_factory=AccountabilityCfg)
    culture: CultureCfg = field(default_factory=CultureCfg)
    customer: CustomerCfg = field(default_factory=CustomerCfg)
    promises: PromisesCfg = field(default_factory=PromisesCfg)
    finance: FinanceCfg = field(default_factory=FinanceCfg)
    initiatives: InitiativesCfg = field(default_factory=InitiativesCfg)


@dataclass
class ReorgCfg:
    day: int | None = None  # day on which the regime is switched (None: never)
    to: str | None = None  # the regime switched to: a preset in cxsim/conf/regime/ or your own file's path


@dataclass
class LeversCfg:
    """Levers set on every owner with a given role, whatever the regime (no-ops
    where the regime has no such owner): for sweeps across regimes."""

    ceo_attention: float | None = None  # CX decisions per day of a CEO owner
    cxo_authority: float | None = None  # authority of a CXO owner over every department, backing included
    cxo_backing: float | None = None  # the CEO's backing of a CXO owner (multiplies its standing)
    journey_kpi: float | None = None  # weight of journey outcomes in every department's KPIs, whoever sets them


# ------------------------------------------------------------------ run
@dataclass
class CXConfig:
    org: OrgCfg = MISSING
    regime: RegimeCfg = MISSING
    mechanisms: MechanismsCfg = field(default_factory=MechanismsCfg)
    seed: int = 0
    days: int = 730
    warmup_days: int = 0  # the first days of `days` are a warm-up: outcomes count from this day on [days]
    reorg: ReorgCfg = field(default_factory=ReorgCfg)
    levers: LeversCfg = field(default_factory=LeversCfg)
    experiment: str | None = None  # name of the named experiment a run belongs to
    replicate: int = 0  # replicate number within a sweep (seeds derive from it)
    master_seed: int = 0  # the sweep's master seed
    debug: bool = False  # check the bookkeeping every day (cxsim.model.invariants); slower


def register() -> None:
    """Register the schema so `cxsim/conf/config.yaml` can extend it, and the
    resolvers the config uses (`cxsim.config.resolvers`)."""
    resolvers.register()
    cs = ConfigStore.instance()
    cs.store(name="cxsim_schema", node=CXConfig)
    cs.store(group="org", name="org_schema", node=OrgCfg)
    cs.store(group="regime", name="regime_schema", node=RegimeCfg)
    cs.store(group="mechanisms", name="mechanisms_schema", node=MechanismsCfg)
