"""What the classroom runs: the app's controls, the lessons that set them, and the model they make.

The controls are listed in `cxsim/conf/app/classroom.yaml`; each starts where a run of the command
line would (the composed config), so what the class sees on the controls is what runs. A lesson
(`cxsim/conf/lesson/*.yaml`) is a set of control values: clicking it puts them on the controls and
restarts the model from the controls. A company's own file (`cxsim-app --company FILE`) adds its
organisation to the organisation menu, with its regime of today first.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from omegaconf import DictConfig

from cxsim.app import COMPANY_ENV, FILES_ENV
from cxsim.config import composition
from cxsim.config.composition import CONFIG_DIR, available
from cxsim.config.errors import ConfigError
from cxsim.config.validation import CFO_VIEWS
from cxsim.model import CXModel

SETTINGS = yaml.safe_load((CONFIG_DIR / "app" / "classroom.yaml").read_text())

NO_TWIN = "(none)"
REGIME_OWN = "as the regime sets it"  # a lever left alone: the regime file's value, or what its owners derive
LEVERS = ("ceo_attention", "cxo_backing", "journey_kpi")


def load_lessons() -> dict[str, dict]:
    """Lesson scenarios (cxsim/conf/lesson/*.yaml): a question, control settings, what to observe."""
    return {p.stem: yaml.safe_load(p.read_text()) for p in sorted((CONFIG_DIR / "lesson").glob("*.yaml"))}


LESSONS = load_lessons()
MEASURED = CONFIG_DIR / "app" / "lesson_checks.yaml"  # written by `cxsim-lessons --write` (cxsim.app.lessons)


def load_measured() -> dict[str, list[dict]]:
    """What each lesson's checks measured, by lesson: [{claim, measured}] (empty before the first --write)."""
    return (yaml.safe_load(MEASURED.read_text()) or {}) if MEASURED.exists() else {}
REGIME_FILES: dict[str, str] = {}  # a company's regimes given as files: the name its menus show -> the path


def own_files(group: str) -> list[str]:
    """Your own org or regime files named by `cxsim-app --org FILE` / `--regime FILE` (paths)."""
    return [p for p in os.environ.get(FILES_ENV[group], "").split(os.pathsep) if p]


def load_company():
    """The company file named by `cxsim-app --company` (None without one)."""
    path = os.environ.get(COMPANY_ENV)
    if not path:
        return None
    from cxsim.decide import company

    return company.load(Path(path))


@dataclass(frozen=True)
class Control:
    """One control of the app: the model keyword it sets, how it is shown, what it may take."""

    key: str
    widget: str  # select | lever | slider | number
    label: str
    default: object
    values: tuple = ()  # a select's or a lever's choices
    unit: str = ""
    bounds: tuple = ()  # a slider's (min, max, step)

    def item(self, value, regime: str | None = None) -> str:
        """The value as a menu item: a lever's number as 1, not 1.0; a lever left to the regime says
        the value the regime gives it, when it has an owner with the role."""
        if self.widget != "lever":
            return str(value)
        if value in (REGIME_OWN, None) or str(value).startswith(REGIME_OWN):
            own = regime_own(regime, self.key) if regime else None
            return REGIME_OWN if own is None else f"{REGIME_OWN} ({own:g})"
        return f"{float(value):g}"

    def items(self, value, regime: str) -> list[str]:
        """A menu's items: its choices, and a lesson's value that is not among them."""
        items = [self.item(v, regime) for v in self.values]
        current = self.item(value, regime)
        return items if current in items else [*items, current]

    def value_of(self, item: str):
        """What a picked menu item sets the control to."""
        return REGIME_OWN if self.widget == "lever" and item.startswith(REGIME_OWN) else item

    def shown(self, value, regime: str | None = None) -> str:
        """The control's value as the page prints it (in a slider's label)."""
        return f"{value:g}" if isinstance(value, float) else self.item(value, regime)


@dataclass
class Classroom:
    """The controls, the lessons and the organisations on offer (presets, and a company's own)."""

    controls: dict[str, Control]
    company: object = None  # a `cxsim.decide.company.Company`, or None
    lessons: dict[str, dict] = field(default_factory=lambda: LESSONS)
    measured: dict[str, list[dict]] = field(default_factory=load_measured)

    @classmethod
    def build(cls, company=None) -> Classroom:
        own = {group: own_files(group) for group in FILES_ENV}  # first in their menus, the first chosen
        regimes = [*own["regime"], *(r for r in available("regime") if not r.endswith("_schema"))]
        orgs = [*own["org"], *(o for o in available("org") if not o.endswith("_schema"))]
        chosen = [f"{group}={paths[0]}" for group, paths in own.items() if paths]
        base = company.config if company is not None else composition.compose(chosen)
        if company is not None:
            REGIME_FILES.update({name: str(path) for name, path in company.regime_files.items()})
            regimes = [company.today, *company.candidates, *(r for r in regimes
                                                            if r != company.today and r not in company.candidates)]
            orgs = [company.name, *orgs]
        defaults = starting_values(base, org=orgs[0] if company is not None or own["org"] else str(base.org.name),
                                   regime=regimes[0] if company is not None or own["regime"] else str(base.regime.name))
        choices = {"regime": regimes, "org": orgs, "reorg_to": regimes, "compare_with": [NO_TWIN, *regimes],
                   "cfo_view": list(CFO_VIEWS)}
        controls = {}
        for spec in SETTINGS["controls"]:
            key = spec["key"]
            values = choices.get(key, ())
            if spec["widget"] == "lever":
                values = (REGIME_OWN, *spec["values"])
            bounds = (spec["min"], spec["max"], spec["step"]) if spec["widget"] == "slider" else ()
            controls[key] = Control(key, spec["widget"], spec["label"], defaults[key], tuple(values),
                                    spec.get("unit", ""), bounds)
        return cls(controls, company)

    def defaults(self) -> dict:
        """Every control at its starting value (levers: left to the regime)."""
        return {k: (REGIME_OWN if c.widget == "lever" else c.default) for k, c in self.controls.items()}

    def lesson_values(self, name: str) -> dict:
        """The controls as a lesson sets them: its settings over the starting values."""
        unknown = set(self.lessons[name]["params"]) - set(self.controls)
        if unknown:
            raise ConfigError(f"lesson {name}: params: no control named {', '.join(sorted(unknown))}")
        return {**self.defaults(), **self.lessons[name]["params"]}

    def model(self, values: dict) -> ClassroomModel:
        return ClassroomModel(classroom=self, **values)


def starting_values(cfg: DictConfig, org: str, regime: str) -> dict:
    """Where each control starts: the composed config's values (a lever: left to the regime)."""
    return {
        "regime": regime, "org": org, "compare_with": NO_TWIN,
        "reorg_day": int(cfg.reorg.day or 0), "reorg_to": cfg.reorg.to or regime,
        "seed": int(cfg.seed), "days": int(cfg.days),
        "staffing": float(cfg.org.staffing),
        "service_budget": float(cfg.mechanisms.finance.service_budget),
        "cfo_view": str(cfg.mechanisms.finance.cfo_view),
        "split_departments": int(cfg.org.split_departments),
        **{key: None for key in LEVERS},
    }


@functools.cache
def regime_own(regime: str, key: str) -> float | None:
    """What a regime gives a lever of its own: its CEO's attention, its CXO's backing (None: no such
    owner, or a value its owners derive, as the journey KPIs)."""
    role, attribute = {"ceo_attention": ("CEO", "attention"), "cxo_backing": ("CXO", "backing")}.get(key, (None, None))
    try:
        owners = composition.regime(REGIME_FILES.get(regime, regime)).owners.values()
    except ConfigError:
        return None
    return next((float(o[attribute]) for o in owners if o.role == role), None)


def model_keywords(values: dict) -> dict:
    """The controls' values as CXModel keywords: a lever left to the regime is not passed."""
    out = {k: v for k, v in values.items() if k not in ("compare_with", "org", "regime")}
    for key in LEVERS:
        if out.get(key) == REGIME_OWN or out.get(key) is None:
            out.pop(key, None)
        else:
            try:
                out[key] = float(out[key])
            except (TypeError, ValueError):  # a lesson file's typo: one line, the default model
                raise ConfigError(f"{key}: must be a number or '{REGIME_OWN}', got {out[key]!r}") from None
    if not out.get("reorg_day"):
        out.pop("reorg_day", None)
        out.pop("reorg_to", None)
    return out


class ClassroomModel(CXModel):
    """CXModel made from the app's controls; on bad settings, the default model and the reason.

    With `compare_with` a twin runs beside it: the same settings and seed, another regime."""

    def __init__(self, classroom: Classroom | None = None, **values):
        classroom = classroom or CLASSROOM
        values = {**classroom.defaults(), **values}
        self.classroom, self.values, self.error, self.twin = classroom, values, None, None
        try:
            super().__init__(**self.arguments(values["regime"], values))
        except ConfigError as exc:
            self.error = str(exc)
            super().__init__(**self.arguments(classroom.controls["regime"].default, classroom.defaults()))
            return
        if values["compare_with"] not in (NO_TWIN, None):
            self.twin = CXModel(**self.arguments(values["compare_with"], values))

    def arguments(self, regime: str, values: dict) -> dict:
        """CXModel's keywords for this regime on the chosen organisation (a company's: its config)."""
        company = self.classroom.company
        if company is not None:
            regime = company.regime_ref(regime)  # a regime the company file gives as a file: its path
        if company is not None and values["org"] == company.name:
            cfg = company.config.copy()
            cfg.regime = composition.regime(regime)
            return {"config": cfg, **model_keywords(values)}
        return {"regime": regime, "org": values["org"], **model_keywords(values)}

    def step(self) -> None:
        super().step()
        if self.twin is not None and self.twin.running:
            self.twin.step()


CLASSROOM = Classroom.build(load_company())
