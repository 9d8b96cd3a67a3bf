"""Are a change's outputs bit-identical? Save every table of a few scenarios, then compare.

    python benchmarks/identical.py save /tmp/before     # on the commit before the change
    python benchmarks/identical.py check /tmp/before    # after it: every table equal, or which differ

The scenarios cover each mechanism's hooks: a default run, a reorg (a regime installed mid-run),
the CFO's cost view (the budget round cuts), a regime with deputies and a forum, and a small firm.
`events` (the engine's own count of what it handled) may be excluded with --except events, for a
change that drops events doing nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from cxsim.api import TABLES, simulate

SCENARIOS = {
    "default": dict(regime="ceo_led", seed=3, days=730),
    "reorg": dict(regime="coo_owned", seed=4, days=500, reorg_day=200, reorg_to="journey_teams"),
    "cost_view": dict(regime="no_owner", seed=5, days=500, cfo_view="cost"),
    "forum_deputy": dict(regime="everyone_owns", seed=6, days=400),
    "deputy": dict(regime="ceo_with_cxo", seed=7, days=400, org="telecom"),
}


def tables(scenario: dict) -> dict[str, pd.DataFrame]:
    result = simulate(**scenario)
    return {name: getattr(result, name) for name in TABLES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["save", "check"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--except", dest="skip", nargs="*", default=[], help="columns left out of the check")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    differ = []
    for name, scenario in SCENARIOS.items():
        for table, frame in tables(scenario).items():
            path = args.folder / f"{name}.{table}.parquet"
            if args.action == "save":
                frame.to_parquet(path)
                continue
            before = pd.read_parquet(path).drop(columns=args.skip, errors="ignore")
            now = frame.drop(columns=args.skip, errors="ignore")
            try:
                pd.testing.assert_frame_equal(before, now, check_exact=True)
            except AssertionError as exc:
                differ.append(f"{name}.{table}: {str(exc).splitlines()[0]}")
    if args.action == "check":
        print("\n".join(differ) or "every table identical")
        sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
