"""A lesson's claims, checked: what its `observe` text says the model shows, measured.

A lesson file (`cxsim/conf/lesson/*.yaml`) backs its `observe` text with `checks`: each names a
measure (a column of a run's summary, or a measure over a window of days: WINDOW_MEASURES), the
settings compared (model keywords on top of the lesson's own `params`), the direction, and over
how many seeds at what horizon. Three kinds:

* `higher` / `lower`: the measure is higher under one setting than the other, paired over seeds
  (the same seed: the same customers and arrivals), one-sided t-test at alpha 0.05;
* `rises_more`: from one setting (`from`) to another (`to`) the measure rises more `under` one
  base than `than` another (a difference of paired differences);
* `same`: the measure under two settings differs by less than `margin`, an equivalence test (TOST)
  with the margin fixed in the file.

`cxsim-lessons` runs every lesson's checks (each distinct run once, on the evaluator's pool) and
writes what it measured to `cxsim/conf/app/lesson_checks.yaml`, which the app shows under each
lesson's text ("holds in 19 of 20 seeds"); `tests/test_lessons.py` (`pytest -m lessons`) runs
them again and fails when a claim does not hold or the file is out of date.
"""

from __future__ import annotations

import argparse
import functools
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from cxsim.analysis.statistics import ci_of_mean
from cxsim.app.classroom import LESSONS, MEASURED
from cxsim.config.errors import ConfigError
from cxsim.runs.api import outcome_names
from cxsim.runs.evaluator import evaluate

ALPHA = 0.05
APP_ONLY = ("compare_with",)  # lesson settings the app reads, not the model
# measures over a window of days [from, to) of a run's daily table: name -> (numerator, denominator)
WINDOW_MEASURES = {"handoff_failure_rate": ("handoff_failures", "handoffs"), "profit": ("profit", None),
                   "failure_demand_share": ("repeat_contacts", "contacts")}
DAILY = sorted({c for pair in WINDOW_MEASURES.values() for c in pair if c})  # the daily columns a run keeps
KINDS = ("higher", "rises_more", "same")
NEEDS = {"higher": "lower beside it", "rises_more": "from, to and than", "same": "a list of two settings"}


def complete(kind: str, value, spec: dict) -> bool:
    """Does a check of this kind name everything it compares?"""
    if kind == "higher":
        return "lower" in spec
    if kind == "rises_more":
        return isinstance(value, dict) and {"from", "to", "than"} <= set(value)
    return isinstance(value, list) and len(value) == 2


@functools.cache
def measures() -> frozenset[str]:
    """The outcomes a check may read: a run's summary columns."""
    return outcome_names()


@dataclass(frozen=True)
class Side:
    """One setting a check reads: model keywords (the lesson's and the check's), and a window of days."""

    keywords: tuple[tuple[str, object], ...]
    days: int
    window: tuple[int, int] | None = None

    @property
    def run(self) -> tuple:
        """What makes the run (a window is read off the same run)."""
        return self.keywords, self.days


@dataclass(frozen=True)
class Check:
    lesson: str
    claim: str
    measure: str
    kind: str
    sides: tuple[Side, ...]  # higher, lower | under-to, under-from, than-to, than-from | a, b
    seeds: int
    margin: float = 0.0

    def days_text(self) -> str:
        """The horizon, and the windows compared, in words."""
        days = "/".join(str(d) for d in sorted({s.days for s in self.sides}))
        windows = sorted({s.window for s in self.sides if s.window})
        return f"{days} days" + (f", days {' vs '.join(f'{a}-{b}' for a, b in windows)}" if windows else "")

    def effect(self, values: list[np.ndarray]) -> np.ndarray:
        """Per seed: the quantity the claim says is positive (or, for `same`, near zero)."""
        if self.kind == "rises_more":
            return (values[0] - values[1]) - (values[2] - values[3])
        return values[0] - values[1]


@dataclass(frozen=True)
class Result:
    check: Check
    mean: float
    low: float
    high: float
    held_in: int  # seeds whose effect points the claimed way (for `same`: lies within the margin)
    p: float

    @property
    def holds(self) -> bool:
        return self.p < ALPHA

    def sentence(self) -> str:
        c = self.check
        verdict = "holds" if self.holds else "does NOT hold"
        p = "p < 0.001" if self.p < 0.001 else f"p = {self.p:.3f}"
        return (f"{verdict}: in {self.held_in} of {c.seeds} seeds, {c.days_text()}; mean difference "
                f"{number(self.mean)} (95% CI {number(self.low)} to {number(self.high)}), {p}")


def number(x: float) -> str:
    """A difference as a teacher reads it: money and counts in whole units, rates to three figures."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2f}" if abs(x) >= 1 else f"{x:.3g}"


# ------------------------------------------------------------ reading a lesson's checks
def checks_of(name: str, lesson: dict) -> list[Check]:
    """The lesson's checks, each side's keywords the lesson's params with the check's settings on top."""
    base = {k: v for k, v in lesson["params"].items() if k not in APP_ONLY}
    return [one_check(name, i, spec, base) for i, spec in enumerate(lesson.get("checks") or [])]


def one_check(name: str, i: int, spec: dict, base: dict) -> Check:
    where = f"lesson {name}, check {i + 1}"
    unknown = set(spec) - {"claim", "measure", "days", "seeds", "margin", "higher", "lower", "rises_more", "same"}
    if unknown:
        raise ConfigError(f"{where}: unknown key {', '.join(sorted(unknown))}")
    kind = next((k for k in KINDS if k in spec), None)
    if kind is None or "measure" not in spec or "claim" not in spec:
        raise ConfigError(f"{where}: needs claim, measure and one of higher/lower, rises_more, same")
    if not complete(kind, spec[kind], spec):
        raise ConfigError(f"{where}: {kind} needs {NEEDS[kind]}")
    if spec["measure"] not in measures():
        raise ConfigError(f"{where}: measure: no outcome named {spec['measure']!r} (a column of a run's summary)")
    days, seeds = int(spec.get("days", 730)), int(spec.get("seeds", 20))

    def side(settings: dict | None, *more: dict | None) -> Side:
        keywords = {**base, "days": days}
        for part in (settings, *more):
            keywords.update({k: tuple(v) if isinstance(v, list) and k != "window" else v
                             for k, v in (part or {}).items()})  # a list (overrides) as a tuple: a run's key
        window = keywords.pop("window", None)
        days_of_run = int(keywords.pop("days"))
        return Side(tuple(sorted(keywords.items())), days_of_run, tuple(window) if window else None)

    if kind == "higher":
        sides = (side(spec["higher"]), side(spec["lower"]))
    elif kind == "same":
        sides = (side(spec["same"][0]), side(spec["same"][1]))
    else:
        r = spec["rises_more"]
        sides = (side(r.get("under"), r["to"]), side(r.get("under"), r["from"]),
                 side(r["than"], r["to"]), side(r["than"], r["from"]))
    for s in sides:
        if s.window and spec["measure"] not in WINDOW_MEASURES:
            raise ConfigError(f"{where}: a window reads only {', '.join(WINDOW_MEASURES)}, not {spec['measure']}")
        if s.window and not (len(s.window) == 2 and 0 <= s.window[0] < s.window[1] <= s.days):
            raise ConfigError(f"{where}: window: must be [from, to) within the run's {s.days} days, "
                              f"got {list(s.window)}")
    return Check(name, spec["claim"], spec["measure"], kind, sides, seeds, float(spec.get("margin", 0.0)))


def all_checks(lessons: dict[str, dict] | None = None) -> list[Check]:
    lessons = LESSONS if lessons is None else lessons
    return [c for name, lesson in lessons.items() for c in checks_of(name, lesson)]


# ------------------------------------------------------------ running them
def run_lesson_setting(job: tuple) -> dict:
    """One run of a check's setting (a worker for the evaluator): the summary, and the daily columns
    a window reads."""
    from cxsim.model import CXModel

    (keywords, days), seed = job
    model = CXModel(seed=seed, days=days, **dict(keywords)).run()
    return {"summary": model.recorder.summary(), "daily": model.recorder.timeseries()[DAILY].to_numpy()}


def needed_runs(checks: list[Check]) -> list[tuple]:
    """Every distinct (setting, seed) the checks read, once."""
    runs = {(side.run, seed) for c in checks for side in c.sides for seed in range(c.seeds)}
    return sorted(runs, key=repr)


def settings_work(checks: list[Check]) -> None:
    """Build each distinct setting once (a small firm, not run) before any run: a wrong keyword or value in a lesson
    file is one line naming the lesson, not a failure in a worker after other runs were made."""
    from cxsim.model import CXModel

    seen = set()
    for check in checks:
        for side in check.sides:
            if side.keywords in seen:
                continue
            seen.add(side.keywords)
            try:
                CXModel(days=side.days, customers=10, **dict(side.keywords))  # built, not run
            except (TypeError, ConfigError) as exc:  # TypeError: a keyword CXModel does not take
                raise ConfigError(f"lesson {check.lesson}: {check.claim!r}: {exc}") from None


def make_runs(checks: list[Check], jobs: int | None = None, made=None) -> dict[tuple, dict]:
    """Every run the checks read, once: on `jobs` processes, or from `made` (a function of
    `needed_runs` giving each run as `run_lesson_setting` does: a test session's shared runs)."""
    settings_work(checks)
    todo = needed_runs(checks)
    runs = evaluate(run_lesson_setting, todo, jobs, chunksize=1) if made is None else made(todo)
    return dict(zip(todo, runs, strict=True))


def value(run: dict, measure: str, window: tuple[int, int] | None) -> float:
    if window is None:
        return float(run["summary"][measure])
    top, bottom = WINDOW_MEASURES[measure]
    rows = run["daily"][window[0]:window[1]]
    total = rows[:, DAILY.index(top)].sum()
    return float(total / rows[:, DAILY.index(bottom)].sum()) if bottom else float(total)


def measure(check: Check, runs: dict[tuple, dict]) -> Result:
    """The check's effect per seed, its 95% CI, how many seeds point the claimed way, and the test."""
    values = [np.array([value(runs[(s.run, seed)], check.measure, s.window) for seed in range(check.seeds)])
              for s in check.sides]
    d = check.effect(values)
    low, high = ci_of_mean(pd.Series(d))
    if check.kind == "same":
        held, p = int((np.abs(d) < check.margin).sum()), tost(d, check.margin)
    else:
        held, p = int((d > 0).sum()), greater_p(d)
    return Result(check, float(d.mean()), low, high, held, p)


def greater_p(d: np.ndarray) -> float:
    """One-sided paired t-test that the mean of d is above 0 (a constant d: 0 if positive, else 1)."""
    if d.std() == 0:
        return 0.0 if d.mean() > 0 else 1.0
    return float(stats.ttest_1samp(d, 0.0, alternative="greater").pvalue)


def tost(d: np.ndarray, margin: float) -> float:
    """Paired equivalence: the larger p of the two one-sided tests that the mean lies inside +-margin."""
    if d.std() == 0:
        return 0.0 if abs(d.mean()) < margin else 1.0
    below = stats.ttest_1samp(d, -margin, alternative="greater").pvalue
    above = stats.ttest_1samp(d, margin, alternative="less").pvalue
    return float(max(below, above))


def check_all(lessons: dict[str, dict] | None = None, jobs: int | None = None, made=None) -> list[Result]:
    """Every check of these lessons (all: None), measured on the runs `make_runs` gives."""
    checks = all_checks(lessons)
    runs = make_runs(checks, jobs, made)
    return [measure(c, runs) for c in checks]


# ------------------------------------------------------------ what the app shows
def measured_table(results: list[Result]) -> dict[str, list[dict]]:
    """By lesson: each claim and the sentence of what was measured (the file the app reads)."""
    table: dict[str, list[dict]] = {}
    for r in results:
        table.setdefault(r.check.lesson, []).append({"claim": r.check.claim, "measured": r.sentence()})
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="cxsim-lessons", description="Run every lesson's checks; print what each claim measured and whether "
        "it holds (a lesson's checks are in cxsim/conf/lesson/NAME.yaml).",
        epilog="examples: cxsim-lessons --jobs 2 --write (measure, and store what the app shows); "
               "cxsim-lessons --handouts handouts (one page per lesson for students)")
    parser.add_argument("--write", action="store_true",
                        help=f"write the results to {MEASURED.name} (the app shows them)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: every core)")
    parser.add_argument("--handouts", metavar="DIR", help="write each lesson's one-page handout (HTML) to DIR, "
                        "with what --write last measured, and stop")
    args = parser.parse_args(argv)
    if args.handouts:
        from cxsim.app.handout import write_handouts

        for path in write_handouts(Path(args.handouts)):
            print(path)
        return
    try:
        results = check_all(jobs=args.jobs)
    except ConfigError as exc:
        sys.exit(f"cxsim-lessons: {exc}")
    for r in results:
        print(f"{r.check.lesson}: {r.check.claim}\n    {r.sentence()}")
    if args.write:
        header = "# Written by cxsim-lessons --write: what each lesson's checks measured (shown in the app).\n"
        MEASURED.write_text(header + yaml.safe_dump(measured_table(results), sort_keys=True, width=120))
        print(f"written to {MEASURED}")
    failed = [r for r in results if not r.holds]
    if failed:
        sys.exit(f"cxsim-lessons: {len(failed)} claim(s) do not hold")


if __name__ == "__main__":
    main()
