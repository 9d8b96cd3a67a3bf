"""Calibration (issue 8): the observed-data file, parameter recovery, honesty about loose
parameters and unreachable measures, and the command end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from omegaconf import OmegaConf

from cxsim.analysis.robust import latin_hypercube
from cxsim.calibration.inference import fit, sequential
from cxsim.calibration.observed import load as load_observed
from cxsim.config.errors import ConfigError
from cxsim.decide.company import load as load_company
from cxsim.model import CXModel

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "cxsim" / "examples" / "mid_size_insurer.yaml"
OBSERVED = ROOT / "cxsim" / "examples" / "mid_size_insurer_observed.yaml"
FRICTION, ATTENTION = "mechanisms.handoff.base_friction", "levers.ceo_attention"
PRIOR = {FRICTION: (0.10, 0.30), ATTENTION: (0.5, 8.0)}
MEASURES = ["handoff_failure_rate", "failure_demand_share", "annual_churn_rate", "satisfaction_mean"]


@pytest.mark.parametrize("text,needle", [
    ("period_days: 365\nmeasures:\n  churn: 0.1\n", "obs.yaml:3: measures.churn: not an outcome"),
    ("period_days: 365\nmeasures:\n  annual_churn_rate: high\n",
     "obs.yaml:3: measures.annual_churn_rate: must be a number"),
    ("period_days: -3\nmeasures:\n  annual_churn_rate: 0.1\n", "obs.yaml:1: period_days: must be a whole number"),
    ("period: 365\n", "obs.yaml:1: period: unknown key"),
    ("period_days: 365\nmeasures: {}\n", "obs.yaml:2: measures: must list at least one measure"),
    ("- a\n- b\n", "obs.yaml: the file must be a mapping"),
])
def test_a_bad_observed_file_is_refused_naming_line_and_key(tmp_path, text, needle):
    path = tmp_path / "obs.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=needle) as info:
        load_observed(path)
    assert "\n" not in str(info.value)


def test_the_shipped_observed_file_loads():
    org = load_company(EXAMPLE).config.org
    observed = load_observed(OBSERVED, list(org.departments), list(org.journeys))
    assert observed.period_days == 365
    assert observed.measures == pytest.approx({
        "handoff_failure_rate": 0.195, "failure_demand_share": 0.158, "satisfaction_mean": (3.45 - 1) / 4,
        "complaints": 230, "churn:monthly": 0.011125, "department:service:contacts": 15500,
        "department:service:repeat_contacts": 1400, "department:claims:repeat_contact_rate": 0.14,
        "transfer:service->agency": 0.17, "journey:accident_claim:time_to_resolve": 5.6,
        "journey:accident_claim:satisfaction": (3.1 - 1) / 4, "journey:accident_claim:nps": -10})
    assert len(observed.monthly_churn) == 12


@pytest.mark.parametrize("text,needle", [
    ("transfers:\n  service -> billing: 0.2\n",
     "obs.yaml:3: transfers.service -> billing: no department named 'billing'"),
    ("transfers:\n  service to agency: 0.2\n", "obs.yaml:3: transfers.service to agency: write a pair as"),
    ("journeys:\n  accident_claim: {csat: 30}\n", "obs.yaml:3: journeys.accident_claim.csat: not a measure here"),
    ("journeys:\n  accident_claim: {nps: 140}\n",
     "obs.yaml:3: journeys.accident_claim.nps: must be between -100 and 100"),
    ("departments:\n  billing: {contacts: 3}\n", "obs.yaml:3: departments.billing: no department named 'billing'"),
    ("departments:\n  service: {calls: 3}\n", "obs.yaml:3: departments.service.calls: not a measure here"),
    ("departments:\n  service: {contacts: -3}\n",
     "obs.yaml:3: departments.service.contacts: must be between 0 and inf"),
    ("departments:\n  service: 1200\n", "obs.yaml:3: departments.service: give one or more of contacts"),
    ("transfers:\n  service -> agency: 1.4\n", "obs.yaml:3: transfers.service -> agency: must be between 0 and 1"),
    ("monthly_churn: [0.01, 0.02]\n", "obs.yaml:2: monthly_churn: 2 months do not fill period_days 90"),
    ("monthly_churn: [0.01, 0.02, 2]\n", "obs.yaml:2: monthly_churn\\[2\\]: must be between 0 and 1"),
    ("monthly_churn: 0.01\n", "obs.yaml:2: monthly_churn: must be a list"),
    ("satisfaction_scale: [5, 1]\n", "obs.yaml:2: satisfaction_scale: must be .lowest, highest."),
    ("satisfaction_scale: [1, 5]\nmeasures: {satisfaction_mean: 7}\n",
     "obs.yaml:3: measures.satisfaction_mean: must be between 1 and 5"),
    ("journeys:\n  claims: {failure_rate: 0.2}\n", "obs.yaml:3: journeys.claims: no journey named 'claims'"),
])
def test_per_pair_and_per_journey_measures_name_the_org(tmp_path, text, needle):
    org = load_company(EXAMPLE).config.org
    path = tmp_path / "obs.yaml"
    path.write_text("period_days: 90\n" + text)
    with pytest.raises(ConfigError, match=needle):
        load_observed(path, list(org.departments), list(org.journeys))


def test_every_kind_of_measure_is_read_and_satisfaction_is_rescaled(tmp_path):
    """Scores on a 1-5 scale become the model's 0..1; monthly churn is fitted as its mean."""
    org = load_company(EXAMPLE).config.org
    path = tmp_path / "obs.yaml"
    path.write_text("period_days: 90\nsatisfaction_scale: [1, 5]\nmeasures: {satisfaction_mean: 3.0, complaints: 12}\n"
                    "monthly_churn: [0.01, 0.02, 0.03]\n"
                    "departments:\n  claims: {contacts: 900, repeat_contact_rate: 0.2}\n"
                    "journeys:\n  renewal: {satisfaction: 4, nps: -10, complaints: 5}\n")
    o = load_observed(path, list(org.departments), list(org.journeys))
    assert o.measures == pytest.approx({
        "satisfaction_mean": 0.5, "complaints": 12, "churn:monthly": 0.02, "department:claims:contacts": 900,
        "department:claims:repeat_contact_rate": 0.2, "journey:renewal:satisfaction": 0.75,
        "journey:renewal:nps": -10, "journey:renewal:complaints": 5})
    assert o.monthly_churn == [0.01, 0.02, 0.03]


def summary(config, values: dict[str, float], seed: int) -> dict:
    cfg = config.copy()
    for key, value in values.items():
        OmegaConf.update(cfg, key, float(value))
    return CXModel(config=cfg, seed=seed).run().recorder.summary()


@pytest.fixture
def design(tmp_path_factory):
    """The design, built by the first pytest worker that asks and read by the others (a file lock in
    the run's shared temporary folder): a worker that asks while another builds it waits rather than
    spend 16 s of CPU building it again. (xdist_group with --dist loadgroup did not group these here.)"""
    import fcntl
    import os

    base = tmp_path_factory.getbasetemp()
    folder = base.parent if "PYTEST_XDIST_WORKER" in os.environ else base  # the run's, shared by its workers
    shared = folder / "calibration-design.parquet"
    with open(f"{shared}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not shared.exists():
            shared_design().to_parquet(shared)
    return design_config(), pd.read_parquet(shared)


def design_config():
    config = load_company(EXAMPLE).config
    config.org.customers, config.days = 800, 120
    return config


def shared_design() -> pd.DataFrame:
    """300 runs of the example insurer (800 customers, 120 days, today's regime), prior draws, own seeds."""
    config = design_config()
    draws = latin_hypercube(PRIOR, 300, seed=1)
    rows = []
    for i, row in draws.iterrows():
        outcome = summary(config, row.to_dict(), 1000 + i)
        rows.append({**row.to_dict(), **{m: outcome[m] for m in MEASURES}})
    return pd.DataFrame(rows)


REPLICATES = 30  # data sets simulated at the truth, each with its own seed


def test_known_parameters_are_recovered_and_an_inert_one_is_called_loose(design):
    """Data simulated at base friction 0.2 and CEO attention 3 (30 replicates, new seeds). The true
    friction lies inside the reported 90% range as often as a 90% range should: a one-sided binomial
    test at alpha 0.01 (at least 23 of 30; measured under model v3: 24 of 30, under model v2 11 of 12:
    regression-adjusted ABC on 300 design runs covers a little less than it says). The data constrain
    it (median width below 0.8 of the prior's); the regression adjustment is made (the design's runs
    surround the observed measures) and the measures are reproduced in at least 27 of 30 each.
    Today's regime has no CEO owner, so CEO attention cannot show in the data: it must be called loose
    every time, not fitted."""
    from scipy.stats import binom

    config, runs = design
    truth = {FRICTION: 0.2, ATTENTION: 3.0}
    inside, widths, reproduced, adjusted = 0, [], 0, 0
    for replicate in range(REPLICATES):
        observed = {m: v for m, v in summary(config, truth, seed=replicate).items() if m in MEASURES}
        f = fit(runs, PRIOR, observed, accept=0.25)
        assert f.accepted == 75
        adjusted += f.adjusted
        post = f.posterior.set_index("parameter")
        inside += post.loc[FRICTION, "p05"] <= 0.2 <= post.loc[FRICTION, "p95"]
        widths.append(post.loc[FRICTION, "width_ratio"])
        assert post.loc[ATTENTION, "verdict"].startswith("left loose"), post
        reproduced += (f.measures.verdict == "reproduced").all()
    assert binom.cdf(inside, REPLICATES, 0.9) > 0.01, f"the 90% range held the truth in {inside} of {REPLICATES}"
    assert np.median(widths) < 0.8, widths
    assert reproduced >= 27 and adjusted >= 27, (reproduced, adjusted)


def test_a_measure_the_model_cannot_reach_is_named(design):
    _, runs = design
    observed = {"handoff_failure_rate": 0.18, "satisfaction_mean": 0.99}  # no run comes near 0.99
    f = fit(runs, PRIOR, observed, accept=0.25).measures.set_index("measure")
    assert f.loc["satisfaction_mean", "verdict"].startswith("CANNOT BE REPRODUCED")
    assert f.loc["handoff_failure_rate", "verdict"] == "reproduced"


def test_calibrate_end_to_end_resumes_and_feeds_the_reorg(tmp_path):
    data = yaml.safe_load(EXAMPLE.read_text())
    data["org"]["customers"] = 400
    data["uncertain"] = {FRICTION: [0.10, 0.30], ATTENTION: [0.5, 8.0]}
    company = tmp_path / "small.yaml"
    company.write_text(yaml.safe_dump(data))
    observed = tmp_path / "obs.yaml"
    observed.write_text("period_days: 90\nsatisfaction_scale: [1, 5]\nmeasures:\n  handoff_failure_rate: 0.18\n"
                        "  satisfaction_mean: 3.44\nmonthly_churn: [0.012, 0.011, 0.012]\n"
                        "departments:\n  service: {repeat_contact_rate: 0.1}\ntransfers:\n  service -> finance: 0.2\n"
                        "journeys:\n  renewal: {time_to_resolve: 3.0, nps: 0, complaints: 1}\n")
    out = tmp_path / "cal"
    cmd = [sys.executable, "-m", "cxsim.calibration.calibrate", str(company), str(observed), "--samples", "20",
           "--generations", "2", "--accept", "0.85", "--check", "4", "--warmup", "20", "--jobs", "2", "--out", str(out)]
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    for name in ("posterior.csv", "measures.csv", "check.csv", "monthly_churn.csv", "draws.csv", "generations.csv",
                 "report.html", "calibrated.yaml"):
        assert (out / name).is_file(), name
    posterior = pd.read_csv(out / "posterior.csv")
    assert set(pd.read_csv(out / "measures.csv").measure) == {
        "handoff_failure_rate", "satisfaction_mean", "churn:monthly", "department:service:repeat_contact_rate",
        "transfer:service->finance", "journey:renewal:time_to_resolve", "journey:renewal:nps",
        "journey:renewal:complaints"}
    generations = pd.read_csv(out / "generations.csv")
    assert generations.runs.tolist() == [20, 20] and generations.pooled.tolist() == [20, 40]
    assert len(pd.read_csv(out / "monthly_churn.csv")) == 3
    assert "after a 20-day warm-up" in (out / "report.html").read_text()
    run = next((out / "design" / "runs").iterdir())
    timeseries, summary = pd.read_parquet(run / "timeseries.parquet"), pd.read_parquet(run / "summary.parquet")
    assert len(timeseries) == 110 and summary.days.iloc[0] == 90  # 20 days to settle, 90 measured
    calibrated = load_company(out / "calibrated.yaml")  # a company file the reorg comparison takes as it is
    for key, (low, high) in calibrated.uncertain.items():
        assert PRIOR[key][0] <= low < high <= PRIOR[key][1]
    assert "cxsim calibration" in (out / "report.html").read_text()

    again = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)  # resumes: runs nothing new
    assert again.returncode == 0 and again.stderr.count("20 runs done, 0 failed, of 20") == 2, again.stderr
    pd.testing.assert_frame_equal(posterior, pd.read_csv(out / "posterior.csv"), check_exact=True)

    bad = subprocess.run([*cmd[:4], str(tmp_path / "missing.yaml"), *cmd[5:]], capture_output=True, text=True)
    assert bad.returncode == 2 and "missing.yaml: cannot read" in bad.stderr and "Traceback" not in bad.stderr


def test_measures_that_no_run_matches_together_are_flagged_and_not_extrapolated(design):
    """Each measure at the edge of the runs' range, the combination not (churn high with few failures: in the
    model churn follows failures): the fit says so and makes no regression adjustment, which would
    extrapolate (an inert parameter was seen pushed to a bound that way)."""
    _, runs = design
    observed = {"handoff_failure_rate": runs.handoff_failure_rate.min(),
                "failure_demand_share": runs.failure_demand_share.min(),
                "annual_churn_rate": runs.annual_churn_rate.max(),
                "satisfaction_mean": runs.satisfaction_mean.max()}
    f = fit(runs, PRIOR, observed, accept=0.25)
    assert not f.surrounded and not f.adjusted and f.gap > f.typical_gap
    assert (f.measures.verdict == "reproduced").all()  # one by one, each is within reach
    assert f.posterior.set_index("parameter").loc[ATTENTION, "verdict"].startswith("left loose")


def toy(replicate: int):
    """A stand-in model whose posterior is known: two measures of `a` with Gaussian noise (sd 0.05),
    y1 = a and y2 = exp(a); `b` changes nothing. At a = 0.4 the posterior sd of `a` is
    1 / sqrt((1 + e^0.8) / 0.05^2) = 0.0278, a 90% range 0.0916 wide."""
    def simulate(points, generation):
        rng = np.random.default_rng([replicate, generation])
        out = points.assign(y1=points.a + rng.normal(0, 0.05, len(points)),
                            y2=np.exp(points.a) + rng.normal(0, 0.05, len(points)))
        return out.assign(run_id=[f"g{generation}_{i}" for i in range(len(points))])
    return simulate


TOY_PRIOR = {"a": (0.0, 1.0), "b": (0.0, 10.0)}


def test_the_sequential_fit_finds_the_known_posterior_of_a_stand_in_model():
    """40 replicates, each with its own noise: the sequential fit's 90% range holds the truth in at least
    32 (expected 36; binomial sd 1.9; measured 35), its mean width is within 25% of the exact
    posterior's 0.0916 (measured 0.091), and the inert `b` is called loose every time. Plain
    rejection on the first generation's 150 runs alone misses more often (measured 29 of 40)."""
    inside, widths, rejection = 0, [], 0
    for rep in range(40):
        rng = np.random.default_rng([999, rep])
        observed = {"y1": 0.4 + rng.normal(0, 0.05), "y2": np.exp(0.4) + rng.normal(0, 0.05)}
        f = sequential(toy(rep), TOY_PRIOR, observed, samples=150, generations=3, accept=0.25)
        a = f.posterior.set_index("parameter").loc["a"]
        inside += a.p05 <= 0.4 <= a.p95
        widths.append(a.p95 - a.p05)
        assert f.posterior.set_index("parameter").loc["b", "verdict"].startswith("left loose")
        assert f.generations.tolerance.is_monotonic_decreasing and f.generations.pooled.tolist() == [150, 300, 450]
        r = sequential(toy(rep), TOY_PRIOR, observed, samples=150, generations=1, accept=0.25)
        r = r.posterior.set_index("parameter").loc["a"]
        rejection += r.p05 <= 0.4 <= r.p95
    assert inside >= 32, inside
    assert abs(np.mean(widths) / 0.0916 - 1) < 0.25, np.mean(widths)
    assert rejection < inside, (rejection, inside)


def test_a_sequential_fit_draws_the_same_runs_again_so_it_can_resume():
    """Each generation's points follow from the runs before it: run twice, the same points (and names)."""
    seen = [[], []]
    for attempt in (0, 1):
        def simulate(points, generation, attempt=attempt):
            seen[attempt].append(points.copy())
            return toy(7)(points, generation)
        sequential(simulate, TOY_PRIOR, {"y1": 0.5, "y2": 1.6}, samples=60, generations=3, accept=0.3)
    for first, second in zip(*seen):
        pd.testing.assert_frame_equal(first, second, check_exact=True)
    inside = pd.concat(seen[0])
    assert inside.a.between(0, 1).all() and inside.b.between(0, 10).all()  # proposals stay in the prior's box


def test_the_default_sequential_fit_recovers_the_insurers_friction():
    """The command's method (three generations) on the example insurer (800 customers, 120 days, 60 runs
    a generation), data simulated at friction 0.2 and CEO attention 3, three replicates with new seeds:
    the truth lies inside the 90% range in at least 2 of 3 (measured 3 of 3), each range narrower than the
    prior's and 0.8 of it on average (measured 0.54-0.89, mean 0.68: since fixes stop at a friction floor and
    owners review weekly whatever their queue, the start friction leaves less trace in 120 days than in the
    first model, 0.43-0.73), CEO attention (no CEO owner today) loose."""
    config = load_company(EXAMPLE).config
    config.org.customers, config.days = 800, 120
    measures = [*MEASURES, "repeat_contact_rate", "complaints"]
    truth = {FRICTION: 0.2, ATTENTION: 3.0}
    inside, widths = 0, []
    for replicate in range(3):
        def simulate(points, generation, replicate=replicate):
            rows = []
            for i, row in points.iterrows():
                out = summary(config, row.to_dict(), seed=10_000 * (replicate + 1) + 1000 * generation + i)
                rows.append({**row.to_dict(), **{m: out[m] for m in measures}, "run_id": f"{generation}_{i}"})
            return pd.DataFrame(rows)

        observed = {m: v for m, v in summary(config, truth, seed=replicate).items() if m in measures}
        post = sequential(simulate, PRIOR, observed, samples=60, generations=3, accept=0.25).posterior
        post = post.set_index("parameter")
        inside += post.loc[FRICTION, "p05"] <= 0.2 <= post.loc[FRICTION, "p95"]
        widths.append(post.loc[FRICTION, "width_ratio"])
        assert post.loc[ATTENTION, "verdict"].startswith("left loose"), post
    assert inside >= 2, inside
    assert max(widths) < 1.0 and np.mean(widths) < 0.8, widths


def test_a_boundarys_friction_is_fitted_from_its_transfer_log():
    """A boundary's friction today (`org.friction.service.finance`, not named in the org: it starts at the
    base) is an assumption like any other; its transfer failure rate informs it. 200 prior runs of the small
    insurer, data at 0.3 (base friction 0.2), eight replicates: the truth inside the 90% range in at least
    6 of 8 (a binomial test of 90% coverage rejects only at 5 or fewer, p = 0.038; measured 6 of 8, the
    first model 8 of 8) and the ranges narrower than the prior on average (mean width ratio < 0.85;
    measured 0.63: few billing queries cross that boundary in 120 days)."""
    boundary = "org.friction.service.finance"
    prior = {boundary: (0.05, 0.5), FRICTION: (0.10, 0.30)}
    config = load_company(EXAMPLE).config
    config.org.customers, config.days = 800, 120

    def measures(values, seed):
        cfg = config.copy()
        for key, value in values.items():
            OmegaConf.update(cfg, key, float(value), force_add=True)
        r = CXModel(config=cfg, seed=seed).run().recorder
        pair = r.handoff_table().set_index(["from_department", "to_department"]).failure_rate
        return {"handoff_failure_rate": r.summary()["handoff_failure_rate"],
                "transfer:service->finance": pair[("service", "finance")]}

    runs = pd.DataFrame([{**row.to_dict(), **measures(row.to_dict(), 5000 + i)}
                         for i, row in latin_hypercube(prior, 200, seed=2).iterrows()])
    inside, widths = 0, []
    for replicate in range(8):
        post = fit(runs, prior, measures({boundary: 0.3, FRICTION: 0.2}, replicate), accept=0.25).posterior
        b = post.set_index("parameter").loc[boundary]
        inside += b.p05 <= 0.3 <= b.p95
        widths.append(b.width_ratio)
    assert inside >= 6 and np.mean(widths) < 0.85, (inside, widths)
