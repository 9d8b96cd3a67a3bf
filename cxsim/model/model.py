"""The cxsim Model: who owns customer experience, and what follows from it.

One step is one day:

1. prospects arrive (paid marketing, promise inflation, word of mouth);
2. customers whose event is due act: a new need starts a journey (or the
   need an earlier failure made), a case reaches a department's queue, a
   stage's service time ends, a waiting customer checks on a late case and
   may chase it or give up (`cxsim.mechanisms.failure_demand`), a customer
   leaves for outside reasons;
3. departments answer today's chasers, then work their queues up to capacity;
   a contact may leave its stage unsettled; done stages hand cases on; handoffs
   fail or succeed (`cxsim.mechanisms.handoff`), exceptions go to owners;
4. owners decide escalated exceptions within their attention (`cxsim.mechanisms.governance`);
5. money and outcomes are recorded.

Every `review_every_days` (Mesa event) owners and departments fix boundaries
and culture drifts; an optional reorg (Mesa event) switches the regime.
Parameters are keyword arguments with defaults, so Mesa's `batch_run` and
SolaraViz can drive the model; a full config can be given instead.
"""

from __future__ import annotations

import secrets
from functools import partial
from itertools import accumulate

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from cxsim.config import composition, serial
from cxsim.config.errors import ConfigError
from cxsim.config.validation import validate
from cxsim.mechanisms import failure_demand, finance, handoff, lifecycle
from cxsim.mechanisms.budget import Budget
from cxsim.mechanisms.cases import Flow
from cxsim.mechanisms.contract import HOOKS, listeners
from cxsim.mechanisms.culture import Culture
from cxsim.mechanisms.customer_response import CustomerResponse
from cxsim.mechanisms.events import Calendar
from cxsim.mechanisms.governance import Governance
from cxsim.mechanisms.handoff import BoundaryTerms
from cxsim.mechanisms.initiatives import Portfolio
from cxsim.mechanisms.promises import Promises
from cxsim.mesa_import import mesa  # Mesa, without its decorators' reading of the stack's source
from cxsim.model import caseflow, invariants
from cxsim.model.agents import PROSPECT, Customer, Department, Segment
from cxsim.model.journey import build_structure, size_scale
from cxsim.model.outcomes import Recorder

# Model-level series exposed through Mesa's DataCollector (for batch_run and SolaraViz): each
# day's values (a rate of that day, a count of that day, or a level on that day: docs/drivers.md),
# and the run's totals so far (`*_to_date`, counted after the warm-up as `summary()` counts them).
# The full daily table is `model.recorder.timeseries()`.
REPORTED = ("handoff_failure_rate", "failure_demand_share", "satisfaction", "share_dissatisfied",
            "active", "churned", "acquired", "profit", "culture", "backlog", "service_staffing")
REPORTED_TO_DATE = ("profit_to_date", "handoffs_to_date", "handoff_failures_to_date", "handoff_failure_rate_to_date",
                    "acquired_to_date", "churned_to_date", "journeys_done_to_date")

# Model keyword -> where it lives in the config. `ceo_attention` and
# `cxo_authority` are set on every owner with that role (see apply_shortcuts).
SHORTCUTS = {
    "days": "days",
    "customers": "org.customers",
    "staffing": "org.staffing",
    "split_departments": "org.split_departments",
    "journey_kpi": "levers.journey_kpi",
    "service_budget": "mechanisms.finance.service_budget",
    "cfo_view": "mechanisms.finance.cfo_view",
    "diffusion_beta": "mechanisms.diffusion.beta",
    "reorg_day": "reorg.day",
    "reorg_to": "reorg.to",
}


def plain(value):
    """A numpy number (what samplers such as SALib's and the EMA Workbench's hand over) as Python's."""
    return value.item() if type(value).__module__ == "numpy" and hasattr(value, "item") else value


def path_of(keyword: str) -> str:
    """Where a Model keyword lives in the config (`ceo_attention` and `cxo_*` are levers)."""
    return f"levers.{keyword}" if keyword in ("ceo_attention", "cxo_authority", "cxo_backing") else SHORTCUTS[keyword]


def apply_shortcuts(cfg: DictConfig, **values) -> None:
    """Put the Model's keyword arguments into the config, then apply the levers."""
    for key, value in values.items():
        if value is not None:
            where = path_of(key)
            try:
                OmegaConf.update(cfg, where, plain(value))
            except OmegaConfBaseException as exc:  # a keyword of the wrong type: one line naming it
                raise ConfigError(f"{key}: {composition.one_line(exc)}") from None
    apply_levers(cfg.regime, cfg.levers)


def apply_levers(regime: DictConfig, levers: DictConfig) -> None:
    """Set each lever on every owner with its role (none: the regime is unchanged). `cxo_authority`
    is the authority departments see, backing included (so 1 means 1); `cxo_backing` multiplies
    the CXO's standing instead (validation refuses both at once). `journey_kpi` acts in
    `Governance.set_kpis`."""
    for owner in regime.owners.values():
        if levers.ceo_attention is not None and owner.role == "CEO":
            owner.attention = levers.ceo_attention
        if levers.cxo_authority is not None and owner.role == "CXO":
            owner.authority = {"others": levers.cxo_authority}
            owner.backing = 1.0
        if levers.cxo_backing is not None and owner.role == "CXO":
            owner.backing = levers.cxo_backing


class ConfigSeed:
    """The default of `CXModel(seed=...)`: the config's seed, so a run without one is the same run
    every time. `seed=None`, which Mesa's `batch_run` passes for each of its `iterations`, means what
    it means in Mesa: a fresh seed, kept in the run's config (`model.cfg.seed`, the summary's `seed`)."""

    def __repr__(self) -> str:
        return "the config's seed"


CONFIG_SEED = ConfigSeed()


def prepared_config(regime: str, org: str, seed, rng, overrides, config: DictConfig | None,
                    **shortcuts) -> DictConfig:
    """The run's config: composed (or copied), seeded, the keyword arguments applied, validated."""
    if config is None:
        config = composition.compose([f"regime={regime}", f"org={org}", *overrides])
    else:
        config = serial.copy_of(config)
    # `rng` (Mesa's batch_run) is taken as the seed; `scenario` (SolaraViz passes
    # Mesa's default one) carries nothing cxsim uses: parameters come from the config.
    if seed is CONFIG_SEED:
        seed = rng if isinstance(rng, int) else int(config.seed)
    elif seed is None:  # as in Mesa: a fresh seed (batch_run's iterations), kept in the config to rerun it
        seed = secrets.randbelow(2**31)
    try:
        config.seed = int(seed)
    except (TypeError, ValueError):
        raise ConfigError(f"seed: must be a whole number, got {seed!r}") from None
    apply_shortcuts(config, **shortcuts)
    validate(config)
    return config


# The DataCollector's reporters take the model last: bound by `partial(reporter, key)`, a positional
# argument, each call costs about half what a keyword's does (19 of them a day).
def latest(key: str, model: CXModel):
    """Today's value of one outcome (a DataCollector reporter)."""
    return model.recorder.rows[-1][key]


def run_seed(seed: int, model: CXModel) -> int:
    """The run's seed (a reporter: batch_run's rows then name the seed that reruns them, also when
    it passed none)."""
    return seed


def to_date(key: str, model: CXModel):
    """The run's total of one outcome so far, after the warm-up (a DataCollector reporter)."""
    totals = model.recorder.to_date
    if key == "handoff_failure_rate":
        return totals["handoff_failures"] / totals["handoffs"] if totals["handoffs"] else 0.0
    return totals[key]


class DailyCollector(mesa.DataCollector):
    """Mesa's DataCollector, collecting the same `model_vars` at the same steps, without Mesa's deep copy
    of every value every day: the copy guards against a reporter that returns a list or dict the model
    goes on changing, and these return numbers (2% of a default run). Today's outcomes (the `latest`
    reporters) are read from the day's row in one pass, not by a call each."""

    def collect(self, model) -> None:
        if self.agent_reporters or self.agenttype_reporters:
            super().collect(model)  # agents' values may be anything: Mesa's own way
            return
        self._collection_steps.append(model.time)  # the steps batch_run looks its rows up by
        row = model.recorder.rows[-1]
        for name, (key, reporter) in self.sources.items():
            self.model_vars[name].append(row[key] if key is not None else reporter(model))

    def _new_model_reporter(self, name, reporter):
        """Mesa's, noting the row's key a `latest` reporter reads (None: the reporter is called)."""
        super()._new_model_reporter(name, reporter)
        if "sources" not in self.__dict__:
            self.sources: dict[str, tuple[str | None, object]] = {}
        key = reporter.args[0] if isinstance(reporter, partial) and reporter.func is latest else None
        self.sources[name] = (key, reporter)


class CXModel(mesa.Model, Flow):
    """Departments, customers and CX owners in one organisation under one regime."""

    # The mechanisms behind the contract (`cxsim.mechanisms.contract`), in the order their hooks are
    # called: the owners decide and review before the promise moves and culture drifts; the boundaries'
    # probabilities follow culture; finance closes the quarter before the owners spend the fund.
    MECHANISMS = (CustomerResponse, Governance, Promises, Culture, BoundaryTerms, Budget, Portfolio)

    def __init__(self, regime: str = "ceo_led", org: str = "auto_insurer", seed: int | None = CONFIG_SEED,
                 days: int | None = None, customers: int | None = None, staffing: float | None = None,
                 split_departments: int | None = None, ceo_attention: float | None = None,
                 cxo_authority: float | None = None, cxo_backing: float | None = None,
                 journey_kpi: float | None = None,
                 service_budget: float | None = None, cfo_view: str | None = None,
                 diffusion_beta: float | None = None,
                 reorg_day: int | None = None, reorg_to: str | None = None,
                 overrides: list[str] | tuple[str, ...] = (), config: DictConfig | None = None,
                 rng=None, scenario=None, reads: set[str] | None = None):
        config = prepared_config(
            regime, org, seed, rng, overrides, config, ceo_attention=ceo_attention, cxo_authority=cxo_authority,
            cxo_backing=cxo_backing,
            days=days, customers=customers, staffing=staffing, split_departments=split_departments,
            journey_kpi=journey_kpi,
            service_budget=service_budget, cfo_view=cfo_view, diffusion_beta=diffusion_beta, reorg_day=reorg_day,
            reorg_to=reorg_to)
        super().__init__(rng=int(config.seed))
        self.draw = self.random.random  # one uniform draw (`Flow`)
        self.cfg = config
        self.reads = reads  # when a set: every mechanism and regime parameter the run reads goes in it
        self.mech = self.section(config.mechanisms, "mechanisms.")
        self.exception_rate = self.mech.escalation.exception_rate  # read at every handoff (`Flow`)
        self.copy_case_flow_parameters(self.mech)
        self.regime = self.section(config.regime, "regime.")
        self.regime_name_at_start = config.regime.name
        self.days = int(config.days)
        self.debug = bool(config.debug)
        self.day = 0
        self.build_organisation(config)
        self.build_customers(config)
        self.schedule_processes(config)
        self.datacollector = DailyCollector(
            model_reporters={"seed": partial(run_seed, int(config.seed)),  # read once, not every day
                             **{k: partial(latest, k) for k in REPORTED},
                             **{k: partial(to_date, k.removesuffix("_to_date")) for k in REPORTED_TO_DATE}})
        self.running = True

    # ------------------------------------------------------------- set-up
    def copy_case_flow_parameters(self, mech) -> None:
        """The parameters the case flow reads at every failure, check or journey's end, held by the
        model (`Flow`: C fields when compiled) instead of read from the config each time."""
        h, f = mech.handoff, mech.failure_demand
        self.drop_share, self.info_loss_share = h.drop_share, h.info_loss_share
        self.recontact_days, self.delay_days = h.recontact_days, h.delay_days
        self.moment_of_truth_weight = mech.customer.moment_of_truth_weight
        self.chase_prob, self.chase_every_days = f.chase_prob, f.chase_every_days
        self.consequence_prob = f.consequence_prob

    def section(self, node, path: str) -> composition.Params:
        """A config section as the model reads it; when the run notes its reads (`reads`), a
        `Watched` one that notes each value read under `path` (the crossover's screening skips
        the runs whose default run never read the assumption moved)."""
        if self.reads is None:
            return composition.Params.of(node)
        return composition.Watched.of(node, path, self.reads)

    def build_organisation(self, config: DictConfig) -> None:
        """Departments, the boundaries between them, the journeys, and the regime's owners."""
        self.org_params = composition.Params.of({k: v for k, v in config.org.items() if not isinstance(v, DictConfig)})
        self.structure = build_structure(config.org)
        self.segments = [Segment.of(name, s) for name, s in composition.Params.of(config.org.segments).items()]
        self.segment_weights = list(accumulate(s.share for s in self.segments))  # cumulative, for choices()
        self.size_scale = size_scale(config.org)  # the firm's size over the size its file describes
        self.paid_prospects_per_day = self.org_params.prospects_per_day * self.size_scale
        own = config.org.annual_attrition  # the industry's, where the org names it
        self.attrition = self.mech.customer.annual_attrition if own is None else float(own)
        follow_up = config.org.failure_journey
        self.failure_journey = next((j for j in self.structure.journeys if j.name == follow_up), None)
        self.departments = [Department(self, i, spec) for i, spec in enumerate(self.structure.departments)]
        for d in self.departments:
            if d.cost_centre:  # staffed from the service budget, not from demand (Seddon)
                d.funded = self.mech.finance.service_budget
        self.friction = handoff.initial_friction(self)
        self.chase_after = failure_demand.chase_delays(self)  # days from joining a queue to the first check
        self.boundaries = sorted({(j.stages[i].dept, j.stages[i + 1].dept)
                                  for j in self.structure.journeys for i in range(len(j.stages) - 1)
                                  if j.stages[i].dept != j.stages[i + 1].dept})
        self.calendar = Calendar()
        self.recorder = Recorder(self)
        self.build_mechanisms()
        self.install(self.regime, reorg=False)

    def build_mechanisms(self) -> None:
        """One object per mechanism, held under its name (`self.governance`), and each hook's listeners."""
        self.mechanisms = [kind(self) for kind in self.MECHANISMS]
        for mechanism in self.mechanisms:
            if getattr(self, mechanism.name, None) is not None:
                raise TypeError(f"{type(mechanism).__name__}.name: {mechanism.name!r} is taken on the model")
            setattr(self, mechanism.name, mechanism)
        self.hooks = {hook: listeners(self.mechanisms, hook) for hook in HOOKS}
        self.failure_listeners = self.hooks["heard_failure"]  # announced by `failed` (`Flow`), on the per-event path

    def build_customers(self, config: DictConfig) -> None:
        """The customers of day 0: active, idle until their first need."""
        service = self.structure.service_journeys
        self.need_rate = sum(j.rate for j in service) / 365.0  # journeys per customer per day
        self.need_journeys = list(service)
        self.need_weights = list(accumulate(j.rate for j in service))  # cumulative, for choices()
        self.customers: list[Customer] = []
        self.initial_customers = int(config.org.customers)
        self.warmup_days = int(config.warmup_days)  # the model settles from its start before outcomes count
        for _ in range(self.initial_customers):
            lifecycle.activate(self, self.new_customer(PROSPECT), self.mech.customer.initial_satisfaction)

    def schedule_processes(self, config: DictConfig) -> None:
        """The weekly review, the quarterly budget round and an optional reorg, as Mesa events (the days are `step`)."""
        review = int(self.mech.governance.review_every_days)
        self.schedule_recurring(self.review, mesa.time.Schedule(interval=review, start=review), mesa.time.Priority.LOW)
        quarter = int(self.mech.finance.budget_round_days)
        self.schedule_recurring(self.quarter, mesa.time.Schedule(interval=quarter, start=quarter),
                                mesa.time.Priority.LOW)
        if config.reorg.day is not None:
            reorg_to = composition.regime(config.reorg.to)
            apply_levers(reorg_to, config.levers)
            self.reorg_to = self.section(reorg_to, "regime.")
            self.schedule_event(self.reorganise, at=int(config.reorg.day), priority=mesa.time.Priority.LOW)

    # ------------------------------------------------------------- the day
    def step(self) -> None:
        day = self.day
        if day == self.warmup_days and day > 0:
            self.recorder.start_counting()  # the warm-up is over: outcomes count from today
        arrived = self.arrivals()
        self.act(self.calendar.pop(day))
        for dept in self.random.sample(self.departments, len(self.departments)):
            caseflow.work(dept, self)
        for end_of_day in self.hooks["end_of_day"]:
            end_of_day()
        self.recorder.end_of_day(finance.day(self, arrived))
        self.datacollector.collect(self)
        self.day += 1
        if self.debug:
            invariants.check(self)
        if self.day >= self.days:
            self.running = False

    def act(self, due: list) -> None:
        """Today's customer events: cases arriving, stages done, checks on late cases, needs, leaving."""
        caseflow.act(self, due)

    def arrivals(self) -> int:
        """Prospects from paid marketing (pulled by promises) and word of mouth."""
        c = self.mech.customer
        rate = (self.paid_prospects_per_day * (1.0 + c.promise_pull * self.promises.level)
                + c.word_of_mouth / 365.0 * self.recorder.promoters)
        n = int(self.rng.poisson(rate))
        acquisition = self.structure.acquisition
        for _ in range(n):
            prospect = self.new_customer(PROSPECT)
            prospect.promised = self.promises.level  # won by today's promises: expects them kept
            if acquisition is None:
                lifecycle.activate(self, prospect, c.initial_satisfaction)
            else:
                self.start_journey(prospect, acquisition)
        self.recorder.d_arrived += n
        return n

    # ------------------------------------------------------- case flow
    def start_journey(self, customer: Customer, journey, induced: bool = False) -> None:
        caseflow.start_journey(self, customer, journey, induced)

    # ------------------------------------------------------ population
    def new_customer(self, status: str) -> Customer:
        segment = lifecycle.pick(self, self.segments, self.segment_weights)
        customer = Customer(self, segment, status, self.mech.customer.initial_satisfaction)
        self.customers.append(customer)
        if status == PROSPECT:
            self.recorder.new_prospect()
        return customer

    # ------------------------------------------------- coarse processes
    def review(self) -> None:
        """Weekly: boundary fixes, the promise, culture drift, then who-acts probabilities (every
        mechanism's `review`, in the order of MECHANISMS)."""
        for review in self.hooks["review"]:
            review()

    def quarter(self) -> None:
        """Quarterly: the CFO's budget round (staffing, budgets, the initiative fund), then the owners'
        initiative portfolio (`cxsim.mechanisms.budget`, `cxsim.mechanisms.initiatives`)."""
        for quarter in self.hooks["quarter"]:
            quarter()

    def reorganise(self) -> None:
        """Switch to the reorg regime: new owners, broken routines, same culture."""
        self.switch_regime(self.reorg_to)

    def switch_regime(self, regime) -> None:
        """Install another regime now (a Params or DictConfig regime section)."""
        self.regime = self.section(regime, "regime.")
        self.install(self.regime, reorg=True)

    def install(self, regime, reorg: bool) -> None:
        """A regime takes effect: every mechanism's `install`, in the order of MECHANISMS (owners
        appointed, the promise's pressure set, routines broken by a reorg, boundaries recomputed)."""
        for install in self.hooks["install"]:
            install(regime, reorg)

    # ------------------------------------------------------------- run
    def run(self) -> CXModel:
        while self.running:
            self.step()
        return self
