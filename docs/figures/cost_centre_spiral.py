"""Makes docs/figures/cost_centre_spiral.png: the CFO's budget rounds on the insurer with no owner,
its service desk starting at 75% of its staffing, under each CFO view (the runs of
tests/test_cfo_and_initiatives.py). Run: .venv/bin/python docs/figures/cost_centre_spiral.py"""

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from cxsim.analysis import plots
from cxsim.model import CXModel

VARIANTS = {  # label: (CFO view, overrides)
    "cut the overspend": ("cost", []),
    "trim by the target only": ("cost", ["mechanisms.finance.cut_overspend=false"]),
    "staff for demand": ("value", []),
    "no round": ("none", []),
}


def books(job: tuple[str, int]) -> pd.DataFrame:
    label, seed = job
    view, overrides = VARIANTS[label]
    model = CXModel(regime="no_owner", seed=seed, service_budget=0.75, cfo_view=view, overrides=overrides).run()
    return model.recorder.budget_table().assign(**{"coord.regime": label, "coord.org": "auto_insurer"})


if __name__ == "__main__":
    with ProcessPoolExecutor(2) as pool:
        table = pd.concat(pool.map(books, [(v, s) for v in VARIANTS for s in range(20)]), ignore_index=True)
    fig = plots.budget_rounds(table, "auto_insurer")
    fig.suptitle("auto insurer, no owner, service desk starting at 75% of its staffing: "
                 "the CFO's budget rounds (mean of 20 seeds)", fontsize=9)
    fig.savefig(Path(__file__).with_suffix(".png"), dpi=100)
