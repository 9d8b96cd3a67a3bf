"""Outcomes: counters kept as events happen, one row per day, tables per run.

Nothing here loops over customers: every count is updated where the event
happens (a handoff, a failure, a finished journey, a status change:
`cxsim.mechanisms.cases.Tally`, the base of the `Recorder`), so a day's record
costs the same with a thousand customers or a million.
"""

from __future__ import annotations

from array import array

import numpy as np
import pandas as pd

from cxsim.config.schema import PHASES
from cxsim.mechanisms.cases import ENDINGS, Tally
from cxsim.model import valuation

BUDGET_COLUMNS = ["day", "quarter", "department", "cost_centre", "staffing", "capacity", "cost", "budget",
                  "overtime_per_day", "workload_per_day", "failure_demand_share", "failure_cost_charged", "cfo_view"]
INITIATIVE_COLUMNS = ["owner", "role", "kind", "target", "journeys", "start", "end", "cost", "cooperating",
                      "outcome", "seen"]


# The run's totals so far, as `summary()` counts them (after the warm-up), from the daily rows:
# total -> the daily column it sums. Today's values are the rows themselves.
TO_DATE = {"profit": "profit", "handoffs": "handoffs", "handoff_failures": "handoff_failures",
           "acquired": "acquired", "churned": "churned_today", "journeys_done": "journeys_done"}


class Recorder(Tally):
    """The run's outcomes: the counts the case flow moves as events happen (`Tally`, whose fields are
    set here), one row a day, and the run's tables and summary."""

    def __init__(self, model):
        self.model = model
        c = model.mech.customer  # the survey's cut-offs, read at every journey's end
        self.promoter_above, self.dissatisfied_below = c.promoter_above, c.dissatisfied_below
        self.rows: list[dict] = []
        self.last_day_pairs: dict[tuple[int, int], int] = {}
        # population, kept up to date by the model's status changes
        self.prospects = self.active = self.churned = self.lost = 0
        self.sat_sum = 0.0
        self.promoters = self.dissatisfied = 0
        self.active_value = 0.0  # the active customers' revenue per year ...
        self.active_cost = 0.0  # ... and what their product costs per year (claims paid, network)
        self.events = 0  # customer work the engine handled: calendar events and cases worked (benchmarks)
        self.withdrawn = 0  # calendar events withdrawn before their day, not acted on (`Calendar.cancel`)
        self.start_counting()
        self.reset_day()

    def start_counting(self) -> None:
        """Zero the run's counts: at the start, and again when a warm-up ends (`warmup_days`)."""
        n = len(self.model.departments)
        nj = len(self.model.structure.journeys)
        self.counting_from = self.model.day
        # counts kept in arrays of whole numbers or floats while the model runs (C arrays when compiled:
        # an increment costs a few instructions); read as numpy arrays through the properties below
        self._pair_attempts = counts(n * n)  # per boundary (a, b), at a * n + b
        self._pair_failures = counts(n * n)
        self._journey_attempts = counts(nj)
        self._journey_failures = counts(nj)
        self._journey_done_count = counts(nj)
        self._journey_days = counts(nj)
        self._journey_abandoned = counts(nj)  # journeys ended by a customer giving up (left while waiting, or a
        self._journey_abandoned_days = counts(nj)  # prospect that gave up buying), and their days until then
        self._phase_attempts = counts(len(PHASES))
        self._phase_failures = counts(len(PHASES))
        self._dept_contacts = counts(n)  # contacts worked per department
        self._dept_repeats = counts(n)  # of which repeat contacts (back about the same stage, chasers)
        self._dept_failure = sums(n)  # of which failure demand (repeats and contacts of needs failures made)
        self._dept_units = sums(n)  # capacity units worked
        self._dept_rework = sums(n)  # of which failure demand (repeats, redone stages, needs failures made)
        self._dept_unresolved = counts(n)  # contacts that left their stage unsettled
        self._fcr = counts(2)  # journeys begun at the front line: finished, of which with no repeat contact
        self.to_date = dict.fromkeys(TO_DATE, 0.0)  # the run's totals so far (Mesa reporters `*_to_date`)
        self.left_waiting_count = 0  # customers who left while chasing a late case
        self._journey_verdicts = sums(nj)  # sum of journey verdicts (a post-journey survey)
        self._journey_promoters = counts(nj)  # customers above promoter_above after the journey
        self._journey_detractors = counts(nj)  # ... and below dissatisfied_below
        self._journey_bad = counts(nj)  # journeys whose verdict fell below dissatisfied_below
        self._journeys_by_repeats = counts(2)  # journeys with 0 and with 1 repeat contact ...
        self._verdicts_by_repeats = sums(2)  # ... and the sum of their verdicts
        self._ending_count = counts(len(ENDINGS))  # customers' journeys by how a problem ended (ENDINGS) ...
        self._ending_churned = counts(len(ENDINGS))  # ... and of them, the customers who then left
        self.totals = dict(escalated=0, decided=0, timed_out=0, decision_wait=0,
                           directives=0, resisted=0, conflicts=0, fixes=0)

    def reset_day(self) -> None:
        self.d_attempts = self.d_failures = 0
        self.d_units = self.d_rework = 0.0
        self.d_done = self.d_done_days = 0
        self.d_acquired = self.d_churned = self.d_lost = self.d_arrived = 0
        self.d_pairs: dict[tuple[int, int], int] = {}  # failures per boundary today

    # ------------------------------- the counts as numpy arrays (kept as array.array: `Tally`)
    pair_attempts = property(lambda self: np.array(self._pair_attempts, dtype=np.int64).reshape(self.pair_shape))
    pair_failures = property(lambda self: np.array(self._pair_failures, dtype=np.int64).reshape(self.pair_shape))
    pair_shape = property(lambda self: (len(self.model.departments),) * 2)  # from, to
    journey_attempts = property(lambda self: np.array(self._journey_attempts, dtype=np.int64))
    journey_failures = property(lambda self: np.array(self._journey_failures, dtype=np.int64))
    journey_done_count = property(lambda self: np.array(self._journey_done_count, dtype=np.int64))
    journey_days = property(lambda self: np.array(self._journey_days, dtype=np.int64))
    phase_attempts = property(lambda self: np.array(self._phase_attempts, dtype=np.int64))
    phase_failures = property(lambda self: np.array(self._phase_failures, dtype=np.int64))

    # ------------------------------------- the owners' exceptions and directives (a few a day)
    def escalated(self) -> None:
        self.totals["escalated"] += 1

    def decided(self, wait: int) -> None:
        self.totals["decided"] += 1
        self.totals["decision_wait"] += wait

    def timed_out(self) -> None:
        self.totals["timed_out"] += 1

    def directive(self, resisted: bool) -> None:
        self.totals["directives"] += 1
        self.totals["resisted"] += int(resisted)

    def conflict(self) -> None:
        """Rival owners' directives on one boundary pulled its two departments apart (a tug of war)."""
        self.totals["conflicts"] += 1

    def fixed(self) -> None:
        self.totals["fixes"] += 1

    # ------------------------------------------------------------- day
    def end_of_day(self, finance: dict) -> None:
        m = self.model
        depts = m.departments
        row = dict(
            day=m.day,
            regime=m.regime.name,
            prospects=self.prospects, active=self.active, churned=self.churned, lost=self.lost,
            acquired=self.d_acquired, churned_today=self.d_churned, lost_today=self.d_lost,
            prospects_arrived=self.d_arrived,
            handoffs=self.d_attempts, handoff_failures=self.d_failures,
            handoff_failure_rate=self.d_failures / self.d_attempts if self.d_attempts else 0.0,
            contacts=self.d_units, repeat_contacts=self.d_rework,
            failure_demand_share=self.d_rework / self.d_units if self.d_units else 0.0,
            journeys_done=self.d_done,
            time_to_resolve=self.d_done_days / self.d_done if self.d_done else np.nan,
            satisfaction=self.sat_sum / self.active if self.active else np.nan,
            share_dissatisfied=self.dissatisfied / self.active if self.active else 0.0,
            share_promoters=self.promoters / self.active if self.active else 0.0,
            culture=sum([d.culture for d in depts]) / len(depts),  # (lists, not generators: the same sums,
            routine_fit=sum([d.fit for d in depts]) / len(depts),  # and a compiled list is built in C)
            friction=mean_friction(m),
            backlog=sum([len(d.queue) for d in depts]),
            open_exceptions=sum([len(o.exceptions) for o in m.governance.owners]),
            promise=m.promises.level,
            service_staffing=self.cost_centre_staffing(),
            **finance,
        )
        self.rows.append(row)
        for key in TO_DATE:
            self.to_date[key] += row[TO_DATE[key]]
        self.last_day_pairs = self.d_pairs  # for pictures of the day that just ended
        self.reset_day()

    def cost_centre_staffing(self) -> float:
        """Capacity the cost centres are staffed for, as a share of their configured capacity
        (what the CFO's budget round moves; 1 where the org has no cost centre)."""
        cc = [d for d in self.model.departments if d.cost_centre]
        base = sum(d.base_capacity for d in cc)
        return sum(d.base_capacity * d.funded for d in cc) / base if base else 1.0

    # ------------------------------------------------------------ tables
    def timeseries(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows)

    def handoff_table(self) -> pd.DataFrame:
        names = [d.name for d in self.model.departments]
        a, b = np.nonzero(self.pair_attempts)
        att, fail = self.pair_attempts[a, b], self.pair_failures[a, b]
        return pd.DataFrame({
            "from_department": [names[i] for i in a], "to_department": [names[i] for i in b],
            "handoffs": att, "failures": fail, "failure_rate": fail / att,
            "friction_end": [self.model.friction[i][j] for i, j in zip(a, b)],
        })

    def journey_table(self) -> pd.DataFrame:
        """Per journey: its handoffs, and what a post-journey survey and the complaint log would show."""
        att, fail = self.journey_attempts, self.journey_failures
        done = self.journey_done_count
        ended = done + np.array(self._journey_abandoned, dtype=np.int64)
        days = np.array(self._journey_days, dtype=float) + np.array(self._journey_abandoned_days, dtype=float)

        def share(counts, of=done):  # per completed journey (per ended one for days)
            return np.divide(np.array(counts, dtype=float), of, out=np.full(len(of), np.nan), where=of > 0)

        return pd.DataFrame({
            "journey": [j.name for j in self.model.structure.journeys],
            "handoffs": att, "failures": fail,
            "failure_rate": np.divide(fail, att, out=np.zeros(len(att)), where=att > 0),
            "completed": done, "abandoned": np.array(self._journey_abandoned, dtype=np.int64),
            "time_to_resolve": share(days, ended),  # days from the need to its end: resolved, or given up
            "satisfaction": share(self._journey_verdicts),  # mean verdict: a post-journey CSAT, 0..1
            "nps": 100 * (share(self._journey_promoters) - share(self._journey_detractors)),
            "complaints": self.model.customer_response.complaints(np.array(self._journey_bad, dtype=float)),
        })

    def department_table(self) -> pd.DataFrame:
        """Per department: contacts worked, repeat contacts and failure demand among them (Seddon's
        measure, in contacts), workload in capacity units and its failure-demand share."""
        contacts = np.array(self._dept_contacts, dtype=np.int64)
        repeats = np.array(self._dept_repeats, dtype=np.int64)
        failure = np.array(self._dept_failure)
        units, rework = np.array(self._dept_units), np.array(self._dept_rework)

        def share(part, whole):
            return np.divide(part, whole, out=np.zeros(len(whole)), where=whole > 0)

        return pd.DataFrame({
            "department": [d.name for d in self.model.departments],
            "front_line": [d.front_line for d in self.model.departments],
            "contacts": contacts, "repeat_contacts": repeats,
            "repeat_contact_rate": share(repeats, contacts),
            "failure_demand_contacts": failure, "failure_demand_contact_share": share(failure, contacts),
            "unresolved": np.array(self._dept_unresolved, dtype=np.int64),
            "workload": units,
            "failure_demand_share": share(rework, units),
        })

    def budget_table(self) -> pd.DataFrame:
        """One row per department per budget round: the quarter's staffing, cost, budget, overtime,
        workload, failure-demand share, and the failure-demand cost charged to it as a cause."""
        return pd.DataFrame(self.model.budget.rows, columns=BUDGET_COLUMNS)

    def initiative_table(self) -> pd.DataFrame:
        """One row per CX initiative funded: owner, pilot or scale-up, target, journeys, dates, cost, outcome."""
        return pd.DataFrame(self.model.portfolio.table(), columns=INITIATIVE_COLUMNS)

    def initiatives(self) -> dict:
        """The initiatives started after the warm-up: how many, how many worked or failed, their money."""
        started = [i for i in self.model.portfolio.done + self.model.portfolio.running
                   if i.start >= self.counting_from]
        return dict(initiatives_started=len(started),
                    initiatives_succeeded=sum(i.outcome == "succeeded" for i in started),
                    initiatives_failed=sum(i.outcome == "failed" for i in started))

    def front_line(self) -> dict:
        """What a contact-centre manager reads: failure demand among the front line's contacts, and
        first-contact resolution (journeys begun at the front line that needed no repeat contact)."""
        front = [d.index for d in self.model.departments if d.front_line]
        contacts = sum(self._dept_contacts[i] for i in front)
        failure = sum(self._dept_failure[i] for i in front)
        finished, first_time = self._fcr
        return dict(front_line_failure_demand_share=failure / contacts if contacts else np.nan,
                    first_contact_resolution=first_time / finished if finished else np.nan)

    def endings(self) -> dict:
        """How customers respond to how a problem ends: the satisfaction one repeat contact costs (SQM:
        about 15%), and the churn after a journey by how its problem ended (TARP: loyalty 82% if resolved
        quickly, 54% if resolved, 19% or 9% if not); a customer who left while waiting ended "never".
        `churn_ratio_repeat_contact`: churn after a journey settled only after repeat contacts over churn
        after one settled without (TARP's disloyalty, 46% against 18%: 2.6)."""
        (n0, n1), (v0, v1) = self._journeys_by_repeats, self._verdicts_by_repeats
        cost = 1.0 - (v1 / n1) / (v0 / n0) if n0 and n1 and v0 else np.nan
        endings = list(zip(self._ending_count, self._ending_churned))
        churn = {f"churn_after_{kind}": (left / n if n else np.nan) for kind, (n, left) in zip(ENDINGS, endings)
                 if kind != "never"}
        (clean, clean_left), (quick, quick_left), (slow, slow_left), (never, _) = endings
        at_once = (clean_left + quick_left) / (clean + quick) if clean + quick else np.nan
        after = slow_left / slow if slow else np.nan
        return dict(repeat_contact_satisfaction_cost=cost, **churn,
                    churn_ratio_repeat_contact=after / at_once if at_once > 0 else np.nan,
                    problems_never_settled=never)

    def active_by_segment(self) -> list[int]:
        """Active customers per segment (in the org's order of segments)."""
        index = {id(s): i for i, s in enumerate(self.model.segments)}
        counts = [0] * len(self.model.segments)
        for c in self.model.customers:
            if c.status == "active":
                counts[index[id(c.segment)]] += 1
        return counts

    def summary(self) -> dict:
        """One row per run: every outcome over the horizon after the warm-up (all of it without one)."""
        m = self.model
        ts = self.timeseries()
        before = ts[ts.day < self.counting_from]
        ts = ts[ts.day >= self.counting_from]
        sat = np.array([c.satisfaction for c in m.customers if c.status == "active"])
        days = len(ts)
        years = days / 365.0
        start = int(before.active.iloc[-1]) if len(before) else m.initial_customers  # customers as counting began
        att, fail = self.phase_attempts, self.phase_failures
        out = dict(
            regime=m.regime_name_at_start, org=m.cfg.org.name, seed=m.cfg.seed, days=days,
            customers_start=start, customers_end=self.active,
            handoff_failure_rate=ts.handoff_failures.sum() / max(ts.handoffs.sum(), 1),
            failure_demand_share=ts.repeat_contacts.sum() / max(ts.contacts.sum(), 1),
            satisfaction_mean=float(sat.mean()) if len(sat) else np.nan,
            satisfaction_p10=float(np.quantile(sat, 0.1)) if len(sat) else np.nan,
            satisfaction_p50=float(np.quantile(sat, 0.5)) if len(sat) else np.nan,
            satisfaction_p90=float(np.quantile(sat, 0.9)) if len(sat) else np.nan,
            share_dissatisfied=self.dissatisfied / self.active if self.active else 0.0,
            churned=int(ts.churned_today.sum()),
            annual_churn_rate=ts.churned_today.sum() / max(ts.active.mean(), 1) / years,
            retention=1.0 - ts.churned_today.sum() / max(start, 1),
            acquired=int(ts.acquired.sum()), prospects_lost=int(ts.lost_today.sum()),
            revenue=ts.revenue.sum(), product_cost=ts.product_cost.sum(), cost_to_serve=ts.service_cost.sum(),
            cost_to_serve_per_customer_year=ts.service_cost.sum() / max(ts.active.mean(), 1) / years,
            acquisition_spend=ts.acquisition_spend.sum(),
            governance_cost=ts.governance_cost.sum(), initiative_cost=ts.initiative_cost.sum(),
            **self.initiatives(), service_staffing_end=ts.service_staffing.iloc[-1],
            profit=ts.profit.sum(),
            operating_margin=margin(ts.profit.sum(), ts.revenue.sum()),
            time_to_resolve=((self.journey_days.sum() + sum(self._journey_abandoned_days))
                             / max(self.journey_done_count.sum() + sum(self._journey_abandoned), 1)),
            repeat_contact_rate=sum(self._dept_repeats) / max(sum(self._dept_contacts), 1),
            **self.front_line(), **self.endings(),
            left_while_waiting=self.left_waiting_count,
            complaints=float(m.customer_response.complaints(sum(self._journey_bad))),
            culture_end=ts.culture.iloc[-1], friction_end=ts.friction.iloc[-1], promise_mean=ts.promise.mean(),
            **{f"handoff_failure_rate_{p}": fail[i] / att[i] if att[i] else np.nan
               for i, p in enumerate(PHASES)},
            events=self.events,
            **self.totals,
            **valuation.value(ts, m.segments, self.active_by_segment(), float(m.cfg.org.discount_rate)),
        )
        out["decision_wait_mean"] = out.pop("decision_wait") / max(out["decided"], 1)
        return out


def counts(n: int) -> array:
    """n whole-number counts, zero."""
    return array("q", [0]) * n


def sums(n: int) -> array:
    """n sums of floats, zero."""
    return array("d", [0.0]) * n


def margin(profit: float, revenue: float) -> float:
    """Profit over revenue; undefined (nan) where revenue is zero or so small the share overflows."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        share = np.float64(profit) / np.float64(revenue)
    return float(share) if np.isfinite(share) else np.nan


def mean_friction(model) -> float:
    """The mean friction over the org's boundaries, as `np.mean` computes it (numpy's pairwise sum, then
    the division), without making an array every day (a cold numpy call costs most of a day's row)."""
    boundaries = model.boundaries
    if not boundaries:
        return 0.0
    friction = model.friction
    values = [friction[a][b] for a, b in boundaries]
    return pairwise_sum(values, 0, len(values)) / len(values)


def pairwise_sum(values: list, first: int, n: int) -> float:
    """numpy's sum of the n floats from `first` (`np.add.reduce` on float64, which `np.sum` and `np.mean`
    use): fewer than 8 one after another; up to 128, eight running sums added in pairs, then the rest;
    beyond, the two halves (cut at a multiple of 8) each so. The same value, bit for bit
    (`tests/test_outcomes.py` checks it on random data)."""
    if n < 8:
        total = -0.0  # numpy's start: a sum of -0.0 values stays -0.0
        for i in range(first, first + n):
            total += values[i]
        return total
    if n <= 128:
        r0, r1, r2, r3 = values[first], values[first + 1], values[first + 2], values[first + 3]
        r4, r5, r6, r7 = values[first + 4], values[first + 5], values[first + 6], values[first + 7]
        blocks = n - n % 8
        for i in range(first + 8, first + blocks, 8):
            r0 += values[i]
            r1 += values[i + 1]
            r2 += values[i + 2]
            r3 += values[i + 3]
            r4 += values[i + 4]
            r5 += values[i + 5]
            r6 += values[i + 6]
            r7 += values[i + 7]
        total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        for i in range(first + blocks, first + n):
            total += values[i]
        return total
    half = n // 2
    half -= half % 8
    return pairwise_sum(values, first, half) + pairwise_sum(values, first + half, n - half)
