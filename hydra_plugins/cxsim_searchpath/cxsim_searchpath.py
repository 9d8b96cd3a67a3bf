"""Puts the project's `experiments/` folder on Hydra's search path.

The named experiments live in `experiments/NAME.yaml` (config group
`experiments`), so `cxsim -m +experiments=regime_showdown` finds them from any
working directory.
"""

from pathlib import Path

from hydra.core.config_search_path import ConfigSearchPath
from hydra.plugins.search_path_plugin import SearchPathPlugin

ROOT = Path(__file__).resolve().parents[2]


class CxsimSearchPathPlugin(SearchPathPlugin):
    def manipulate_search_path(self, search_path: ConfigSearchPath) -> None:
        if (ROOT / "experiments").is_dir():
            search_path.append(provider="cxsim-experiments", path=f"file://{ROOT}")
