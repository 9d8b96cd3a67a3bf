"""The performance suite: what a cxsim run costs, side by side with its references, in one process run.

    .venv/bin/python benchmarks/suite.py                 # about 8 minutes on 2 cores
    .venv/bin/python benchmarks/suite.py --million       # adds 1M customers for 365 days (minutes, ~GB)
    .venv/bin/python benchmarks/suite.py --quick         # smaller repeats, no sweep (a smoke run)

Prints one table and writes `benchmarks/results/suite.json`. Every figure is
measured in this invocation, so the ratios compare like with like on a shared
machine; each timing is the best of `--repeat` runs (the least disturbed).

* default scenario (auto insurer, 5,000 customers, 730 days): wall time
  (set-up + run), touchpoint events per second and customer-days per second of the run;
* Mesa's Boltzmann wealth example at 10,000 agents for 10 steps: agent-steps
  per second (steps timed, set-up not, as for cxsim), and the ratio cxsim events/s / Boltzmann
  agent-steps/s (target >= 8, issue 34);
* the floor: a plain Python loop doing one function call and one random draw
  per event; cxsim's cost per event / the floor's (target <= 10, issue 34);
* scaling in customers, 10k and 100k (and 1M with --million) for 365 days,
  the organisation scaled with them (capacities and prospects x N/5,000), each
  in a fresh process: wall time, fitted exponent (target <= 1.1), peak memory
  (1M: target <= 3 GB);
* activity: the 100k population with every journey rate and the prospect
  inflow halved: runtime ratio (target <= 0.65);
* a sweep of 5 regimes x 10 seeds (Hydra multirun, joblib launcher, results
  store), in three interleaved rounds, medians: its overhead over the same runs
  made one after another by the API (target <= 0.10; also in CPU seconds, and
  against the runs' own times inside the sweep, which a shared machine's
  changing load moves less), the rerun of the finished sweep over its first
  run (resume, target <= 0.05), and the speedup from 1 to 2 workers (target >= 1.8)
  beside what the same runs gain from two bare processes at once (the machine's own ceiling).

An *event* is one unit of customer work the engine handles: a calendar event
(a need arises, a case reaches a queue, a customer leaves) or a case worked at
a department. Counted by the model itself (`summary.events`); a calendar event withdrawn before
its day (its reason gone, `Calendar.cancel`) is not acted on and not counted: reported beside.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Issue 34's engine targets: per event <= 10x the floor, events/s >= 8x Boltzmann, the default run
# under 0.3 s (earlier: <= 30x, >= 1.5x, the default scenario's wall < 2 s).
TARGETS = {"events_vs_boltzmann": (">=", 8.0), "cost_vs_floor": ("<=", 10.0), "scaling_exponent": ("<=", 1.1),
           "memory_1m_gb": ("<=", 3.0), "half_activity_ratio": ("<=", 0.65), "sweep_speedup": (">=", 1.8),
           "sweep_overhead": ("<=", 0.10), "resume_ratio": ("<=", 0.05),
           "default_wall_s": ("<", 2.0), "default_run_s": ("<", 0.3)}


def best_of(repeat: int, fn):
    """The fastest of `repeat` calls (wall seconds) and the last call's result."""
    best, result = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


# ----------------------------------------------------------------- cxsim
def default_scenario(repeat: int) -> dict:
    """Set-up (config, agents) and the run timed apart: events/s is the engine's, on the run."""
    from cxsim.model import CXModel

    setup = run = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        model = CXModel()
        built = time.perf_counter()
        model.run()
        setup, run = min(setup, built - start), min(run, time.perf_counter() - built)
    s = model.recorder.summary()
    customer_days = int(model.recorder.timeseries().active.sum())
    return {"setup_s": setup, "run_s": run, "wall_s": setup + run, "events": int(s["events"]),
            "withdrawn": int(model.recorder.withdrawn),
            "events_per_s": s["events"] / run, "us_per_event": run / s["events"] * 1e6,
            "customer_days_per_s": customer_days / run, "customers": model.initial_customers, "days": model.days}


SCALED = """
import json, resource, sys, time
from cxsim.model import CXModel
from cxsim.config import composition
n, days, activity = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
cfg = composition.compose(["days=%d" % days])
cfg.org.customers = n  # capacities and paid prospects scale with it (org.design_customers)
cfg.org.prospects_per_day *= activity
for j in cfg.org.journeys.values():
    j.rate *= activity
start = time.perf_counter()
model = CXModel(config=cfg).run()
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"customers": n, "days": days, "activity": activity, "wall_s": wall,
                  "events": model.recorder.summary()["events"], "peak_bytes": peak}))
"""


def scaled(n: int, days: int = 365, activity: float = 1.0, repeat: int = 1) -> dict:
    """One run in a fresh process (its own peak memory), the org scaled to `n` customers."""
    best = None
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", SCALED, str(n), str(days), str(activity)],
                             check=True, capture_output=True, text=True, cwd=ROOT)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        best = r if best is None or r["wall_s"] < best["wall_s"] else best
    return best


# ----------------------------------------------------------------- references
def boltzmann(repeat: int, n: int = 10_000, steps: int = 10) -> dict:
    """Mesa's own example as shipped, 10,000 agents on a 100 x 100 grid; the steps timed, not the set-up."""
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

    best = math.inf
    for _ in range(repeat):
        model = BoltzmannWealth(BoltzmannScenario(n=n, width=100, height=100, rng=42))
        start = time.perf_counter()
        for _ in range(steps):
            model.step()
        best = min(best, time.perf_counter() - start)
    return {"agents": n, "steps": steps, "wall_s": best, "agent_steps_per_s": n * steps / best}


def floor(repeat: int, n: int = 2_000_000) -> dict:
    """A plain Python loop: one function call and one random draw per event."""
    draw = random.random

    def handle(x):
        return x

    def once():
        for _ in range(n):
            handle(draw())

    wall, _ = best_of(repeat, once)
    return {"events": n, "wall_s": wall, "us_per_event": wall / n * 1e6}


SWEEP_REGIMES = ("ceo_led", "coo_owned", "cxo_facilitator", "everyone_owns", "journey_teams")
SWEEP_REPLICATES = 10


def child_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of a command in a child process (its own children included)."""
    cpu, start = child_cpu(), time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start, child_cpu() - cpu


def sweep(workers: int, days: int = 730) -> dict:
    """The benchmark sweep (5 regimes x 10 replicates) into a fresh store, and its rerun (every run
    finished: the cost of resuming): wall and CPU seconds of each, and the sum of the runs' own
    `simulate` times inside the sweep (their `run.json`)."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "cxsim.runs.cli", "-m", f"regime={','.join(SWEEP_REGIMES)}",
               f"replicate=range(0,{SWEEP_REPLICATES})", f"days={days}", "hydra/launcher=joblib",
               f"hydra.launcher.n_jobs={workers}", f"hydra.sweep.dir={tmp}/sweep"]
        wall, cpu = timed(cmd)
        inside = sum(json.loads(p.read_text())["wall_seconds"] for p in Path(tmp, "sweep", "runs").glob("*/run.json"))
        rerun, _ = timed(cmd)
        return {"wall_s": wall, "cpu_s": cpu, "runs_inside_s": inside, "rerun_s": rerun}


BARE = """
import json, sys, time
from cxsim.config.resolvers import derived_seed
from cxsim.runs.api import simulate
regimes, replicates, days = sys.argv[1].split(","), sys.argv[2].split(":"), int(sys.argv[3])
simulate(regime=regimes[0], seed=derived_seed(0, 0), days=10)  # imports and first-call costs out of the sum
wall = cpu = 0.0
for r in regimes:
    for k in range(int(replicates[0]), int(replicates[1])):
        start, start_cpu = time.perf_counter(), time.process_time()
        simulate(regime=r, seed=derived_seed(0, k), days=days)
        wall += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
print(json.dumps([wall, cpu]))
"""


def bare_command(first: int, last: int, days: int) -> list[str]:
    return [sys.executable, "-c", BARE, ",".join(SWEEP_REGIMES), f"{first}:{last}", str(days)]


def bare_runs(days: int = 730) -> tuple[float, float]:
    """The sweep's runs, one after another in one process, by the API: the sums of their wall and CPU times."""
    out = subprocess.run(bare_command(0, SWEEP_REPLICATES, days), check=True, capture_output=True, text=True, cwd=ROOT)
    wall, cpu = json.loads(out.stdout)
    return wall, cpu


def bare_pair(days: int = 730) -> float:
    """The same runs in two processes at once (replicates split in halves), no sweep: the wall seconds of
    the longer half's runs. What two cores of this machine give, the ceiling of a 2-worker sweep's speedup."""
    half = SWEEP_REPLICATES // 2
    procs = [subprocess.Popen(bare_command(a, b, days), stdout=subprocess.PIPE, text=True, cwd=ROOT)
             for a, b in ((0, half), (half, SWEEP_REPLICATES))]
    return max(json.loads(p.communicate()[0])[0] for p in procs)


def sweep_costs(repeat: int) -> dict:
    """Three figures, each the median of `repeat` interleaved rounds (bare runs, 1-worker sweep and its
    rerun, 2-worker sweep): sweep overhead = (1-worker sweep - bare sum) / bare sum; resume ratio =
    rerun / first run; speedup = 1 worker / 2 workers. On a machine shared with others the wall times
    of one round's parts can differ by a third (another tenant's load comes and goes), so two more
    readings of the overhead go with it: in CPU seconds (the same processes' user + system time,
    which others' load hardly moves), and against the runs' own `simulate` times inside the sweep
    (measured in the same minutes as the sweep)."""
    rounds = []
    for _ in range(repeat):
        bare, bare_cpu = bare_runs()
        pair = bare_pair()
        one, two = sweep(1), sweep(2)
        rounds.append({"bare_s": bare, "bare_cpu_s": bare_cpu, "bare_pair_s": pair, "one_worker_s": one["wall_s"],
                       "one_worker_cpu_s": one["cpu_s"], "runs_inside_s": one["runs_inside_s"],
                       "rerun_s": one["rerun_s"], "two_workers_s": two["wall_s"]})
    med = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    ratio = lambda f: statistics.median(f(r) for r in rounds)  # noqa: E731
    return {"runs": len(SWEEP_REGIMES) * SWEEP_REPLICATES, "rounds": rounds, "median": med,
            "sweep_overhead": ratio(lambda r: (r["one_worker_s"] - r["bare_s"]) / r["bare_s"]),
            "sweep_overhead_cpu": ratio(lambda r: (r["one_worker_cpu_s"] - r["bare_cpu_s"]) / r["bare_cpu_s"]),
            "sweep_overhead_inside": ratio(lambda r: (r["one_worker_s"] - r["runs_inside_s"]) / r["runs_inside_s"]),
            "resume_ratio": ratio(lambda r: r["rerun_s"] / r["one_worker_s"]),
            "sweep_speedup": ratio(lambda r: r["one_worker_s"] / r["two_workers_s"]),
            "parallel_ceiling": ratio(lambda r: r["bare_s"] / r["bare_pair_s"])}


# ----------------------------------------------------------------- the table
def verdict(name: str, value: float) -> str:
    op, target = TARGETS[name]
    ok = {">=": value >= target, "<=": value <= target, "<": value < target}[op]
    return f"{'met' if ok else 'MISSED'} ({op} {target:g})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="timings are the best of this many runs")
    ap.add_argument("--million", action="store_true", help="also 1M customers for 365 days")
    ap.add_argument("--quick", action="store_true", help="one repeat, 10k/30k scaling, no sweep")
    ap.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "suite.json"))
    args = ap.parse_args(argv)
    repeat = 1 if args.quick else args.repeat
    rows: list[tuple[str, str, str]] = []
    res: dict = {"machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(),
                             "platform": platform.platform(), "processor": platform.processor()}}
    from cxsim.compiled import compiled_modules

    modules = compiled_modules()  # the case flow compiled at install, or run from its source (CXSIM_PURE=1)
    res["build"] = "compiled" if all(modules.values()) else "pure" if not any(modules.values()) else "mixed"
    rows.append(("build of the case flow", res["build"], f"{sum(modules.values())} of {len(modules)} modules compiled"))

    res["default"] = d = default_scenario(repeat)
    rows += [("default scenario wall", f"{d['wall_s']:.2f} s", verdict("default_wall_s", d["wall_s"])),
             ("  set-up / run", f"{d['setup_s']:.2f} / {d['run_s']:.2f} s",
              "run " + verdict("default_run_s", d["run_s"])),
             ("  touchpoint events/s (run)", f"{d['events_per_s']:,.0f}",
              f"{d['events']:,} events acted on, {d['withdrawn']:,} withdrawn"),
             ("  customer-days/s", f"{d['customer_days_per_s']:,.0f}", "")]
    res["boltzmann"] = b = boltzmann(repeat)
    ratio = d["events_per_s"] / b["agent_steps_per_s"]
    res["ratios"] = {"events_vs_boltzmann": ratio}
    rows += [("Mesa Boltzmann 10k x 10 agent-steps/s", f"{b['agent_steps_per_s']:,.0f}", ""),
             ("  cxsim events/s / Boltzmann", f"{ratio:.2f}", verdict("events_vs_boltzmann", ratio))]
    res["floor"] = f = floor(repeat)
    us_event = d["us_per_event"]
    cost = us_event / f["us_per_event"]
    res["ratios"]["cost_vs_floor"] = cost
    rows += [("floor: call + draw per event", f"{f['us_per_event']:.3f} us", ""),
             ("  cxsim per event", f"{us_event:.3f} us", ""),
             ("  cxsim / floor", f"{cost:.1f}x", verdict("cost_vs_floor", cost))]

    sizes = [10_000, 30_000] if args.quick else [10_000, 100_000]
    scale = [scaled(n, repeat=2 if n > 10_000 else repeat) for n in sizes]  # single runs: best of two at least
    if args.million:
        scale.append(scaled(1_000_000))
    res["scaling"] = scale
    exponent = math.log(scale[1]["wall_s"] / scale[0]["wall_s"]) / math.log(sizes[1] / sizes[0])
    res["ratios"]["scaling_exponent"] = exponent
    for r in scale:
        rows.append((f"{r['customers']:,} customers x 365 d", f"{r['wall_s']:.2f} s",
                     f"peak {r['peak_bytes'] / 2**30:.2f} GB, {r['events']:,.0f} events"))
    rows.append((f"  exponent {sizes[0]:,} -> {sizes[1]:,}", f"{exponent:.3f}", verdict("scaling_exponent", exponent)))
    if args.million:
        gb = scale[-1]["peak_bytes"] / 2**30
        res["ratios"]["memory_1m_gb"] = gb
        rows.append(("  1M peak memory", f"{gb:.2f} GB", verdict("memory_1m_gb", gb)))

    half = scaled(sizes[1], activity=0.5, repeat=2)
    res["half_activity"] = half
    hr = half["wall_s"] / scale[1]["wall_s"]
    res["ratios"]["half_activity_ratio"] = hr
    rows.append((f"half the touchpoints ({sizes[1]:,})", f"{hr:.2f}x time",
                 f"{half['events'] / scale[1]['events']:.2f}x events; " + verdict("half_activity_ratio", hr)))

    if not args.quick:  # interleaved rounds, medians: the sweep is the noisiest figure here
        res["sweep"] = s = sweep_costs(max(3, repeat))
        m = s["median"]
        for name in ("sweep_overhead", "resume_ratio", "sweep_speedup"):
            res["ratios"][name] = s[name]
        walls = ", ".join(f"{(r['one_worker_s'] - r['bare_s']) / r['bare_s']:.3f}" for r in s["rounds"])
        rows += [("sweep 5 regimes x 10 seeds: bare runs (sum)", f"{m['bare_s']:.1f} s", "median of rounds"),
                 ("  1 worker", f"{m['one_worker_s']:.1f} s", ""),
                 ("  overhead (1 worker - bare) / bare", f"{s['sweep_overhead']:.3f}",
                  verdict("sweep_overhead", s["sweep_overhead"]) + f"; rounds {walls}"),
                 ("    the same in CPU seconds", f"{s['sweep_overhead_cpu']:.3f}",
                  f"{m['one_worker_cpu_s']:.1f} s vs {m['bare_cpu_s']:.1f} s"),
                 ("    against the runs' times inside the sweep", f"{s['sweep_overhead_inside']:.3f}",
                  f"{m['runs_inside_s']:.1f} s of runs"),
                 ("  rerun of the finished sweep", f"{m['rerun_s']:.1f} s", ""),
                 ("  resume ratio rerun / first", f"{s['resume_ratio']:.3f}",
                  verdict("resume_ratio", s["resume_ratio"])),
                 ("  2 workers", f"{m['two_workers_s']:.1f} s", ""),
                 ("  speedup 1 / 2 workers", f"{s['sweep_speedup']:.2f}", verdict("sweep_speedup", s["sweep_speedup"])),
                 ("    the same runs in two bare processes at once", f"{s['parallel_ceiling']:.2f}",
                  f"{m['bare_pair_s']:.1f} s: what two cores give here, no sweep")]

    width = max(len(r[0]) for r in rows) + 2
    for name, value, note in rows:
        print(f"{name:<{width}}{value:>16}   {note}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(res, indent=2))
    print(f"\nwritten {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
