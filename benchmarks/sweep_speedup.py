"""Sweep speedup: 5 regimes x 10 replicates with 1 and with 2 joblib workers.

    .venv/bin/python benchmarks/sweep_speedup.py [--days 365] [--json benchmarks/results/sweep_speedup.json]

Both sweeps run in this one invocation, one after the other, so the ratio
compares like with like on a shared machine. Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REGIMES = "ceo_led,coo_owned,cxo_facilitator,everyone_owns,journey_teams"


def sweep(workers: int, days: int, folder: Path) -> float:
    cmd = [sys.executable, "-m", "cxsim.cli", "-m", f"regime={REGIMES}", "replicate=range(0,10)",
           f"days={days}", "hydra/launcher=joblib", f"hydra.launcher.n_jobs={workers}",
           f"hydra.sweep.dir={folder}"]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=730, help="horizon (the default scenario's)")
    ap.add_argument("--json", default="benchmarks/results/sweep_speedup.json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        times = {n: sweep(n, args.days, Path(tmp) / f"w{n}") for n in (1, 2)}
    result = {"runs": 50, "days": args.days, "wall_1_worker_s": round(times[1], 2),
              "wall_2_workers_s": round(times[2], 2), "speedup": round(times[1] / times[2], 2),
              "target_speedup": 1.7, "cores": os.cpu_count(), "python": platform.python_version(),
              "machine": platform.machine()}
    print(f"{'sweep (5 regimes x 10 replicates)':<36}{'wall s':>10}")
    print(f"{'1 worker':<36}{times[1]:>10.1f}")
    print(f"{'2 workers':<36}{times[2]:>10.1f}")
    print(f"{'speedup (target >= 1.7)':<36}{times[1] / times[2]:>10.2f}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
