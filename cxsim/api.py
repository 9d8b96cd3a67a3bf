"""The Python API for notebooks and scripts: build, run, get DataFrames.

>>> from cxsim.api import simulate
>>> result = simulate(regime="coo_owned", org="telecom", seed=3)
>>> result.summary, result.timeseries, result.handoffs, result.journeys, result.departments

A public name kept stable for users; the code lives in `cxsim.runs.api`.
"""

from cxsim.model import CXModel
from cxsim.runs.api import TABLES, Result, outcome_names, simulate

__all__ = ["CXModel", "Result", "TABLES", "outcome_names", "simulate"]
