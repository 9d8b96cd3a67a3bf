"""cxsim: who should own customer experience? An agent-based simulator (Mesa + Hydra).

The package is layered; a module imports only from its own layer or the ones
below it (checked by `tests/test_layers.py` with import-linter's contracts in
`pyproject.toml`):

    app, calibration     tools built on the rest: the classroom app; fitting a company's data
    decide               compare regimes; a company's reorg options and its decision report
    analysis             what is done with results: statistics, plots, reports, sensitivity
    runs                 running the model: Python API, CLI, sweeps, the results store
    model                the Model: agents, journeys, calendar, outcomes, invariants
    mechanisms           the submodels, one module each (ODD section 7)
    config               the config's shape, its composition, validation and resolvers

`cxsim.api` (simulate, Result) and `cxsim.model` (CXModel) are the public
entry points for scripts and notebooks.
"""

import os
from importlib.metadata import PackageNotFoundError, version

# A run uses one core; many runs use processes (`cxsim.runs.evaluator`, Hydra's launchers), which
# inherit this. OpenBLAS's threads would only contend with them, and spin after each call: one
# thread, unless the user chose. (It takes effect where cxsim is imported before numpy.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

try:
    __version__ = version("cxsim")
except PackageNotFoundError:  # a checkout on sys.path without an install
    __version__ = "0+unknown"

from cxsim import compiled as _compiled  # noqa: E402  (before any compiled module is imported)

_compiled.install()
